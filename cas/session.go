package cas

import (
	"context"
	"errors"
	"fmt"

	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// cas has no session: every request carries the web-service password. What it shares with the
// other packages is the refused-credential rule: a password the server refused is not sent
// again by the same client. So the client runs its first requests through the session engine
// as "logins": until the server has answered one request without refusing the credentials,
// one caller at a time sends (the others wait for its verdict), and once the server refused
// them, every call fails at once with the remembered error. After the first accepted answer,
// calls go out concurrently with no coordination at all.

// verified is the engine's session value: the server accepted the credentials.
type verified struct{}

// guarded runs call, which sends one request carrying the credentials, under that rule.
func (c *Client) guarded(ctx context.Context, call func(context.Context) (*Result, error)) (*Result, error) {
	if c.sessions.Fresh() != nil {
		return call(ctx) // the credentials are known to be accepted
	}
	var res *Result
	var callErr error
	_, led, err := c.sessions.GetOwn(ctx, func(ctx context.Context) (verified, error) {
		res, callErr = call(ctx)
		var se *StatusError
		switch {
		case callErr == nil:
			return verified{}, nil
		case errors.Is(callErr, ErrAuthentication):
			return verified{}, callErr // refused: remembered
		case errors.As(callErr, &se):
			return verified{}, nil // the server answered the task: the credentials passed
		}
		// No answer from the server (transport, protocol): no verdict on the credentials.
		return verified{}, engine.Inconclusive(callErr)
	})
	switch {
	case led:
		return res, callErr
	case err == nil:
		return call(ctx)
	}
	var re *engine.RefusedError
	if errors.As(err, &re) || errors.Is(err, ErrClosed) {
		return nil, fmt.Errorf("cas: %s: %w", opHandleUserTask, err)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, fmt.Errorf("cas: %s: %w", opHandleUserTask, &soapx.TransportError{
			Op: "POST " + c.Endpoint(), Err: fmt.Errorf("waiting for the answer to the first request with these credentials: %w", err)})
	}
	return nil, err
}

// ResetRefusal forgets that the server refused the web-service credentials, so that the next
// call sends them again. Until then (or until WithRefusalCooldown has passed) every call fails
// at once with the remembered *StatusError (ErrAuthentication) and sends nothing.
func (c *Client) ResetRefusal() { c.sessions.Reset() }

// RefusedError is what a call returns, without sending anything, once the server has refused
// the client's credentials: Err is the server's answer to the refused request (it is
// ErrAuthentication) and At when it came. ResetRefusal (or WithRefusalCooldown) lets the
// client try again.
type RefusedError = engine.RefusedError

// ErrClosed is what every call returns after Close (the same value in every package).
var ErrClosed = engine.ErrClosed

// Close releases the idle connections of the transport the client made for itself (one given
// with WithHTTPClient is the caller's). cas has no session to end. After Close every call
// returns ErrClosed; Close may be called again.
func (c *Client) Close(ctx context.Context) error {
	_, err := c.sessions.Close(ctx)
	c.soap.CloseIdleConnections()
	return err
}
