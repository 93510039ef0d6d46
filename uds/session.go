package uds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// ana holds a client's AnA ("Authentication and Authorization") settings: the credentials
// and the authorisation headers. The authToken the server issued lives in the session engine.
//
// There is no login operation: a request authenticates by carrying the credentials, and its
// response carries the token. So "logging in" is sending the caller's own request with the
// credential headers; the engine lets one caller at a time do that (the others wait and then
// use the token it obtained), which gives one authentication for many concurrent callers,
// both at the first call and after the token expires.
type ana struct {
	userID, orgName string
	authz           []any // targetorg…, targetAllOrgs, globalEntity: immutable
	// secret holds the credential behind a pointer of its own: fmt prints unexported fields
	// without calling any String method, and for a bad verb (%s of a Client value) it
	// dereferences one pointer level, which would reach ana's fields. Two pointers away from
	// Client, fmt only ever prints an address.
	secret *anaSecret
}

type anaSecret struct{ credential string }

func newANA(cfg *config) *ana {
	a := &ana{
		userID:  cfg.creds.UserID,
		orgName: cfg.creds.OrgName,
		secret:  &anaSecret{credential: cfg.creds.Credential},
	}
	for _, o := range cfg.targetOrgs {
		a.authz = append(a.authz, &udswsdl.Targetorg{Value: o})
	}
	if cfg.targetAllOrgs {
		a.authz = append(a.authz, &udswsdl.TargetAllOrgs{Value: "TRUE"})
	}
	if cfg.globalEntity {
		a.authz = append(a.authz, &udswsdl.GlobalEntity{Value: "TRUE"})
	}
	return a
}

// credentialHeaders are the header blocks of a request that authenticates with credentials.
func (a *ana) credentialHeaders() []any {
	h := []any{&udswsdl.UserID{Value: a.userID}}
	if a.orgName != "" {
		h = append(h, &udswsdl.OrgName{Value: a.orgName})
	}
	h = append(h, &udswsdl.Credential{Value: a.secret.credential})
	return append(h, a.authz...)
}

// tokenHeaders are the header blocks of a request that authenticates with a token.
func (a *ana) tokenHeaders(token string) []any {
	return append([]any{&udswsdl.AuthToken{Value: token}}, a.authz...)
}

// exchange is one request/response: send performs it with the given header blocks and
// returns the response header values the client needs.
type exchange func(ctx context.Context, headers []any) (respMeta, error)

// call performs one operation with the client's AnA policy:
//   - AnA off: no AnA header.
//   - A token is held: the request carries it. If the server answers with a Fault that is not
//     a recognised business answer (an authentication error, or a number the client does not
//     know: the vendor's token error numbers are not public), the token is suspect: the
//     client authenticates again with the credentials (once for all concurrent callers) and
//     retries the call once; if that fails too, its error is the answer.
//   - No token (first call, after a rejection, or when it is due for proactive renewal): the
//     request carries the credentials, one caller at a time; the token in its answer serves
//     every caller after it.
func (c *Client) call(ctx context.Context, op string, send exchange) (respMeta, error) {
	if c.ana == nil {
		if c.sessions.Closed() {
			return respMeta{}, fmt.Errorf("uds: %s: %w", op, ErrClosed)
		}
		return send(ctx, nil)
	}
	s := c.sessions.Fresh()
	for retried := false; ; retried = true {
		if s == nil || retried {
			var out loginOutcome
			var led bool
			var err error
			s, led, err = c.sessions.RenewOwn(ctx, s, c.credentialLogin(op, send, &out))
			if led {
				return out.meta, out.err // this caller's own request authenticated
			}
			if err != nil {
				return respMeta{}, c.sessionError(ctx, op, err)
			}
		}
		meta, err := send(ctx, c.ana.tokenHeaders(s.Value))
		if meta.authToken != "" && meta.authToken != s.Value {
			c.secrets.Add(meta.authToken)
			c.sessions.Adopt(s, meta.authToken) // the server rotated the token
		}
		if err == nil || retried || !c.tokenSuspect(err) {
			return meta, err
		}
		re, _ := asServiceError(err)
		c.logger.LogAttrs(ctx, slog.LevelInfo, "uds: the AnA token may no longer be valid; authenticating again",
			slog.String("operation", op), slog.String("errorNumber", re.Code),
			slog.String("udsTransactionID", re.TransactionID))
	}
}

