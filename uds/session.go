package uds

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// ana holds a client's AnA ("Authentication and Authorization") state: the credentials, the
// authorisation headers, and the authToken the server issued.
//
// There is no login operation: a request authenticates by carrying the credentials, and its
// response carries the token. So "logging in" is sending the caller's own request with the
// credential headers, and only one caller at a time may do that (the holder of sem); the
// others wait and then use the token it obtained. That gives one authentication for many
// concurrent callers, both at the first call and after the token expires.
type ana struct {
	userID, orgName string
	authz           []any // targetorg…, targetAllOrgs, globalEntity: immutable
	// secret holds the credential and the token behind a pointer of its own: fmt prints
	// unexported fields without calling any String method, and for a bad verb (%s of a
	// Client value) it dereferences one pointer level, which would reach ana's fields.
	// Two pointers away from Client, fmt only ever prints an address.
	secret *anaSecret

	sem chan struct{} // capacity 1: held by the caller authenticating with the credentials

	mu         sync.Mutex // guards secret.token and the fields below
	attempts   uint64     // credential authentications started
	refusedAt  uint64     // the attempt whose credentials the server refused (0: none)
	refusedErr error
}

type anaSecret struct {
	credential string
	token      string // "" when none: the next call authenticates with the credentials
}

func newANA(cfg *config) *ana {
	a := &ana{
		userID:  cfg.userID,
		orgName: cfg.orgName,
		secret:  &anaSecret{credential: cfg.credential},
		sem:     make(chan struct{}, 1),
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

func (a *ana) current() (token string, attempts uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.secret.token, a.attempts
}

// drop forgets token if it is still the current one. A caller whose rejected token was
// already replaced by another caller's re-authentication leaves the new token alone.
func (a *ana) drop(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secret.token == token {
		a.secret.token = ""
	}
}

// renew adopts a token the server sent in answer to a request authenticated by token (a
// server that rotates tokens), unless another caller replaced the used one meanwhile.
func (a *ana) renew(used, fresh string) {
	if fresh == "" || fresh == used {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secret.token == used {
		a.secret.token = fresh
	}
}

func (a *ana) tokenState() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secret.token == "" {
		return "none"
	}
	return "[REDACTED]"
}

// exchange is one request/response: send performs it with the given header blocks and
// returns the response header values the client needs.
type exchange func(ctx context.Context, headers []any) (respMeta, error)

// call performs one operation with the client's AnA policy: no AnA header when AnA is off;
// otherwise the current token, or the credentials (one caller at a time) when there is none;
// and when the server rejects the token, one retry after a single shared re-authentication.
func (c *Client) call(ctx context.Context, op string, send exchange) (respMeta, error) {
	if c.ana == nil {
		return send(ctx, nil)
	}
	meta, usedToken, err := c.attempt(ctx, op, send)
	if re, ok := asRegistryError(err); ok && usedToken != "" && re.tokenRejected() {
		c.logger.DebugContext(ctx, "uds: AnA token rejected, authenticating again",
			"operation", op, "errorNumber", re.ErrorNumber, "udsTransactionID", re.TransactionID)
		c.ana.drop(usedToken)
		meta, _, err = c.attempt(ctx, op, send)
	}
	return meta, err
}

// attempt sends the request once, with the current token or, when there is none, with the
// credentials. It returns the token it used ("" when it sent the credentials).
func (c *Client) attempt(ctx context.Context, op string, send exchange) (respMeta, string, error) {
	a := c.ana
	token, seen := a.current()
	if token != "" {
		meta, err := send(ctx, a.tokenHeaders(token))
		a.renew(token, meta.authToken)
		return meta, token, err
	}

	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return respMeta{}, "", fmt.Errorf("uds: %s: waiting for the AnA authentication of another call: %w", op, context.Cause(ctx))
	}
	release := func() { <-a.sem }

	a.mu.Lock()
	token, refusedAt, refusedErr := a.secret.token, a.refusedAt, a.refusedErr
	if token == "" && refusedAt <= seen {
		a.attempts++
	}
	attempt := a.attempts
	a.mu.Unlock()

	switch {
	case token != "":
		// Another caller authenticated while this one waited: use its token.
		release()
		meta, err := send(ctx, a.tokenHeaders(token))
		a.renew(token, meta.authToken)
		return meta, token, err
	case refusedAt > seen:
		// The server refused these credentials while this caller waited; sending them again
		// would only count towards locking the account.
		release()
		return respMeta{}, "", fmt.Errorf("uds: %s: not sent, the server refused the credentials to a concurrent call: %w", op, refusedErr)
	}

	defer release()
	meta, err := send(ctx, a.credentialHeaders())
	a.mu.Lock()
	defer a.mu.Unlock()
	if meta.authToken != "" {
		a.secret.token = meta.authToken
	}
	if err != nil && errors.Is(err, ErrAuthentication) && meta.authToken == "" {
		a.refusedAt, a.refusedErr = attempt, err
	}
	return meta, "", err
}
