// Package projectortest is an in-process fake of Projector PSA's PwsProjectorServices.svc
// (WCF, SOAP 1.1) for tests and examples, built on net/http/httptest: PwsAuthenticate,
// PwsUnauthenticate, PwsDeleteUser and PwsGetUserList (users with end dates, inactive as of
// today from their end date on; a required IncludeInactiveFlag that is missing is a Violation).
//
// It is as strict as WCF, because with WCF the bytes on the wire are the whole game:
//
//   - a Content-Type other than text/xml (UTF-8) gets HTTP 415; an unknown SOAPAction gets
//     WCF's ActionNotSupported Fault; a body element that is not the action's operation
//     wrapper, or a value that does not deserialize, gets a DeserializationFailed Fault;
//   - an element in the wrong namespace, out of DataContract order (base members first,
//     then alphabetical), repeated or unknown is ignored exactly as DataContractSerializer
//     ignores it (the call goes on without it, typically answering Ok with nothing done)
//     AND recorded as a Violation, so tests can assert that a client causes none.
//
// Requests are decoded into the generated wire types the client itself sends (Requests) and
// answered in Projector's response layout (a:, b:, i: prefixes, null members as i:nil).
//
// The server issues session tickets (ExpireTickets invalidates them: -101 InvalidSession,
// an unknown ticket is 10004 InvalidSessionTicket), counts authentications, can answer
// PwsAuthenticate with a RedirectUrl (RedirectTo, e.g. to a second Server), can rate-limit
// (RateLimit, as a warning or as a PwsFault with 10016), inject failures (FailNext), hold
// PwsDeleteUser requests to observe concurrency (HoldDeleteUser, MaxInFlight), and keeps users
// that may be referenced elsewhere (User.InUse: PwsDeleteUser then deactivates with
// EndDateIfInUse and fails without it; an unknown user is 50024 EntityNotFound).
//
// Shortest use:
//
//	projectortest.Test(t, projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}}},
//		func(ctx context.Context, c *projector.Client, s *projectortest.Server) {
//			res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
//			require.NoError(t, err)
//			require.Empty(t, s.Violations())
//		})
//
// Requests keep secrets (passwords, tickets) as received: it is a test tool, never log them.
package projectortest
