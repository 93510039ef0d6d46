// Package cas is a client for the conditional-access module of Kaltura OTT (Tvinci),
// ws_cas_module.asmx, and the operations offboarding needs: HandleUserTask, which removes a
// user from a household (Delete) or deletes a household's recordings (DeleteDomain); the
// entitlement reads (DomainEntitlements and AllDomainEntitlements, DomainPermittedSubscriptions,
// UserPermittedSubscriptions, UserCAStatus) to see what a household or user may still watch
// and what will charge again; CancelSubscriptionRenewal, which stops a subscription's future
// charges; and CancelServiceNow, which ends a purchase now and may refund it (a financial
// decision: nothing calls it by default).
//
// Shortest use:
//
//	c, err := cas.New("https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx",
//		cas.Credentials{WSUserName: user, WSPassword: password})
//	if err != nil { … }
//	res, err := c.DeleteUser(ctx, householdID, userID)
//
// # Credentials
//
// There is no session. Every request carries the module's web-service credentials
// (sWSUserName, sWSPassword) in its body. Kaltura issues these per module: the CAS pair is
// not the pair of the users or domains modules. Wrong credentials are answered with HTTP 404
// and a normal Status{Code: 1, Message: "Error"}; this package reports that as a
// *ServiceError that is ErrAuthentication, and the client remembers it: a refused password is
// never sent again by the same client. Until the server has answered one request, the
// client's requests go out one at a time (the others wait for that answer); after a refusal
// every call fails at once with a *RefusedError (ErrAuthentication) and sends nothing, until
// ResetRefusal or WithRefusalCooldown; after an accepted answer, calls run concurrently with
// no coordination. The password never appears in logs
// (WithLogger), error strings or fmt output of any value of this package.
//
// # Wire forms
//
// SOAP 1.1 is the default; WithSOAPVersion(SOAP12) selects SOAP 1.2, and WithHTTPPost the
// ASMX HTTP POST form for HandleUserTask (<endpoint>/HandleUserTask, form fields, bare
// <Status> answer). Results and errors are the same for all three. The entitlement reads and
// the cancellations are sent over SOAP 1.1 or 1.2 only: a client made WithHTTPPost refuses
// them with an *InputError before sending.
//
// # Errors
//
// Input the server would refuse (a household id ≤ 0, an empty user id for Delete, an
// unknown Action) is refused before sending with an *InputError (ErrInvalidInput).
// A Status with a Code other than 0 is a *ServiceError that keeps Code, Message, Args and
// the HTTP status, and answers errors.Is with the shared categories:
//
//	res, err := c.DeleteUser(ctx, householdID, userID)
//	var se *cas.ServiceError
//	switch {
//	case errors.Is(err, cas.ErrNotFound):         // 1006, 1020, 2000, 1005: nothing to delete
//	case errors.Is(err, cas.ErrPermissionDenied): // 1009, 2001: household or user suspended
//	case errors.Is(err, cas.ErrAuthentication):   // HTTP 404 with a Status: bad WS credentials
//	case errors.As(err, &se):                      // any other code, kept as sent
//		log.Printf("cas said %d %s: %s", se.Code, se.Code, se.Message)
//	}
//
// 1036 MasterUserNotFound is ErrMasterUserNotFound and the generic 1 Error is
// ErrTaskFailed. A SOAP Fault the service answers is a *ServiceError too, with Fault set
// (Code 0, Message the fault's reason; errors.As reaches the *Fault). A 404 without a SOAP
// answer is an *EndpointError (the URL is wrong). Non-SOAP answers (*HTTPError) and
// unusable answers (*ProtocolError) come from the shared runtime and are reachable with
// errors.As.
//
// Nothing is retried: a Delete whose answer was lost may already have been done. A caller
// that retries should treat a not-found answer as done.
//
// # Testing
//
// Package castest is an in-process fake of the service, speaking all three wire forms and
// checking every request against its own statement of the wire contract, for tests of code
// that uses this package:
//
//	castest.Test(t, castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob"}, MasterUsers: []string{"alice"}}}},
//		func(ctx context.Context, c *cas.Client, s *castest.Server) {
//			_, err := c.DeleteUser(ctx, 42, "bob")
//			…
//		})
package cas
