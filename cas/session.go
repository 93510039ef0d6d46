package cas

import (
	"context"
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
	return guardedOp(ctx, c, opHandleUserTask, call)
}

// ResetRefusal forgets that the server refused the web-service credentials, so that the next
// call sends them again. Until then (or until WithRefusalCooldown has passed) every call fails
// at once with the remembered *ServiceError (ErrAuthentication) and sends nothing.
func (c *Client) ResetRefusal() { c.sessions.Reset() }

// Close releases the idle connections of the transport the client made for itself (one given
// with WithHTTPClient is the caller's). cas has no session to end. After Close every call
// returns ErrClosed; Close may be called again.
func (c *Client) Close(ctx context.Context) error {
	_, err := c.sessions.Close(ctx)
	c.soap.CloseIdleConnections()
	return err
}
