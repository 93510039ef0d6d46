// Package provisioning is a client for the provisioning-task and token operations of
// SafeNet/Thales BlackShield ID token management (BSIDCA, an ASMX web service at
// https://<host>/bsidca/BSIDCA.asmx, namespace http://www.cryptocard.com/blackshield/).
//
// The token operations (TokensByOwner, Tokens/AllTokens/Token, RevokeToken, RemoveUser) follow
// shapes taken from other clients' code, not from the vendor (wsdl/provisioning.wsdl says
// which); their non-success results are *ResultError values that keep the raw result (Fail,
// LastAuth…).
//
// # Use
//
//	otp := func(ctx context.Context) (string, error) { return os.Getenv("PROVISIONING_OTP"), nil }
//	c, err := provisioning.New("https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx", "operator@example.com", otp)
//	if err != nil { … }
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
// The management session is the ASP.NET session cookie that Connect sets; the Client keeps it
// in a cookie jar of its own (an http.Client given with WithHTTPClient is not modified). The
// first call connects, taking an OTP from the OTPSource. Any number of concurrent callers
// that need a session cause one Connect (one OTP), which runs detached from the cancellation
// of the caller that started it, so a caller that gives up never fails the others. When a
// call fails because the session is gone (a "not connected" Fault, an expired cookie), the
// Client connects again once, with a fresh OTP, and retries the call once. A change
// answered false (RemoveUsersFromTask, UpdateStopDate) is checked with PingConnection first,
// in case the session had lapsed. WithSessionLifetime renews the session shortly before a
// known end instead.
//
// A ConnectResult other than AUTH_SUCCESS is a *ConnectError, and it is remembered: every
// later call fails at once with a *RefusedError and spends no OTP (BSIDCA locks a token after
// a few failed OTPs), until ResetRefusal or WithRefusalCooldown.
//
// # Errors
//
// A Fault from the service is an *Error that keeps the operation, code, message and HTTP
// status; bad arguments are refused before sending with an *InputError; categories are tested
// with errors.Is against the sentinels shared by the whole module:
//
//	err := c.RemoveUsersFromTask(ctx, org, 42, []string{"alice"}, false)
//	var fault *provisioning.Error
//	switch {
//	case errors.Is(err, provisioning.ErrNotChanged):     // the server answered false
//	case errors.Is(err, provisioning.ErrAuthentication): // Connect refused: see *ConnectError
//	case errors.Is(err, provisioning.ErrSessionExpired): // still not connected after one reconnect
//	case errors.As(err, &fault):
//		log.Printf("%s failed: %s", fault.Op, fault.Message)
//	}
//
// OTPs, challenges and the session cookie never appear in errors, in the Client's %v/%+v/%#v
// forms, or in the debug log of WithLogger.
package provisioning
