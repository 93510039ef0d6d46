// Package uds is a client for CA AuthMinder's User Data Service (Arcot UDS), port
// ArcotUserRegistrySvc: it changes and reads the status of users (updateUserStatus,
// getUserStatus), reads a user with its accounts (retrieveUser), lists and deletes the user's
// accounts (listUserAccounts, deleteUserAccount) and deletes the user (deleteUser).
//
// The shortest use:
//
//	c, err := uds.New("https://uds.example.com:8443"+uds.ServicePath, uds.Credentials{
//		UserID: "udsadmin", OrgName: "MASTERADMIN", Credential: os.Getenv("UDS_CREDENTIAL"),
//	})
//	if err != nil { … }
//	res, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive, nil)
//	if err != nil { … }
//	log.Printf("deactivated, udsTransactionID %s", res.TransactionID)
//
// The service speaks SOAP 1.2 only, and so does the client.
//
// # Authentication (AnA)
//
// AnA is optional and enabled per service on the server. With the zero Credentials the
// client sends no AnA header. With Credentials, the first call carries userID, orgName and
// credential as SOAP header blocks (namespace http://ws.arcot.com/UDSTransaction/1.0); the
// server answers with an authToken header, which the client keeps and sends instead of the
// credentials on later calls. Concurrent callers share one authentication: while one caller's request
// carries the credentials, the others wait for the token it brings back.
//
// The vendor's token error numbers are not public, so the client does not depend on them:
// when a call that carried the token fails with a Fault that is not a recognised business
// answer (see ErrorClass and WithErrorClasses), the client drops the token, authenticates
// again once (for all concurrent callers) and retries the call once; if that fails too, its
// error is the answer. Tokens last one day by default (WithSessionLifetime): the client
// authenticates again shortly before that, while other calls keep the current token.
//
// Refused credentials are remembered: once a request with the credentials is answered with
// an authentication error (or a number the client does not know) and no token, every call
// fails at once with a *RefusedError (ErrAuthentication) and sends nothing, until
// ResetRefusal or WithRefusalCooldown. A wrong password never locks the account through
// retries, whatever the number of callers. The credential and the token never appear
// in logs, errors or fmt output of the client. Every result carries the udsTransactionID
// the server returned (quote it to CA support) and whether a new token came back.
//
// # Errors
//
// Bad input is refused before sending with a *InputError (ErrInvalidInput). A Fault
// from the service is a *ServiceError with the userRegistryError detail (Code: the error
// number; Message; Context), the SOAP Fault itself, the transaction id and the HTTP status;
// it answers errors.Is with the shared categories (ErrAuthentication, ErrSessionExpired,
// ErrPermissionDenied, ErrNotFound, ErrInvalidInput, ErrUnavailable). The error numbers it
// interprets are the Code constants; those the public material does not give are marked
// inferred there and are the one place to correct. Answers that are not SOAP 1.2 are
// ErrProtocol; HTTP and transport failures keep their runtime types.
//
//	var se *uds.ServiceError
//	switch {
//	case errors.As(err, &se) && errors.Is(err, uds.ErrNotFound):
//		log.Printf("no such user (%s: %s)", se.Code, se.Message)
//	case errors.Is(err, uds.ErrUnavailable):
//		// UDS not initialised (31002), needs a restart (31003), or a gateway said 503
//	}
//
// Package udstest is an in-process fake of the service for tests and examples.
package uds
