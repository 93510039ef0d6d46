package faultnet

import (
	"context"
	"net/http"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
)

// Service is what the rows every fault matrix shares need to know of the client under test.
type Service struct {
	// Wrap puts the service's own first exchange (a login) in front of each faulty
	// handler, so that the fault hits a call made within the session; nil for none.
	Wrap func(http.Handler) http.Handler
	// ContentType and OK are a valid answer of the call under test, which some rows cut.
	ContentType, OK string
	// EnvStart is an envelope up to its Body's content, EnvEnd the rest, in the service's
	// SOAP version: the frame of the streamed rows.
	EnvStart, EnvEnd string
	// BillionLaughs is BillionLaughs in the service's SOAP version ("" for the 1.1 one).
	BillionLaughs string
}

// SharedRows returns the rows that are the same for every client: a server that hangs,
// resets, cuts or trickles its answer, a proxy's HTML page, an empty answer, a body over the
// cap, entity expansion and deep nesting. The checks use the runtime's error types and
// sentinels, which every service package re-exports (as aliases and the same values). A
// client's matrix adds the rows its own contract calls for.
func SharedRows(s Service) []Case {
	wrap := s.Wrap
	if wrap == nil {
		wrap = func(h http.Handler) http.Handler { return h }
	}
	billion := s.BillionLaughs
	if billion == "" {
		billion = BillionLaughs
	}
	protocol := Want[*soapx.ProtocolError](soapx.ErrProtocol)
	deadline := Want[*soapx.TransportError](context.DeadlineExceeded).Not(soapx.ErrUnavailable).Within(3 * time.Second)
	ct := s.ContentType
	return []Case{
		{Name: "server timeout", Handler: wrap(Hang()), Timeout: 300 * time.Millisecond, Check: deadline},
		{Name: "connection reset before the answer", Handler: wrap(ResetBeforeAnswer()),
			Check: Want[*soapx.TransportError](soapx.ErrUnavailable).Not(soapx.ErrProtocol)},
		{Name: "connection reset mid-response", Handler: wrap(ResetMidBody(200, ct, s.OK)), Check: protocol},
		{Name: "truncated body", Handler: wrap(Truncated(200, ct, s.OK)), Check: protocol},
		{Name: "HTML 502 page", Handler: wrap(Reply(502, "text/html; charset=utf-8", "<html><body><h1>502 Bad Gateway</h1></body></html>")),
			Check: Want[*soapx.HTTPError](soapx.ErrUnavailable).Not(soapx.ErrProtocol)},
		{Name: "empty 200", Handler: wrap(Reply(200, ct, "")), Check: protocol},
		{Name: "body over the cap", Handler: wrap(Stream(200, ct, s.EnvStart, Padding(4<<10), s.EnvEnd, 1<<20)),
			Check: Want[*soapx.ProtocolError](soapx.ErrBodyTooLarge, soapx.ErrProtocol).Within(5 * time.Second)},
		{Name: "billion laughs", Handler: wrap(Reply(200, ct, billion)), MaxAlloc: 2 << 20, Check: protocol.Within(time.Second)},
		{Name: "deeply nested", Handler: wrap(Stream(200, ct, s.EnvStart, "<a>", "", 8<<20)), MaxAlloc: 4 << 20,
			Check: protocol.Within(2 * time.Second)},
		{Name: "accepts and never answers", Silent: true, Timeout: 300 * time.Millisecond, Check: deadline},
		{Name: "trickles the body", Handler: wrap(Trickle(ct, 50*time.Millisecond)), Timeout: 300 * time.Millisecond, Check: deadline},
	}
}
