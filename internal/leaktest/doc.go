// Package leaktest holds the module's cross-package secret-leak test: it runs end-to-end
// flows of cas, uds, projector and provisioning against their fakes with debug wire logging
// on, and checks that no password, credential, OTP, session ticket, auth token or session
// cookie that was used shows up in a log record, an error string, or the fmt output of any
// client, option, credentials, result or error value. It has no code of its own.
package leaktest
