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
// Bad web-service credentials get HTTP 404 with each operation's normal answer (Status{1,
// "Error"} for HandleUserTask, Status{1, "Invalid request"} for the cancellations, Annonymus
// for GetUserCAStatus, no result for the permitted-subscription reads), in every wire form.
// Delete answers 1006 DomainNotExists for an unknown household and 1 Error when the household
// has no master user; like the real server it neither checks that the user is a
// member (0 OK; WithUserNotInHouseholdCode changes that) nor refuses a suspended household.
// DeleteDomain sets the household's recordings to 0 and answers 0 OK (for an unknown household
// too: the server code does not check it). FailNext injects any other code.
//
// Households hold Entitlements (purchases with renewal flags). The reads follow the server
// code the vendor runs: no household validation (an unknown household has nothing),
// GetUserPermittedSubscriptions answers no result for an id that is not a number or not a
// known user, GetUserCAStatus is computed from the user's purchases. CancelSubscriptionRenewal
// and CancelServiceNow answer 1006, 1009 (1 "Unexpected error occurred" for a suspended
// household when no userId is sent), 3000, 3001, 3002, 3005, 3068, 3069, 3074 and 3081 in the
// server's order, and change the entitlement on success. RemoveHousehold stands for the Domains
// module deleting a household. The HTTP POST form serves HandleUserTask only.
//
// # Wire contract
//
// Every SOAP request is also read against the fake's own statement of the contract
// (contract.go: each operation's members, in WSDL order, in http://ca.tvinci.com/), token by
// token and independently of the generated types; Violations lists each deviation (order,
// namespace, unknown, repeated or missing member) that the real server would silently read
// otherwise.
//
// Requests returns every request received, with the password as sent: it is a test tool.
// Printing a Request or the Server never shows the password.
package castest
