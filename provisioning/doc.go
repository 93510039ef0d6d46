// Package provisioning is a client for the provisioning-task and token operations of
// SafeNet/Thales BlackShield ID token management (BSIDCA, an ASMX web service at
// https://<host>/bsidca/BSIDCA.asmx, namespace http://www.cryptocard.com/blackshield/).
//
// The token operations (TokensByOwner, Tokens/AllTokens/Token, RevokeToken, RemoveUser) follow
// shapes taken from other clients' code, not from the vendor (wsdl/provisioning.wsdl says
// which); their non-success results are *ServiceError values whose Code keeps the raw result
// (Fail, LastAuth…).
//
// # Use
//
//	otp := func(ctx context.Context) (string, error) { return os.Getenv("PROVISIONING_OTP"), nil }
//	c, err := provisioning.New("https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx",
//		provisioning.Credentials{OperatorEmail: "operator@example.com", OTP: otp})
//	if err != nil { … }
//	defer c.Close(ctx)
//	if err := c.Login(ctx); err != nil { … } // optional: checks the credentials now
//	for task, err := range c.AllTasksForUser(ctx, "Example Org", "alice") {
//		if err != nil { … }
//		fmt.Println(task.TaskID, task.TokenOption)
//	}
//
// Every operation takes the organization (the account name, as the console shows it) and a
// context. Paged operations (Tasks, TasksForUser) also come as iterators (AllTasks,
// AllTasksForUser) that fetch pages as the loop goes on. Table results are decoded into Task
// and TaskUser row by row while the response streams in.
//
// # Sessions
//
// The management session is the ASP.NET session cookie that the Connect operation sets; the
// Client keeps it in a cookie jar of its own (an http.Client given with WithHTTPClient is not
// modified). Login, or else the first call, logs in, taking an OTP from Credentials.OTP. Any
// number of concurrent callers that need a session cause one Connect (one OTP), which runs
// detached from the cancellation of the caller that started it, so a caller that gives up
// never fails the others. When a call fails because the session is gone (a "not connected"
// Fault, an expired cookie), the Client logs in again once, with a fresh OTP, and retries the
// call once. A change answered false (RemoveUsersFromTask, UpdateStopDate) is checked with
// PingConnection first, in case the session had lapsed. WithSessionLifetime renews the
// session shortly before a known end instead. Close ends the Client's use of the session.
//
// A ConnectResult other than AUTH_SUCCESS is a *ConnectError, and it is remembered: every
// later call fails at once with a *RefusedError and spends no OTP (BSIDCA locks a token after
// a few failed OTPs), until ResetRefusal or WithRefusalCooldown.
//
// # Errors
//
// A failure answered by the service (a Fault, or a token operation's failure result) is a
// *ServiceError that keeps the operation, the result code, the message, the HTTP status and
// the Fault; bad arguments are refused before sending with an *InputError; categories are
// tested with errors.Is against the sentinels shared by the whole module:
//
//	err := c.RemoveUsersFromTask(ctx, org, 42, []string{"alice"}, false)
//	var fault *provisioning.ServiceError
//	switch {
//	case errors.Is(err, provisioning.ErrNotChanged):     // the server answered false
//	case errors.Is(err, provisioning.ErrAuthentication): // Connect refused: see *ConnectError
//	case errors.Is(err, provisioning.ErrSessionExpired): // still not connected after one reconnect
//	case errors.As(err, &fault):
//		log.Printf("%s failed: %s", fault.Operation, fault.Message)
//	}
//
// OTPs, challenges and the session cookie never appear in errors, in the Client's or the
// Credentials' %v/%+v/%#v forms, or in the debug log of WithLogger.
//
// # Tests
//
// Package provisioningtest is an in-process fake of the service: provisioningtest.Test hands
// a test function a client of a fresh fake, and fails the test if a request broke the wire
// contract.
package provisioning
