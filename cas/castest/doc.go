// Package castest is an in-process fake of Kaltura OTT's ws_cas_module.asmx for tests of
// code that uses package cas, in the manner of net/http/httptest. It checks every request
// against its own statement of the wire contract and reports each deviation.
//
// # Test
//
// Test starts a server, hands the test function a client for it and fails the test if any
// request deviated from the wire contract:
//
//	func TestOffboard(t *testing.T) {
//		castest.Test(t, castest.Options{Households: []castest.Household{
//			{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}},
//		}}, func(ctx context.Context, c *cas.Client, s *castest.Server) {
//			_, err := c.DeleteUser(ctx, 42, "bob")
//			require.NoError(t, err)
//			h, _ := s.Household(42)
//			assert.Equal(t, []string{"alice"}, h.Users)
//		})
//	}
//
// Client options go after the function: castest.Test(t, opts, f, cas.WithHTTPPost()).
//
// # NewServer and NewClient
//
// For more than one client, or a client made by the code under test, start the server
// yourself. Server.URL is the module's endpoint (what cas.New wants), Credentials the
// web-service credentials it accepts (Options.Credentials, or DefaultWSUserName and
// DefaultWSPassword), HTTPClient an *http.Client that reaches it:
//
//	s := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}}}})
//	defer s.Close()
//	c := s.NewClient(t, cas.WithSOAPVersion(cas.SOAP12)) // or cas.New(s.URL, s.Credentials(), cas.WithHTTPClient(s.HTTPClient()))
//	res, err := c.DeleteUser(ctx, 42, "bob")
//	…
//	assert.Empty(t, s.Violations())
//
// Options.TLS serves https with a self-signed certificate; HTTPClient, and so NewClient and
// Test, trust it.
//
// # FailNext
//
// FailNext makes the next request that passes the protocol and credential checks answer a
// Status with the given code, without touching any household:
//
//	s.FailNext(castest.Failure{Code: cas.CodeUserSuspended}) // Message: the code's name
//	_, err := c.DeleteUser(ctx, 42, "alice")                // errors.Is(err, cas.ErrPermissionDenied)
//
// Wrong credentials need no FailNext: a client made with other credentials than the server's
// gets what the real module answers them (HTTP 404 with a Status, cas.ErrAuthentication).
//
// # Requests, Logins and Violations
//
// Requests returns every request received, in order, with what the server read of it
// (Operation, Action, SOAPVersion or HTTPPost, Params by wire name: "domainId", "userId",
// "actionType"…) and what it answered (HTTPStatus, Code, Message, or the Refusal). Logins
// counts the requests that presented web-service credentials: cas has no login operation, so
// every request logs in. Params hold the password as sent: Requests is a test tool. Printing
// a Request or the Server never shows the password.
//
// Violations returns every deviation from the wire contract, in order, and each Request
// carries its own. The fake states the contract itself (each operation's members, in WSDL
// order, in http://ca.tvinci.com/, with their types; the SOAPAction; the content type) and
// reads requests against it token by token, never through the client's generated types, so
// a mistake in the client's WSDL is caught rather than agreed with. A deviation is anything
// the real server would silently read otherwise than the caller meant (an element in another
// namespace, out of order, unknown, repeated or missing, which XmlSerializer skips or reads
// as its default; an unknown form field) or refuse (a wrong SOAPAction or content type,
// malformed XML, an unreadable value, a missing form field, a wrong path or verb).
//
// # Wire
//
// The server speaks the three protocols an ASMX service does, at URL (SOAP 1.1 and 1.2) and
// URL+"/HandleUserTask" (the HTTP POST form, HandleUserTask only), and refuses what ASMX
// refuses, the way ASMX does: a wrong SOAPAction is a soap:Client Fault "Server did not
// recognize the value of HTTP Header SOAPAction: …" with HTTP 500; a SOAP 1.2 request is
// routed on its action parameter and then, like ASMX, on its Body element; XML that is not
// well-formed gets HTTP 400; the HTTP POST form wants application/x-www-form-urlencoded and
// all five fields. Answers are written from the fake's own templates of the wire, as ASMX
// writes them.
//
// # Behaviour
//
// Bad web-service credentials get HTTP 404 with each operation's normal answer (Status{1,
// "Error"} for HandleUserTask, Status{1, "Invalid request"} for the cancellations, Annonymus
// for GetUserCAStatus, no result for the permitted-subscription reads), in every wire form.
// Delete answers 1006 DomainNotExists for an unknown household and 1 Error when the household
// has no master user; like the real server it neither checks that the user is a member (0
// OK; Options.UserNotInHouseholdCode changes that) nor refuses a suspended household.
// DeleteDomain sets the household's recordings to 0 and answers 0 OK (for an unknown
// household too: the server code does not check it).
//
// Households hold Entitlements (purchases with renewal flags). The reads follow the server
// code the vendor runs: no household validation (an unknown household has nothing),
// GetUserPermittedSubscriptions answers no result for an id that is not a number or not a
// known user, GetUserCAStatus is computed from the user's purchases. CancelSubscriptionRenewal
// and CancelServiceNow answer 1006, 1009 (1 "Unexpected error occurred" for a suspended
// household when no userId is sent), 3000, 3001, 3002, 3005, 3068, 3069, 3074 and 3081 in the
// server's order, and change the entitlement on success. RemoveHousehold stands for the
// Domains module deleting a household; AddHousehold, Household and Entitlements change and
// read the fake's state.
package castest
