// Command offboard removes a user from the four systems of this module, in one run:
//
//  1. reads the current state: the uds status (getUserStatus) and the user's provisioning
//     tasks (and opens the projector session, which checks its credentials);
//  2. uds: sets the status INACTIVE (DELETED with -uds-delete), optionally with a lock
//     window (-uds-lock-from, -uds-lock-until);
//  3. cas: HandleUserTask Delete, removing the user from their household;
//  4. projector: PwsDeleteUser with EndDateIfInUse (today by default), so a user still
//     referenced is made inactive instead of the request failing;
//  5. provisioning: removes the user from every provisioning task they are in.
//
// With no configuration it starts in-process fakes of the four services (the xxxtest
// packages), seeded with a demo user, says so, and offboards that user:
//
//	go run ./examples/offboard
//
// Against real systems, each system is configured by its flags and used only when its
// endpoint is given; the others are skipped and reported as skipped:
//
//	UDS_CREDENTIAL=… CAS_WS_USERNAME=… CAS_WS_PASSWORD=… PROJECTOR_PASSWORD=… PROVISIONING_OTP=… \
//	go run ./examples/offboard \
//	    -uds-endpoint https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc \
//	    -uds-admin udsadmin -uds-admin-org MASTERADMIN -uds-org ACME -uds-user jdoe \
//	    -cas-endpoint https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx -cas-household 123 -cas-user 456 \
//	    -projector-endpoint https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc \
//	    -projector-account revcorp -projector-login ops@revcorp.com -projector-ref jdoe \
//	    -provisioning-endpoint https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx \
//	    -provisioning-operator operator@example.com -provisioning-org "Example Org" -provisioning-user jdoe
//
// Secrets come from environment variables only, never from flags (flags end up in shell
// history and process listings): UDS_CREDENTIAL (uds AnA credential, with -uds-admin),
// CAS_WS_PASSWORD (CAS_WS_USERNAME is the default of -cas-ws-user), PROJECTOR_PASSWORD and
// PROVISIONING_OTP (the operator's OTP or static password; an OTP is single-use, so a run
// long enough for the BSIDCA session to expire needs a static password). A configured
// system whose secret is missing is bad usage. No secret is ever printed or reported:
// the clients redact their logs and errors, and this program also scrubs the configured
// secrets from everything it prints.
//
// -dry-run reads and prints the plan, and changes nothing.
//
// Runs are idempotent: a second run reports "already" where the service says the user is
// not found (or uds already has the status, or the user is in no provisioning task).
// A user still referenced in Projector is made inactive, not deleted, so a second run
// makes it inactive again (done).
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
// -concurrency users (default 4) are offboarded at once, over one client per system
// shared by all users (projector's client never runs more than 4 calls at once,
// Projector's limit per user). On a terminal, stderr shows a progress line.
//
// Output: a table per user (system, action, outcome, what the server said, transaction id,
// detail), where outcome is done, already, skipped, failed or planned (dry run).
// -report FILE.json writes the same per user and system, with the server's codes and
// messages and the transaction ids (uds udsTransactionID, projector ResponseId), never a
// secret. One failing system does not stop the others.
//
// Exit status: 0 when everything was done or already done, 1 when a system failed for
// some user, 2 on bad usage (flags, an unreadable users file, a missing secret).
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
