// Package castest is an in-process fake of Kaltura OTT's ws_cas_module.asmx for tests of
// code that uses package cas, in the manner of net/http/httptest.
//
//	s := castest.NewServer(castest.WithHouseholds(castest.Household{
//		ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"},
//	}))
//	defer s.Close()
//	c, err := s.NewClient() // or cas.New(s.Endpoint(), s.Credentials())
//	res, err := c.DeleteUser(ctx, 42, "bob")
//
// or, in a test, castest.Test(t, func(ctx context.Context, c *cas.Client, s *castest.Server) { … }).
//
// # Wire
//
// The server speaks the three protocols an ASMX service does, at Endpoint() and
// Endpoint()+"/HandleUserTask", and refuses what ASMX refuses, the way ASMX does: a wrong
// SOAPAction is a soap:Client Fault "Server did not recognize the value of HTTP Header
// SOAPAction: …" with HTTP 500; a SOAP 1.2 request is routed on its action parameter and
// then, like ASMX, on its Body element; XML that is not well-formed gets HTTP 400; the
// HTTP POST form wants application/x-www-form-urlencoded and all five fields. Requests are
// decoded into the same generated types the client marshals, so an element in the wrong
// namespace is ignored, as XmlSerializer ignores it.
//
// # Behaviour
//
// Bad web-service credentials get HTTP 404 with a normal Status{1, "Error"}, in every
// wire form. Delete answers 1006 DomainNotExists for an unknown household, 1009
// DomainSuspended for a suspended one, 1 Error when the household has no master user, the
// WithUserNotInHouseholdCode code (default 1020) for a user who is not a member, and
// otherwise removes the user and answers 0 OK. DeleteDomain sets the household's
// recordings to 0 and answers 0 OK (for an unknown household too: the server code does
// not check it). FailNext injects any other code.
//
// Requests returns every request received, with the password as sent: it is a test tool.
// Printing a Request or the Server never shows the password.
package castest
