package soapx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/scrub"
)

// Error categories shared by every service package. Each service re-exports them
// (var ErrNotFound = soapx.ErrNotFound) so callers test one set of sentinels with
// errors.Is whatever system the error came from, while the typed errors underneath
// (Fault, HTTPError, a service's status error) stay reachable with errors.As.
var (
	ErrNotFound         = errors.New("offboard: not found")
	ErrPermissionDenied = errors.New("offboard: permission denied")
	ErrAuthentication   = errors.New("offboard: authentication failed")
	ErrSessionExpired   = errors.New("offboard: session expired")
	ErrRateLimited      = errors.New("offboard: rate limited")
	ErrInvalidInput     = errors.New("offboard: invalid input")
	ErrUnavailable      = errors.New("offboard: service unavailable")
	ErrProtocol         = errors.New("offboard: protocol error")

	// ErrBodyTooLarge wraps ErrProtocol: an oversized answer is never a usable one.
	ErrBodyTooLarge = fmt.Errorf("offboard: response body too large: %w", ErrProtocol)

	// ErrNoDetail is returned by Fault.DecodeDetail when the detail has no matching element.
	ErrNoDetail = errors.New("soap fault: no matching detail element")
)

// InputError lets façades refuse bad input before anything goes on the wire, so callers
// get ErrInvalidInput instead of whatever the server would have made of it.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "invalid input: " + e.Field + ": " + e.Reason }

// Is reports ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// HTTPError is an answer that was not SOAP and came with a non-2xx status: a proxy's
// HTML error page, an IIS 503, an empty 500. The status is the only trustworthy signal,
// so the category follows it.
type HTTPError struct {
	StatusCode  int
	Status      string
	ContentType string
	// Excerpt is the start of the body, redacted and cut at 512 bytes.
	Excerpt string
	// RetryAfter is the parsed Retry-After header (seconds or HTTP date), zero when absent,
	// never more than the client's WithMaxRetryAfter (one minute by default).
	RetryAfter time.Duration
	// Err is why the body was not usable (unexpected Content-Type, XML syntax…), if known.
	Err error

	secrets *scrub.Set
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	b.WriteString("soap: HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if txt := http.StatusText(e.StatusCode); txt != "" {
		b.WriteByte(' ')
		b.WriteString(txt)
	}
	if e.ContentType != "" {
		b.WriteString(" (")
		b.WriteString(e.ContentType)
		b.WriteByte(')')
	}
	if e.Err != nil {
		// The cause may quote the body (an XML syntax error, an encoding label).
		b.WriteString(": ")
		b.WriteString(defaultRedactor.all(e.Err.Error()))
	}
	if x := shortExcerpt(e.secrets.String(e.Excerpt)); x != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(x))
	}
	return e.secrets.String(b.String())
}

func (e *HTTPError) Unwrap() error { return e.Err }

// Is maps the status to a category: 502/503/504 are ErrUnavailable, 429 ErrRateLimited,
// anything else ErrProtocol; 401 and 403 are also ErrAuthentication and ErrPermissionDenied,
// because a front end (IIS, a gateway) refusing the caller says so before SOAP is reached.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnavailable:
		return e.StatusCode == http.StatusBadGateway || e.StatusCode == http.StatusServiceUnavailable ||
			e.StatusCode == http.StatusGatewayTimeout
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrAuthentication:
		return e.StatusCode == http.StatusUnauthorized
	case ErrPermissionDenied:
		return e.StatusCode == http.StatusForbidden
	case ErrProtocol:
		switch e.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
			return false
		}
		return true
	}
	return false
}

// ProtocolError is a 2xx answer (or one of any status that is unusable whatever the
// status: version mismatch, oversized body) that is not a usable SOAP message.
type ProtocolError struct {
	Reason      string
	HTTPStatus  int
	ContentType string
	// Excerpt is the start of the body, redacted and cut at 512 bytes.
	Excerpt string
	Err     error

	secrets *scrub.Set
}

func (e *ProtocolError) Error() string {
	var b strings.Builder
	b.WriteString("soap protocol error: ")
	b.WriteString(e.Reason)
	if e.HTTPStatus != 0 || e.ContentType != "" {
		b.WriteString(" (")
		if e.HTTPStatus != 0 {
			b.WriteString("HTTP ")
			b.WriteString(strconv.Itoa(e.HTTPStatus))
		}
		if e.ContentType != "" {
			if e.HTTPStatus != 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.ContentType)
		}
		b.WriteByte(')')
	}
	if e.Err != nil {
		// The cause may quote the body (an XML syntax error, an encoding label).
		b.WriteString(": ")
		b.WriteString(defaultRedactor.all(e.Err.Error()))
	}
	// An XML excerpt is the envelope's start, which says less than the cause; a foreign
	// body (a login page) is worth quoting.
	if x := shortExcerpt(e.secrets.String(e.Excerpt)); x != "" && !isXMLType(e.ContentType) {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(x))
	}
	return e.secrets.String(b.String())
}

func isXMLType(ct string) bool {
	switch mediaType(ct) {
	case "text/xml", "application/soap+xml", "application/xml":
		return true
	}
	return false
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// Is reports ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocol }

// TransportError is a failure below HTTP (dial, TLS, reset, timeout) or a context that
// ended while the exchange was running. Retrying is only sensible in the first case, so
// only that one is ErrUnavailable.
type TransportError struct {
	Op  string // "POST https://host/path" (URL without user info)
	Err error
	ctx error // the context's error when it ended during the exchange

	secrets *scrub.Set
}

func (e *TransportError) Error() string {
	msg := "soap transport: " + e.Op + ": " + e.Err.Error()
	if e.ctx != nil && !errors.Is(e.Err, e.ctx) {
		msg += " (" + e.ctx.Error() + ")"
	}
	return e.secrets.String(msg)
}

func (e *TransportError) Unwrap() []error {
	if e.ctx != nil {
		return []error{e.Err, e.ctx}
	}
	return []error{e.Err}
}

// Is reports ErrUnavailable unless the context was cancelled or expired, or the server's
// certificate was refused: waiting does not fix a certificate, so it must not look
// retryable.
func (e *TransportError) Is(target error) bool {
	if target != ErrUnavailable {
		return false
	}
	if e.ctx != nil || errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return false
	}
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return !errors.As(e.Err, &verify) && !errors.As(e.Err, &unknown) && !errors.As(e.Err, &hostname) &&
		!errors.As(e.Err, &invalid)
}

// shortExcerpt keeps error strings one line and short; the full excerpt stays in the field.
func shortExcerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 160
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

const maxRetryAfterSeconds = 1 << 32

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && secs >= 0 {
		if secs > int64(maxRetryAfterSeconds) {
			secs = maxRetryAfterSeconds // no overflow; the client's cap applies after
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
