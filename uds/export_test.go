package uds

import "time"

// WithClock sets the clock of the client's session engine (proactive renewal), for tests.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.common.Session.Now = now }
}
