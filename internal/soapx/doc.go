// Package soapx is the project's SOAP runtime: the one place that speaks HTTP for the
// generated stubs of the four services. It replaces gowsdl's soap.Client, which hardcodes
// SOAP 1.1, closes every connection, keeps headers as shared mutable state, drops response
// headers and turns a Fault sent with HTTP 500 into an opaque HTTP error.
//
// Shortest use:
//
//	c, err := soapx.NewClient("https://host/ws_cas_module.asmx", soapx.WithVersion(soapx.SOAP12))
//	ctx, resp := soapx.CaptureResponse(soapx.WithRequestHeaders(ctx, authHeader))
//	err = c.Call(ctx, "http://ca.tvinci.com/HandleUserTask", &req, &out)
//
// Per-call state (SOAP header blocks, the captured Response) travels in the context; the
// Client itself never changes after NewClient and is safe for concurrent use.
//
// Errors form one hierarchy, reachable with errors.As and errors.Is:
//
//	*Fault          a SOAP Fault, whatever the HTTP status (DecodeDetail for typed details)
//	*HTTPError      a non-SOAP answer with a non-2xx status (ErrUnavailable for 502/503/504,
//	                ErrRateLimited for 429, ErrProtocol otherwise)
//	*ProtocolError  a 2xx answer that is not usable SOAP, a version mismatch, a body over
//	                the cap (ErrBodyTooLarge); always ErrProtocol
//	*TransportError no HTTP answer at all: ErrUnavailable, unless the context ended, in
//	                which case errors.Is(err, context.DeadlineExceeded) (or Canceled) holds
//
// Service packages map Faults and their own status codes onto the shared categories
// (ErrNotFound, ErrSessionExpired…) defined here.
//
// Error strings and debug logs never carry secrets: excerpts, fault reasons, bodies and
// headers pass through the same redaction (see WithRedact).
package soapx
