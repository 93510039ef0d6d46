package soapx

import (
	"errors"
	"time"
)

// RetryPolicy decides whether a failed attempt is sent again. attempt is the number of
// the attempt that just failed (1 for the first) and err its error. The same request bytes
// are re-sent after wait; the wait honours the context, and an attempt whose context was
// cancelled or expired is never retried, whatever the policy says.
//
// The runtime cannot know whether an operation is idempotent (a DeleteUser sent twice may
// answer "not found" the second time), so there is no retry unless a policy says so.
type RetryPolicy func(attempt int, err error) (wait time.Duration, retry bool)

// RetryTransient retries errors that say "try later" (ErrUnavailable: connection
// failures and 502/503/504; ErrRateLimited: 429) up to maxAttempts attempts in all,
// waiting backoff×attempt, or the server's Retry-After when it is longer.
func RetryTransient(maxAttempts int, backoff time.Duration) RetryPolicy {
	return func(attempt int, err error) (time.Duration, bool) {
		if attempt >= maxAttempts || !(errors.Is(err, ErrUnavailable) || errors.Is(err, ErrRateLimited)) {
			return 0, false
		}
		wait := backoff * time.Duration(attempt)
		var he *HTTPError
		if errors.As(err, &he) && he.RetryAfter > wait {
			wait = he.RetryAfter
		}
		return wait, true
	}
}
