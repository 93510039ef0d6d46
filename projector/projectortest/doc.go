// Package projectortest is an in-process fake of Projector PSA's PwsProjectorServices.svc
// (WCF, SOAP 1.1) for tests and examples, built on net/http/httptest: PwsAuthenticate,
// PwsUnauthenticate, PwsDeleteUser and PwsGetUserList.
//
// # Writing a test
//
// Test starts a fake, hands f a client for it (which logs in on its first call) and a
// context that ends with the test, and fails the test if any request deviated from the wire
// contract (see Violations):
//
//	func TestOffboard(t *testing.T) {
//		projectortest.Test(t, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}},
//			func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
//				res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
//				require.NoError(t, err)
//				assert.Equal(t, projector.Deleted, res.Outcome)
//				u, _ := s.User("jdoe")
//				assert.Equal(t, projectortest.Removed, u.State)
//			})
//	}
//
// To build the client yourself, or to keep the server across subtests, use NewServer and
// NewClient (which passes the server's URL, Credentials and HTTPClient, and closes the client
// when the test ends), and assert the violations yourself:
//
//	s := projectortest.NewServer(projectortest.Options{TLS: true})
//	defer s.Close()
//	c := s.NewClient(t, projector.WithMaxInFlight(2))
//	…
//	assert.Empty(t, s.Violations())
//
// Server.URL is the service endpoint (path included), what projector.New takes; Credentials
// are the only credentials the fake accepts (Options.AccountCode, UserName and Password, or
// the Default… constants). With Options.TLS the fake serves https with a test certificate:
// HTTPClient trusts it (NewClient uses it).
//
// # Failures
//
// FailNext makes the next PwsDeleteUser or PwsGetUserList fail with Status Fail and one
// PwsMessage (Projector's documented text for the code unless Failure.Message says otherwise),
// or with a PwsFault when Failure.Fault is set:
//
//	s.FailNext(projectortest.Failure{Code: projector.CodeViewPermissionDenied})
//	_, err := c.DeleteUser(ctx, user, nil) // errors.Is(err, projector.ErrPermissionDenied)
//
// ExpireTickets makes the next call with an issued ticket fail with -101 InvalidSession (an
// unknown ticket is 10004 InvalidSessionTicket; Options.SessionFaults answers both as a
// PwsFault); RateLimit answers the next requests with 10016 RequestExceededRateLimit, as a
// warning or as a PwsFault; RedirectTo makes PwsAuthenticate answer with a RedirectUrl (for
// example another fake's BaseURL); HoldDeleteUser holds PwsDeleteUser requests to observe
// concurrency (InFlight, MaxInFlight).
//
// Users live in the fake: Options.Users and AddUser add them, User reads them back with
// their state. PwsDeleteUser deletes a user, or, for one referenced elsewhere (User.InUse),
// makes it inactive as of EndDateIfInUse and fails without it; an unknown user is 50024
// EntityNotFound. PwsGetUserList lists them (inactive as of today from their end date on).
//
// # What the fake checks
//
// The fake reads every request against its own statement of the wire contract, written from
// Projector's documentation and never from the client's generated types, so a mistake in the
// client's WSDL shows up instead of being agreed with. It is as strict as WCF, because with
// WCF the bytes on the wire are the whole game:
//
//   - a Content-Type other than text/xml (UTF-8) gets HTTP 415; an unknown SOAPAction gets
//     WCF's ActionNotSupported Fault; a body element that is not the action's operation
//     wrapper, or a value that does not deserialize as its type (xs:int, xs:long, xs:short,
//     xs:boolean, xs:dateTime, xs:base64Binary), gets a DeserializationFailed Fault;
//   - an element in the wrong namespace, out of DataContract order (base members first,
//     then alphabetical), repeated or unknown is ignored exactly as DataContractSerializer
//     ignores it (the call goes on without it, typically answering Ok with nothing done), and
//     so is the absence of a required member (PwsAuthenticate's AccountCode, Password and
//     UserName, PwsGetUserList's IncludeInactiveFlag).
//
// Each of these is a Violation, recorded with its Request and in Violations: a correct client
// causes none. Requests returns every request in order, with the values the fake read
// (RequestID, SessionTicket, and the operation's members in Authenticate, DeleteUser or
// GetUserList); Logins counts the PwsAuthenticate requests. Answers are written from the fake's
// own templates, in Projector's response layout (a:, b:, i: prefixes, null members as
// i:nil).
//
// Requests keep secrets (passwords, tickets) as received: it is a test tool, never log them.
package projectortest
