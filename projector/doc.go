// Package projector is a client for Projector PSA's PWS web services
// (https://<server>.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc, WCF,
// SOAP 1.1): PwsAuthenticate, PwsUnauthenticate, PwsDeleteUser and PwsGetUserList (GetUserList,
// FindUser).
//
// Shortest use:
//
//	c, err := projector.New("https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc",
//		projector.Credentials{AccountCode: "revcorp", UserName: "ops@revcorp.com", Password: os.Getenv("PROJECTOR_PASSWORD")})
//	if err != nil { … }
//	defer c.Close(ctx)
//	res, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"},
//		&projector.DeleteUserOptions{EndDateIfInUse: time.Now()})
//	// res.Outcome is Deleted, or Deactivated when the user is referenced elsewhere.
//
// # The wire
//
// WCF's DataContractSerializer silently ignores an element in the wrong namespace or out of
// order and still answers Ok with nothing done, so the requests are exactly Projector's
// documented samples (golden tests hold them): operation wrappers in
// http://projectorpsa.com/PwsProjectorServices/, request members in
// .../DataContracts/Requests/ (RequestId, SessionTicket, then alphabetical), PwsUserRef members
// in .../DataContracts/Shared/Common/. The package projectortest is a fake server that
// reports any element WCF would have ignored.
//
// RequestId: PwsAuthenticate is sent exactly as Projector's sample, without RequestId (there
// is nothing to correlate before a session exists). Every other request carries a per-client
// counter, 1, 2, 3…, which Projector echoes as ResponseId (DeleteUserResult.ResponseID,
// ServiceError.TransactionID); a retried request gets a new one.
//
// # Sessions
//
// The client authenticates lazily on the first call (or with Login) and reuses the
// SessionTicket. Any number of concurrent callers that need a session cause one
// PwsAuthenticate, which runs detached from the cancellation of the caller that started it,
// so a caller that gives up never fails the others. When a call fails with 10004
// InvalidSessionTicket or -101 InvalidSession (as Status Fail or inside a PwsFault) the client
// authenticates again, once for all concurrent callers, and retries the call once; a second
// rejection is ErrSessionExpired. WithSessionLifetime renews the ticket shortly before a
// known end instead.
//
// Refused credentials are remembered: after one failed PwsAuthenticate every call fails at
// once with a *RefusedError (ErrAuthentication) and sends nothing, until ResetRefusal or
// WithRefusalCooldown (Projector locks accounts after a few failed logins, without notice).
// Close sends PwsUnauthenticate.
//
// When PwsAuthenticate answers with a RedirectUrl (the account lives on another server) the
// same request is sent to RedirectUrl + the endpoint's path, and the session stays there.
// Only https hosts under projectorpsa.com and hosts allowed with WithAllowedRedirectHosts are
// followed, at most 3 hops, never back to a URL already tried; anything else is
// ErrRedirectRefused and the credentials are not sent. HTTP 3xx answers are never followed.
//
// # Limits
//
// Projector counts concurrent calls per user, so a client runs at most 4 exchanges at once
// (WithMaxInFlight). A request refused with 10016 RequestExceededRateLimit pauses every call
// of the client for at least 5 s (WithRateLimitWait) and is retried up to 3 times
// (WithRateLimitRetries); then the error is ErrRateLimited. In Projector's warning mode 10016
// comes as a warning with a successful answer: the request was carried out, it is not
// retried, and the warning is in the result's Messages.
//
// # Errors
//
// Status Fail and SOAP Faults (a PwsFault carries PwsMessages) are *ServiceError: Code and
// Message are the first error message's ErrorNumber and ErrorText, TransactionID the
// ResponseId, Fault the SOAP Fault when there was one, Messages every message. errors.Is maps
// them to the categories shared by all offboard packages: 50024 → ErrNotFound, 50045 →
// ErrPermissionDenied, 10004/-101 after the retry → ErrSessionExpired, a failed
// PwsAuthenticate → ErrAuthentication, 10016 → ErrRateLimited. Invalid arguments are
// ErrInvalidInput and nothing is sent.
//
//	var se *projector.ServiceError
//	switch {
//	case errors.Is(err, projector.ErrNotFound):
//		// already gone
//	case errors.As(err, &se):
//		log.Printf("%s: %d: %s (ResponseId %s)", se.Operation, se.Code, se.Message, se.TransactionID)
//		for _, m := range se.Messages {
//			log.Printf("  %s %d %s: %s", m.Type, m.ErrorNumber, m.ErrorCode, m.ErrorText)
//		}
//	}
//
// Warnings and information messages of a successful answer are never dropped: they are in
// DeleteUserResult.Messages.
//
// Passwords and session tickets never appear in error strings, in fmt output of a Client or
// Credentials, or in the debug log (WithLogger), which redacts them.
package projector
