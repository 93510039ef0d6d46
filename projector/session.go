package projector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/projector/internal/projectorwsdl"
)

// maxRedirects is how many RedirectUrl hops one authentication follows.
const maxRedirects = 3

// session is one PWS session: the ticket and the server it belongs to. It is immutable; a
// rejected session is replaced, never mutated, so a call holding an old one cannot see a
// half-updated state.
type session struct {
	ticket string
	svc    projectorwsdl.IPwsProjectorServices
	soap   *soapx.Client
}

// login is the session engine's Login: PwsAuthenticate at the endpoint the last session was
// redirected to (or the configured one). The engine runs it once for all concurrent callers,
// on a context their cancellation does not end.
func (c *client) login(ctx context.Context) (session, error) {
	c.mu.Lock()
	home := c.home
	c.mu.Unlock()
	s, err := c.authenticate(ctx, home)
	if err != nil {
		return session{}, err
	}
	c.mu.Lock()
	c.home = s.soap
	c.mu.Unlock()
	return *s, nil
}

// refusedCredentials tells the engine which login errors mean that Projector refused the
// credentials: they are remembered, and not sent again (Projector locks an account after a
// few failures, without notice).
func refusedCredentials(err error) bool {
	return errors.Is(err, ErrAuthentication) && !errors.Is(err, ErrSessionExpired)
}

// session returns the session to call with, authenticating (once for all concurrent callers)
// when there is none.
func (c *client) session(ctx context.Context) (*engine.Session[session], error) {
	if s := c.sessions.Fresh(); s != nil {
		return s, nil
	}
	s, _, err := c.sessions.Get(ctx, c.loginFn)
	return s, c.sessionError(ctx, err)
}

// sessionError names the engine's own errors in this package's terms. A caller whose context
// ended while it waited for PwsAuthenticate gets a *TransportError (its exchange did not
// complete), as if it had waited for its own.
func (c *client) sessionError(ctx context.Context, err error) error {
	var re *engine.RefusedError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, engine.ErrClosed):
		return err
	case errors.As(err, &re):
		return fmt.Errorf("projector: %s: %w", opAuthenticate, err)
	}
	if te, ok := engine.Waited(ctx, err, redacted(c.endpoint), opAuthenticate); ok {
		return fmt.Errorf("projector: %w", te)
	}
	return err
}

// authenticate sends PwsAuthenticate (SOAPAction
// http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsAuthenticate) to sc
// and follows RedirectUrl answers: "the same authentication request should be re-sent to the
// specified endpoint" (RedirectUrl + the endpoint's path). Only accepted targets are tried
// (see allowRedirect), at most maxRedirects hops, never a URL already tried, so the
// credentials go nowhere else.
func (c *client) authenticate(ctx context.Context, sc *soapx.Client) (*session, error) {
	// The request reproduces Projector's sample exactly: no RequestId (there is nothing to
	// correlate before a session exists) and no SessionTicket.
	req := &projectorwsdl.PwsAuthenticate{ServiceRequest: &projectorwsdl.PwsAuthenticateRq{
		AccountCode: c.creds.AccountCode,
		CultureName: c.opts.cultureName,
		Password:    c.creds.Password,
		UserName:    c.creds.UserName,
	}}
	tried := map[string]bool{urlKey(sc.Endpoint()): true}
	for hops := 0; ; hops++ {
		svc := projectorwsdl.NewIPwsProjectorServices(sc)
		var rs *projectorwsdl.PwsAuthenticateRs
		err := c.retryRateLimited(ctx, opAuthenticate, func(ctx context.Context) error {
			return c.exchange(ctx, opAuthenticate, func(ctx context.Context) (*projectorwsdl.PwsServiceResponse, error) {
				resp, err := svc.PwsAuthenticate(ctx, req)
				if err != nil {
					return nil, err
				}
				if rs = resp.PwsAuthenticateResult; rs == nil {
					return nil, missingResult(opAuthenticate)
				}
				return rs.PwsServiceResponse, nil
			})
		})
		if err != nil {
			return nil, err
		}
		if rs.RedirectUrl != "" {
			target, err := c.redirectTarget(rs.RedirectUrl, hops, tried)
			if err != nil {
				c.log.LogAttrs(ctx, slog.LevelWarn, "PwsAuthenticate RedirectUrl refused", slog.String("error", err.Error()))
				return nil, err
			}
			tried[urlKey(target)] = true
			c.log.LogAttrs(ctx, slog.LevelInfo, "PwsAuthenticate redirected; authenticating there",
				slog.String("from", redacted(sc.Endpoint())), slog.String("to", redacted(target)))
			c.emitRedirect(ctx, target)
			if sc, err = c.soap.WithEndpoint(target); err != nil {
				return nil, err
			}
			continue
		}
		if rs.SessionTicket == "" {
			return nil, &soapx.ProtocolError{Reason: "PwsAuthenticate succeeded without a SessionTicket or RedirectUrl"}
		}
		c.secrets.Add(rs.SessionTicket) // scrubbed from whatever a server echoes from now on
		c.log.LogAttrs(ctx, slog.LevelInfo, "authenticated", slog.String("endpoint", redacted(sc.Endpoint())))
		return &session{ticket: rs.SessionTicket, svc: svc, soap: sc}, nil
	}
}

// unauthenticate sends PwsUnauthenticate for s (SOAPAction
// http://projectorpsa.com/PwsProjectorServices/IPwsProjectorServices/PwsUnauthenticate).
func (c *client) unauthenticate(ctx context.Context, s *session) error {
	return c.retryRateLimited(ctx, opUnauthenticate, func(ctx context.Context) error {
		return c.exchange(ctx, opUnauthenticate, func(ctx context.Context) (*projectorwsdl.PwsServiceResponse, error) {
			req := &projectorwsdl.PwsUnauthenticate{ServiceRequest: &projectorwsdl.PwsUnauthenticateRq{
				PwsServiceRequest: &projectorwsdl.PwsServiceRequest{RequestId: c.nextRequestID(), SessionTicket: s.ticket},
			}}
			resp, err := s.svc.PwsUnauthenticate(ctx, req)
			if err != nil {
				return nil, err
			}
			if resp.PwsUnauthenticateResult == nil {
				return nil, missingResult(opUnauthenticate)
			}
			return resp.PwsUnauthenticateResult.PwsServiceResponse, nil
		})
	})
}

// missingResult is a response whose PwsXResult element is absent or in another namespace:
// nothing in it can be trusted, least of all a silent success.
func missingResult(op string) error {
	return &soapx.ProtocolError{Reason: "no " + op + "Result in the " + op + "Response"}
}

func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Redacted()
}