// loginOutcome is the answer to the request that authenticated with the credentials: it is
// the leader's own call's answer.
type loginOutcome struct {
	meta respMeta
	err  error
}

// credentialLogin returns the engine Login that sends the caller's request with the
// credentials. Its verdict on the credentials:
//   - a token in the answer: authenticated (whatever the operation itself answered);
//   - no token, and an authentication error or a number the client does not know: refused
//     (remembered: every later call fails at once, so a wrong password never locks the
//     account through retries);
//   - no token, and a recognised business answer (the user or organisation was not found,
//     invalid input…): no verdict; the callers waiting try again with their own request;
//   - no answer at all, or a server that says it is unavailable: this login failed.
func (c *Client) credentialLogin(op string, send exchange, out *loginOutcome) engine.Login[string] {
	return func(ctx context.Context) (string, error) {
		out.meta, out.err = send(ctx, c.ana.credentialHeaders())
		if out.meta.authToken != "" {
			c.secrets.Add(out.meta.authToken)
			return out.meta.authToken, nil
		}
		if out.err == nil {
			return "", engine.Inconclusive(fmt.Errorf("uds: %s: the answer to a request with AnA credentials carried no authToken", op))
		}
		if cl, _ := c.classOf(out.err); cl.business() {
			return "", engine.Inconclusive(out.err)
		}
		return "", out.err
	}
}

// refusedCredentials is the engine's verdict on a credential login's error (see
// credentialLogin): a Fault of class ClassAuthentication or ClassUnknown, with no token.
func (c *Client) refusedCredentials(err error) bool { return c.authSuspect(err) }

// tokenSuspect reports whether err, answering a request that carried only the token, may mean
// that the token is no longer accepted: the same classes (a Fault that is not a business
// answer, a server error or the server saying it is unavailable). A transport or protocol
// failure says nothing about the token.
func (c *Client) tokenSuspect(err error) bool { return c.authSuspect(err) }

// authSuspect reports a Fault of class ClassAuthentication or ClassUnknown.
func (c *Client) authSuspect(err error) bool {
	cl, ok := c.classOf(err)
	return ok && (cl == ClassAuthentication || cl == ClassUnknown)
}

// classOf classifies err's error number; ok is false when err is not a Fault of the service.
func (c *Client) classOf(err error) (ErrorClass, bool) {
	re, ok := asServiceError(err)
	if !ok {
		return ClassUnknown, false
	}
	return c.classes.of(re.Code), true
}

// sessionError names the engine's own errors in this package's terms. A caller whose context
// ended while it waited for the authentication of another call gets a *TransportError (the
// exchange did not complete), as if it had waited for its own.
func (c *Client) sessionError(ctx context.Context, op string, err error) error {
	var re *engine.RefusedError
	if errors.As(err, &re) || errors.Is(err, ErrClosed) {
		return fmt.Errorf("uds: %s: %w", op, err)
	}
	if te, ok := engine.Waited(ctx, err, c.Endpoint(), "the AnA authentication"); ok {
		return fmt.Errorf("uds: %s: %w", op, te)
	}
	return err
}

// ResetRefusal forgets that the server refused the AnA credentials, so that the next call
// authenticates again. Until then (or until WithRefusalCooldown has passed) every call fails
// at once with the remembered error (ErrAuthentication) and sends nothing.
func (c *Client) ResetRefusal() { c.sessions.Reset() }

// Close forgets the AnA token and releases the idle connections of the transport the client
// made for itself (one given with WithHTTPClient is the caller's). UDS has no operation that
// ends a token: it expires on the server. After Close every call returns ErrClosed and sends
// nothing; Close waits (within ctx) for an authentication under way, and may be called again.
func (c *Client) Close(ctx context.Context) error {
	_, err := c.sessions.Close(ctx)
	c.soap.CloseIdleConnections()
	return err
}

func (c *Client) tokenState() string {
	if c.sessions.Fresh() == nil {
		return "none"
	}
	return "[REDACTED]"
}
