package provisioning

import (
	"context"
	"errors"
	"fmt"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// flight is one Connect under way; every caller that needs a session while it runs waits for
// it instead of spending an OTP of its own.
type flight struct {
	done   chan struct{}
	gen    uint64 // the session it opened, on success
	result ConnectResult
	err    error
}

// Connect opens a new management session (wire operation Connect, SOAPAction
// "http://www.cryptocard.com/blackshield/Connect") with a fresh OTP from the Client's
// OTPSource. The other methods connect by themselves when needed, so calling Connect is only
// useful to check the credentials early or to force a new session.
//
// Any result but ConnectAuthSuccess is returned together with a *ConnectError carrying it and
// the challenge text, if any.
func (c *Client) Connect(ctx context.Context) (ConnectResult, error) {
	_, res, err := c.session(ctx, 0, true)
	return res, err
}

// PingConnection tells whether the management session is still valid (wire operation
// PingConnection, SOAPAction "http://www.cryptocard.com/blackshield/PingConnection"). It
// never connects: false means that the next call will connect first.
func (c *Client) PingConnection(ctx context.Context) (bool, error) {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	resp, err := c.stub.PingConnection(ctx, &provisioningwsdl.PingConnection{})
	if err != nil {
		return false, opError("PingConnection", err)
	}
	if !resp.PingConnectionResult {
		c.markDead(gen)
	}
	return resp.PingConnectionResult, nil
}

// markDead records that the session gen is gone, unless a newer one replaced it meanwhile.
func (c *Client) markDead(gen uint64) {
	c.mu.Lock()
	if c.gen == gen {
		c.live = false
	}
	c.mu.Unlock()
}

// session returns a live session newer than stale, connecting when there is none. With force
// (Connect) it ignores a live session and waits for a connect that is under way or that it
// starts. Concurrent callers share one connect: only one OTP is spent however many of them
// find the session gone, and a caller whose call failed on a session that another caller has
// already replaced (gen > stale) simply uses the new one.
func (c *Client) session(ctx context.Context, stale uint64, force bool) (uint64, ConnectResult, error) {
	for {
		c.mu.Lock()
		if !force && c.live && c.gen > stale {
			gen := c.gen
			c.mu.Unlock()
			return gen, ConnectAuthSuccess, nil
		}
		f := c.inflight
		lead := f == nil
		if lead {
			f = &flight{done: make(chan struct{})}
			c.inflight = f
		}
		c.mu.Unlock()

		if lead {
			res, err := c.connect(ctx)
			c.mu.Lock()
			if err == nil {
				c.gen++
				c.live = true
				f.gen = c.gen
			} else {
				c.live = false
			}
			f.result, f.err = res, err
			c.inflight = nil
			c.mu.Unlock()
			close(f.done)
			return f.gen, res, err
		}

		select {
		case <-f.done:
		case <-ctx.Done():
			return 0, "", fmt.Errorf("provisioning: waiting for Connect: %w", ctx.Err())
		}
		// A leader whose own context ended leaves the work undone, not failed: a caller
		// whose context is still good tries again (and leads, if nobody else does).
		if f.err != nil && ctx.Err() == nil &&
			(errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
			continue
		}
		// force is satisfied too: this connect had not finished when the caller asked.
		return f.gen, f.result, f.err
	}
}

// connect runs the Connect operation with a fresh OTP.
func (c *Client) connect(ctx context.Context) (ConnectResult, error) {
	otp, err := c.otp(ctx)
	if err != nil {
		return "", fmt.Errorf("provisioning: Connect: OTP source: %w", err)
	}
	if otp == "" {
		return "", &soapx.InputError{Field: "otp", Reason: "the OTP source returned an empty OTP"}
	}
	c.log.DebugContext(ctx, "provisioning: connecting", "endpoint", c.endpoint)
	resp, err := c.stub.Connect(ctx, &provisioningwsdl.Connect{OperatorEmail: c.operator, OTP: otp})
	if err != nil {
		return "", opError("Connect", err)
	}
	if resp.ConnectResult == nil {
		return "", fmt.Errorf("provisioning: Connect: %w", &soapx.ProtocolError{Reason: "ConnectResponse has no ConnectResult"})
	}
	res := ConnectResult(*resp.ConnectResult)
	if res != ConnectAuthSuccess {
		c.log.DebugContext(ctx, "provisioning: connect refused", "result", string(res))
		return res, &ConnectError{Result: res, Challenge: resp.Challenge}
	}
	c.log.DebugContext(ctx, "provisioning: connected")
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
	gen, _, err := c.session(ctx, 0, false)
	if err != nil {
		return err
	}
	err = call(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errAnsweredFalse):
		alive, perr := c.PingConnection(ctx)
		if perr != nil || alive {
			return err
		}
	case errors.Is(opError(op, err), ErrSessionExpired):
		c.markDead(gen)
	default:
		return opError(op, err)
	}
	c.log.DebugContext(ctx, "provisioning: session gone; connecting again", "operation", op)
	if _, _, err := c.session(ctx, gen, false); err != nil {
		return err
	}
	return opError(op, call(ctx))
}
