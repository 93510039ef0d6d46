// Command offboard ends a leaver's access in the four systems of this module, and proves it:
// per system it reads what the user holds, revokes it, deletes the user, and reads again.
//
//   - uds: retrieveUser (with accounts); the status INACTIVE (optionally with a lock window,
//     -uds-lock-from, -uds-lock-until) or, with -uds-delete, deleteUser; deleteUserAccount
//     for each account; retrieveUser again.
//   - cas: GetDomainEntitlements (the household's subscriptions); HandleUserTask Delete,
//     removing the user from the household; with -cas-household-leaves (the whole household
//     leaves) CancelSubscriptionRenewal for each renewing subscription (valid until its end
//     date, nothing refunded), then HandleUserTask DeleteDomain (its recordings, series and
//     quota); CancelServiceNow is never sent; GetDomainEntitlements again.
//   - projector: FindUser (PwsGetUserList); PwsDeleteUser with EndDateIfInUse (today by
//     default), so a user still referenced is made inactive instead of the request failing;
//     FindUser again.
//   - provisioning: GetTokensByOwner and the user's tasks; RevokeToken for each token
//     (-provisioning-revoke-mode, back to inventory by default); removal from each task;
//     with -provisioning-remove-user, RemoveUser; the tokens and tasks again.
//
// Each user and system ends with "residual access: none", or exactly what is left (an account,
// a token owned, a task, a subscription still renewing, a user still active…), in every
// view and in the report. A user with access left is a failure (exit status 1), even when
// every call succeeded.
//
// The demo: with no flag at all (or with -demo) it starts in-process fakes of the four
// services (the xxxtest packages), seeded with a demo user (2 uds accounts, 2 renewing
// subscriptions in its household, a Projector user still referenced, 2 tokens and 2 tasks),
// says so, and offboards that user. The flags that choose what is done (-uds-delete,
// -cas-household-leaves, -provisioning-remove-user, -provisioning-revoke-mode…) apply to the
// demo when -demo is given:
//
//	go run ./examples/offboard
//	go run ./examples/offboard -demo -cas-household-leaves
//
// Real systems: a system is used when any of its flags is given, and then its endpoint is
// required (an empty one, an unset variable in a cron job, is bad usage: exit 2, nothing
// sent); the others are skipped. Any system flag means real systems: the fakes never run by
// accident.
//
//	UDS_CREDENTIAL=… CAS_WS_USERNAME=… CAS_WS_PASSWORD=… PROJECTOR_PASSWORD=… PROVISIONING_OTP=… \
//	offboard -users leavers.csv \
//	    -uds-endpoint https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc \
//	    -uds-admin udsadmin -uds-admin-org MASTERADMIN \
//	    -cas-endpoint https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx \
//	    -projector-endpoint https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc \
//	    -projector-account revcorp -projector-login ops@revcorp.com \
//	    -provisioning-endpoint https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx \
//	    -provisioning-operator operator@example.com -provisioning-org "Example Org"
//
// One user instead of a batch: the per-user flags -uds-org/-uds-user, -cas-household/-cas-user,
// -projector-ref, -provisioning-user.
//
// Secrets come from environment variables only, never from flags (flags end up in shell
// history and process listings): UDS_CREDENTIAL (uds AnA credential, with -uds-admin),
// CAS_WS_PASSWORD (CAS_WS_USERNAME is the default of -cas-ws-user), PROJECTOR_PASSWORD and
// PROVISIONING_OTP (the operator's OTP or static password; an OTP is single-use, so a run
// long enough for the BSIDCA session to expire needs a static password). A configured
// system whose secret is missing is bad usage. No secret is ever printed, reported or
// journaled: the clients redact their logs and errors, and this program also scrubs the
// configured secrets from everything it writes. A system that refuses the credentials is
// tried once: its remaining users are skipped there ("credentials refused") without a request.
//
// Journal and resume: every destructive step is journaled (JSON lines; -journal FILE, by
// default offboard-<time>.journal.jsonl in the current directory): its intent, on disk before
// the call is sent, and its outcome. After a crash, a kill or Ctrl-C, run the same command
// with -resume JOURNAL: what the journal records as done is not sent again, and a step with
// an intent but no outcome is read back first (uds status and accounts, cas renewals,
// projector, provisioning tokens and tasks) and sent only if the read shows it not done; the
// two cas steps that have no read (the removal from the household, DeleteDomain) and
// RemoveUser are sent again, which is safe because the server changes nothing the second
// time; see journal.go. SIGINT or SIGTERM finishes the steps in flight, records them and stops: users
// not started are reported "not started"; a second signal aborts at once (the journal is
// still good).
//
// -observe logs one line per call to a service on stderr, from the clients' observation hook
// (LogObserver): service, operation, outcome, the service's code, attempts, HTTP status,
// duration, bytes, and the call's logins, renewals and refusals; secrets scrubbed. It is
// dependency-free, like the rest of the module this program is part of; examples/otel, a
// module of its own, adapts the same hook to OpenTelemetry traces and metrics. -debug logs the
// exchanges themselves.
//
// -dry-run reads each system and prints the plan: what will be revoked (accounts,
// subscriptions with renewal, token serials, tasks), and changes nothing (and journals
// nothing).
//
// Runs are idempotent: a second run reads each system again, reports "already" where nothing
// is left, and verifies again (cas's HandleUserTask, which has no read, is sent again and
// answers 0 OK: reported done).
//
// Batch: -users FILE reads a CSV file with a header row naming its columns, in any order,
// then one user per line:
//
//	label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user
//	Jane Doe,ACME,jdoe,123,456,jdoe,jdoe
//	Richard Roe,ACME,rroe,,,rroe,
//
// An empty cell skips that system for the user (cas_household and cas_user go together);
// label is optional. The provisioning organization is -provisioning-org for every user.
// Every problem of the file is reported at once, with its line; a user given twice is
// offboarded once (with a warning). Each system has its own limit of users in progress
// (-concurrency, default 16 per system; projector at most 4, Projector's limit per user;
// -<system>-concurrency), so users of different systems overlap; one client per system is
// shared by all users.
//
// Output: -output table (a table per user, the default for one user), compact (a line per
// user, the default for -users), failures (only users with a failure or not finished) or
// jsonl (a JSON object per user and system), printed as users finish; -jsonl FILE streams
// the JSON lines to a file as well, -report FILE.json writes the whole run (per user and
// system, the server's codes and messages and transaction ids, never a secret). Off a
// terminal, stderr gets a progress line every -progress (30s). -version prints the version.
//
// Exit status: 0 when everything was done or already done and no access is left, 1 when a
// system failed for some user, access is left (residual access), or the run was stopped, 2
// on bad usage (flags, an unreadable users file, a missing
// secret, an empty endpoint).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainWith(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, hooks{}))
}

// mainWith runs the program with the process's signals: the first SIGINT or SIGTERM stops
// the run after the steps in flight, a second one exits at once.
func mainWith(args []string, env func(string) string, stdout, stderr io.Writer, h hooks) int {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "\noffboard: %s: finishing the steps in flight, then stopping (again to abort at once)\n", s)
			stop()
		case <-finished:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "offboard: %s again: aborting; the journal has every step sent, continue with -resume\n", s)
			os.Exit(130)
		case <-finished:
		}
	}()
	return runWith(ctx, args, env, stdout, stderr, h)
}
