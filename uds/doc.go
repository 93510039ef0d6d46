// Package uds is a client for CA AuthMinder's User Data Service (Arcot UDS), port
// ArcotUserRegistrySvc: it changes and reads the status of users.
//
// The shortest use:
//
//	c, err := uds.New("https://uds.example.com:8443"+uds.ServicePath,
//		uds.WithCredentials("udsadmin", "MASTERADMIN", os.Getenv("UDS_CREDENTIAL")))
//	if err != nil { … }
//	res, err := c.UpdateUserStatus(ctx, []uds.UserID{{OrgName: "ACME", UserName: "jdoe"}}, uds.StatusInactive, nil)
//	if err != nil { … }
//	log.Printf("deactivated, udsTransactionID %s", res.TransactionID)
//
// The service speaks SOAP 1.2 only, and so does the client.
//
// # Authentication (AnA)
//
// AnA is optional and enabled per service on the server. Without WithCredentials the client
// sends no AnA header. With it, the first call carries userID, orgName and credential as
// SOAP header blocks (namespace http://ws.arcot.com/UDSTransaction/1.0); the server answers
// with an authToken header, which the client keeps and sends instead of the credentials on
// later calls. When the server rejects the token (it expires after one day by default), the
// client drops it, authenticates again with the credentials and retries the call once; many
// concurrent callers share one re-authentication. The credential and the token never appear
// in logs, errors or fmt output of the client. Every result carries the udsTransactionID
// the server returned (quote it to CA support) and whether a new token came back.
//
// # Errors
//
// Bad input is refused before sending with a *InputError (ErrInvalidInput). A Fault
// from the service is a *RegistryError with the userRegistryError detail (error number,
// message, context), the Fault code and reason, the transaction id and the HTTP status; it
// answers errors.Is with the shared categories (ErrAuthentication, ErrSessionExpired,
// ErrPermissionDenied, ErrNotFound, ErrInvalidInput, ErrUnavailable). The error numbers it
// interprets are the Code constants; those the public material does not give are marked
// GUESS there and are the one place to correct. Answers that are not SOAP 1.2 are
// ErrProtocol; HTTP and transport failures keep their runtime types.
//
//	var re *uds.RegistryError
//	switch {
//	case errors.As(err, &re) && errors.Is(err, uds.ErrNotFound):
//		log.Printf("no such user (%s: %s)", re.ErrorNumber, re.ErrorMessage)
//	case errors.Is(err, uds.ErrUnavailable):
//		// UDS not initialised (31002), needs a restart (31003), or a gateway said 503
//	}
//
// Package udstest is an in-process fake of the service for tests and examples.
package uds
