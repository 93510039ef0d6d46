package provisioning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// Login opens a management session now if none is open (wire operation Connect, SOAPAction
// "http://www.cryptocard.com/blackshield/Connect", with a fresh OTP from Credentials.OTP), so
// that wrong credentials show before the first real call; it does nothing when a session is
// open. The other methods log in by themselves when needed.
//
// A ConnectResult other than AUTH_SUCCESS is a *ConnectError carrying it (ErrAuthentication),
// and is remembered: later calls fail at once without spending an OTP, until ResetRefusal.
func (c *Client) Login(ctx context.Context) error {
	if c.sessions.Fresh() != nil {
		return nil
	}
	if err := ctx.Err(); err != nil { // an ended context must not spend an OTP
		return fmt.Errorf("provisioning: Login: %w", err)
	}
	ctx, obs := c.startCall(ctx, opConnect)
	s, err := c.session(ctx)
	var res ConnectResult
	var ce *ConnectError
	switch {
	case err == nil:
		res = s.Value
	case errors.As(err, &ce):
		res = ce.Result
	}
	err = c.secrets.Error(err)
	c.endConnect(obs, res, err)
	return err
}

// PingConnection tells whether the management session is still valid (wire operation
// PingConnection, SOAPAction "http://www.cryptocard.com/blackshield/PingConnection"). It
// never logs in: false means that the next call will log in first.
func (c *Client) PingConnection(ctx context.Context) (bool, error) {
	ctx, obs := c.startCall(ctx, opPing)
	alive, err := c.ping(ctx)
	c.endPing(obs, alive, err)
	return alive, err
}

// ping is PingConnection, unobserved: do asks it within the call it observes.
func (c *Client) ping(ctx context.Context) (bool, error) {
	s := c.sessions.Fresh()
	resp, err := c.stub.PingConnection(ctx, &provisioningwsdl.PingConnection{})
	if err != nil {
		return false, opError("PingConnection", err)
	}
	if !resp.PingConnectionResult {
		c.sessions.Invalidate(s) // unless another caller has connected again meanwhile
	}
	return resp.PingConnectionResult, nil
}

// ResetRefusal forgets that the server refused the operator's login (Connect), so that the
// next call logs in again with a fresh OTP. Until then (or until WithRefusalCooldown has passed) every
// call fails at once with the remembered *ConnectError (ErrAuthentication) and spends no OTP:
// BSIDCA locks a token after a few failed OTPs.
func (c *Client) ResetRefusal() { c.sessions.Reset() }

// refusedConnect tells the session engine which Connect errors mean that the server refused
// the operator: any answer but AUTH_SUCCESS (AUTH_FAILURE, a CHALLENGE this client cannot
// answer, a PIN change it cannot make). Each retry would spend another OTP towards the
// token's lockout, so they are remembered.
func refusedConnect(err error) bool {
	var ce *ConnectError
	return errors.As(err, &ce)
}

// session returns the session to call with, connecting (once for all concurrent callers)
// when there is none.
func (c *Client) session(ctx context.Context) (*engine.Session[ConnectResult], error) {
	if s := c.sessions.Fresh(); s != nil {
		return s, nil
	}
	s, _, err := c.sessions.Get(ctx, c.loginFn)
	return s, c.sessionError(ctx, err)
}

// sessionError names the engine's own errors in this package's terms. A caller whose context
// ended while it waited for a Connect gets a *TransportError (its exchange did not complete),
// as if it had waited for its own.
func (c *Client) sessionError(ctx context.Context, err error) error {
	var re *engine.RefusedError
	switch {
	case errors.As(err, &re):
		return fmt.Errorf("provisioning: Connect: %w", err)
	case errors.Is(err, ErrClosed):
		return fmt.Errorf("provisioning: %w", err)
	}
	if te, ok := engine.Waited(ctx, err, c.soap.Endpoint(), "Connect"); ok {
		return fmt.Errorf("provisioning: %w", te)
	}
	return err
}

// connect runs the Connect operation with a fresh OTP.
func (c *Client) connect(ctx context.Context) (ConnectResult, error) {
	otp, err := c.otp(ctx)
	if err != nil {
		return "", fmt.Errorf("provisioning: Connect: OTP source: %w", err)
	}
	if otp == "" {
		return "", &soapx.InputError{Field: "Credentials.OTP", Reason: "the OTP source returned an empty OTP"}
	}
	c.secrets.Add(otp) // scrubbed from whatever the server echoes (a "code already used" fault)
	c.log.InfoContext(ctx, "provisioning: connecting", "endpoint", c.endpoint)
	resp, err := c.stub.Connect(ctx, &provisioningwsdl.Connect{OperatorEmail: c.operator, OTP: otp})
	if err != nil {
		return "", opError("Connect", err)
	}
	if resp.ConnectResult == nil {
		return "", fmt.Errorf("provisioning: Connect: %w", &soapx.ProtocolError{Reason: "ConnectResponse has no ConnectResult"})
	}
	res := ConnectResult(*resp.ConnectResult)
	if res != ConnectAuthSuccess {
		c.log.WarnContext(ctx, "provisioning: connect refused; the client will not connect again until ResetRefusal", "result", string(res))
		return res, &ConnectError{Result: res, Challenge: c.secrets.String(resp.Challenge)} // server text: may echo the OTP
	}
	c.log.InfoContext(ctx, "provisioning: connected")
	return res, nil
}

// errAnsweredFalse is what an operation's body returns when a change was answered with false.
// That is ambiguous (nothing to change, or no session), so do asks PingConnection.
var errAnsweredFalse = errors.New("answered false")

// do runs call within a session: it connects first if there is no session, and when call
// fails because the session is gone it connects again once (shared with concurrent callers)
// and retries call once. call must be safe to repeat.
func (c *Client) do(ctx context.Context, op string, call func(ctx context.Context) error) error {
	// A context that has already ended must not spend an OTP or a request.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("provisioning: %s: %w", op, err)
	}
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	err = call(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errAnsweredFalse):
		alive, perr := c.ping(ctx)
		if perr != nil || alive {
			return err
		}
	case errors.Is(opError(op, err), ErrSessionExpired):
	default:
		return opError(op, err)
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "provisioning: session gone; connecting again", slog.String("operation", op))
	if _, _, err := c.sessions.Renew(ctx, s, c.loginFn); err != nil {
		return c.sessionError(ctx, err)
	}
	return opError(op, call(ctx))
}

// Close ends the client's use of its session and releases the idle connections of the
// transport the client made for itself (one given with WithHTTPClient is the caller's). BSIDCA
// has no operation that ends a management session: the server forgets it after its idle
// timeout. After Close every call returns ErrClosed and spends no OTP; Close waits (within
// ctx) for a Connect under way, and may be called again.
func (c *Client) Close(ctx context.Context) error {
	_, err := c.sessions.Close(ctx)
	c.soap.CloseIdleConnections()
	return err
}
