package projector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

// Wire operation names.
const (
	opAuthenticate   = "PwsAuthenticate"
	opUnauthenticate = "PwsUnauthenticate"
	opDeleteUser     = "PwsDeleteUser"
)

// exchange runs one HTTP exchange of op: it waits out a rate-limit pause, takes an in-flight
// slot, sends, and turns a Fault or a failed Status into a *ServiceError. send returns the
// response's base members (nil when the result had none).
func (c *client) exchange(ctx context.Context, op string, send func(context.Context) (*projectorwsdl.PwsServiceResponse, error)) error {
	if err := c.waitPause(ctx); err != nil {
		return fmt.Errorf("projector: %s: %w", op, err)
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("projector: %s: waiting for a free slot (WithMaxInFlight): %w", op, ctx.Err())
	}
	defer func() { <-c.slots }()

	cctx, resp := soapx.CaptureResponse(ctx)
	base, err := send(cctx)
	if err != nil {
		return c.wireError(op, err, resp.StatusCode)
	}
	var status Status
	var responseID int32
	if base != nil {
		if base.Status != nil {
			status = Status(*base.Status)
		}
		responseID = base.ResponseId
	}
	// A successful Status with an HTTP error status is not a success: something between
	// the client and Projector, or Projector itself, failed after the operation answered.
	if !status.succeeded() || resp.StatusCode < 200 || resp.StatusCode > 299 {
		var msgs []Message
		if base != nil {
			msgs = c.scrubMessages(messagesFromWire(base.Messages))
		}
		return newServiceError(op, resp.StatusCode, status, responseID, msgs, nil)
	}
	return nil
}

// wireError keeps transport and protocol errors as they are (with the operation named) and
// turns a SOAP Fault into a *ServiceError carrying the PwsMessages of its PwsFault detail.
func (c *client) wireError(op string, err error, httpStatus int) error {
	var f *soapx.Fault
	if !errors.As(err, &f) {
		return fmt.Errorf("projector: %s: %w", op, err)
	}
	status := f.HTTPStatus
	if status == 0 {
		status = httpStatus
	}
	return newServiceError(op, status, "", 0, c.scrubMessages(faultMessages(f.Detail)), f)
}

// retryRateLimited runs fn again while it fails with ErrRateLimited, up to the configured
// number of retries. Each refusal pauses every call of the client for the configured wait
// before the next attempt, as Projector asks ("pause all attempts"). A warning-mode 10016 comes
// with a successful Status: the request was carried out, so it is never retried.
func (c *client) retryRateLimited(ctx context.Context, op string, fn func(context.Context) error) error {
	for retry := 0; ; retry++ {
		err := fn(ctx)
		if err == nil || !errors.Is(err, ErrRateLimited) {
			return err
		}
		if retry >= c.opts.rateLimitRetries {
			return err
		}
		wait := c.opts.rateLimitWait
		var he *soapx.HTTPError // an HTTP 429 from a front end may say how long to wait
		if errors.As(err, &he) && he.RetryAfter > wait {
			wait = he.RetryAfter
		}
		c.pause(wait)
		c.emitPause(ctx, wait)
		c.log.LogAttrs(ctx, slog.LevelInfo, "rate limited; pausing before retrying",
			slog.String("operation", op), slog.Duration("wait", wait), slog.Int("retry", retry+1))
		if werr := c.waitPause(ctx); werr != nil {
			return fmt.Errorf("projector: %s: %w while waiting to retry after: %w", op, werr, err)
		}
	}
}

// withSession runs fn with the current session, authenticating first if there is none. When
// the server rejects the ticket (10004, -101) it authenticates again, once for all concurrent
// callers (a caller whose ticket another caller already replaced just uses the new one), and
// runs fn once more; a second rejection is returned (it is ErrSessionExpired).
func (c *client) withSession(ctx context.Context, op string, fn func(context.Context, *session) error) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	err = c.retryRateLimited(ctx, op, func(ctx context.Context) error { return fn(ctx, &s.Value) })
	if err == nil || !errorIsSessionExpired(err) {
		return err
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "session ticket rejected; authenticating again", slog.String("operation", op))
	if s, _, err = c.sessions.Renew(ctx, s, c.loginFn); err != nil {
		return c.sessionError(ctx, err)
	}
	err = c.retryRateLimited(ctx, op, func(ctx context.Context) error { return fn(ctx, &s.Value) })
	if err != nil && errorIsSessionExpired(err) {
		c.sessions.Invalidate(s) // a fresh ticket refused at once: let the next call start over
	}
	return err
}

// errorIsSessionExpired reports a ticket the server refused (10004 or -101, as a Fail status or
// inside a PwsFault).
func errorIsSessionExpired(err error) bool {
	var se *ServiceError
	return errors.As(err, &se) && se.Is(ErrSessionExpired)
}

// pause holds every request of the client for d from now (never shortening a longer pause).
func (c *client) pause(d time.Duration) {
	until := time.Now().Add(d).UnixNano()
	c.mu.Lock()
	if until > c.pauseUntil {
		c.pauseUntil = until
	}
	c.mu.Unlock()
}

// waitPause blocks until the rate-limit pause is over or ctx ends.
func (c *client) waitPause(ctx context.Context) error {
	for {
		c.mu.Lock()
		until := c.pauseUntil
		c.mu.Unlock()
		d := time.Until(time.Unix(0, until))
		if until == 0 || d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// scrubMessages removes the client's secrets from the texts of PWS messages, which are free
// text a server may fill with an echo of the request (the password, the ticket).
func (c *client) scrubMessages(msgs []Message) []Message {
	if c.secrets.Len() == 0 {
		return msgs
	}
	for i := range msgs {
		m := &msgs[i]
		m.ErrorCode = c.secrets.String(m.ErrorCode)
		m.ErrorText = c.secrets.String(m.ErrorText)
		m.AdditionalErrorText = c.secrets.String(m.AdditionalErrorText)
	}
	return msgs
}
