package projector

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

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

// session returns the current session, authenticating when there is none. Concurrent callers
// wait for one authentication (single flight) instead of each logging in.
func (c *client) session(ctx context.Context) (*session, error) {
	c.mu.Lock()
	s, closed := c.sess, c.closed
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if s != nil {
		return s, nil
	}
	select {
	case c.loginSlot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("projector: waiting for PwsAuthenticate: %w", ctx.Err())
	}
	defer func() { <-c.loginSlot }()
	// Whoever held the slot before us may have authenticated already.
	c.mu.Lock()
	s, closed, home := c.sess, c.closed, c.home
	c.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if s != nil {
		return s, nil
	}
	s, err := c.authenticate(ctx, home)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sess, c.home = s, s.soap
	c.mu.Unlock()
	return s, nil
}

// invalidate drops s if it is still the current session. A caller whose call failed with an
// already-replaced session changes nothing and simply retries with the new one.
func (c *client) invalidate(s *session) {
	c.mu.Lock()
	if c.sess == s {
		c.sess = nil
	}
	c.mu.Unlock()
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
			if sc, err = c.soap.WithEndpoint(target); err != nil {
				return nil, err
			}
			continue
		}
		if rs.SessionTicket == "" {
			return nil, &soapx.ProtocolError{Reason: "PwsAuthenticate succeeded without a SessionTicket or RedirectUrl"}
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "authenticated", slog.String("endpoint", redacted(sc.Endpoint())))
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
