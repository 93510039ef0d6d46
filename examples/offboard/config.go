package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/provisioning"
)

// The environment variables secrets are read from. Secrets are never flags: flags end up in
// shell history and in process listings.
const (
	envUDSCredential   = "UDS_CREDENTIAL"     // uds AnA credential of -uds-admin
	envCASUser         = "CAS_WS_USERNAME"    // default of -cas-ws-user
	envCASPassword     = "CAS_WS_PASSWORD"    // cas web-service password
	envProjectorPasswd = "PROJECTOR_PASSWORD" // projector password of -projector-login
	envProvisioningOTP = "PROVISIONING_OTP"   // provisioning operator OTP or static password
)

// config is the parsed command line plus the secrets from the environment. It is never
// printed.
type config struct {
	usersFile, reportFile, jsonlFile string
	journalFile, resumeFile          string
	output                           string // one of views; "" chooses: table for one user, compact for a batch
	demo, dryRun, debug, version     bool
	concurrency                      int           // per system
	progressEvery                    time.Duration // progress lines off a terminal
	timeout                          time.Duration

	// observe (-observe) asks for a line per service call on stderr, by observer (made by run).
	observe  bool
	observer observe.Observer

	one user // the user given by flags (without -users)

	// configured lists the systems given on the command line (any of their flags), in
	// order; the others are skipped.
	configured map[string]bool

	udsEndpoint, udsAdmin, udsAdminOrg, udsCredential string
	udsDelete                                         bool
	udsLockFrom, udsLockUntil                         time.Time
	udsConcurrency                                    int

	casEndpoint, casWSUser, casPassword string
	casHouseholdLeaves                  bool // cancel the household's renewals and remove it
	casConcurrency                      int

	projectorEndpoint, projectorAccount, projectorLogin, projectorPassword string
	projectorEndDate                                                       time.Time // zero: EndDateIfInUse not sent
	projectorConcurrency                                                   int

	provisioningEndpoint, provisioningOperator, provisioningOTP, provisioningOrg string
	provisioningNotify                                                           bool
	provisioningRevokeMode                                                       provisioning.RevokeMode
	provisioningRemoveUser                                                       bool
	provisioningConcurrency                                                      int
}

// revokeModes are the values of -provisioning-revoke-mode.
var revokeModes = map[string]provisioning.RevokeMode{
	"inventory":               provisioning.RevokeToInventory,
	"inventory-uninitialized": provisioning.RevokeToInventoryNotInitialized,
	"faulty":                  provisioning.RevokeFaulty,
	"lost":                    provisioning.RevokeLost,
}

// optionFlags choose what is done in a system rather than where: with -demo they apply to
// the built-in fakes. Without -demo they are system flags like the others (real systems).
var optionFlags = map[string]bool{
	"uds-delete": true, "uds-lock-from": true, "uds-lock-until": true, "uds-concurrency": true,
	"cas-household-leaves": true, "cas-concurrency": true,
	"projector-end-date": true, "projector-concurrency": true,
	"provisioning-revoke-mode": true, "provisioning-remove-user": true, "provisioning-notify": true, "provisioning-concurrency": true,
}

// usageError is bad usage: exit code 2. printed: the flag package has already printed it,
// with the usage.
type usageError struct {
	msg     string
	printed bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// systemNames are the systems, in the order they are run and reported.
var systemNames = []string{"uds", "cas", "projector", "provisioning"}

// systemOf returns the system a flag belongs to ("" for a global flag).
func systemOf(flagName string) string {
	for _, s := range systemNames {
		if strings.HasPrefix(flagName, s+"-") {
			return s
		}
	}
	return ""
}

// endpoint returns the endpoint of a system.
func (c *config) endpoint(system string) string {
	return map[string]string{"uds": c.udsEndpoint, "cas": c.casEndpoint, "projector": c.projectorEndpoint,
		"provisioning": c.provisioningEndpoint}[system]
}

// Default limits of calls in progress per system.
const (
	defaultConcurrency          = 16
	defaultProjectorConcurrency = 4 // Projector's limit per user (projector.DefaultMaxInFlight)
	maxProjectorConcurrency     = 4
)

// limit returns the number of users in progress at once in a system.
func (c *config) limit(system string) int {
	switch system {
	case "uds":
		return cmp.Or(c.udsConcurrency, c.concurrency)
	case "cas":
		return cmp.Or(c.casConcurrency, c.concurrency)
	case "projector":
		return cmp.Or(c.projectorConcurrency, min(c.concurrency, defaultProjectorConcurrency))
	default:
		return cmp.Or(c.provisioningConcurrency, c.concurrency)
	}
}

// parseFlags parses args into a config, reading secrets with env. now is "today" for
// -projector-end-date. A -h or -help gives flag.ErrHelp; anything else wrong a *usageError.
//
// Any flag of a system (-uds-…, -cas-…, -projector-…, -provisioning-…), even given empty,
// means real systems: that system's endpoint must then be given and not empty. The built-in
// fakes run only with -demo, or with no flag at all but output ones (go run ./examples/offboard).
func parseFlags(args []string, env func(string) string, now time.Time, stderr io.Writer) (*config, error) {
	c := &config{configured: map[string]bool{}}
	fs := flag.NewFlagSet("offboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }

	fs.StringVar(&c.usersFile, "users", "", "CSV `file` of users to offboard (columns below); without it, one user from the per-system flags")
	fs.BoolVar(&c.demo, "demo", false, "run against built-in fake servers (in-process, seeded with the users), not real systems")
	fs.BoolVar(&c.dryRun, "dry-run", false, "read the current state and print the plan; change nothing")
	fs.StringVar(&c.journalFile, "journal", "", "record every step to this new `file` (JSON lines; default with real systems: offboard-<time>.journal.jsonl here)")
	fs.StringVar(&c.resumeFile, "resume", "", "continue the run recorded in this journal `file`: what it records as done is not sent again")
	fs.StringVar(&c.output, "output", "", "stdout `view`: table (a table per user), compact (a line per user), failures (only users with a failure), jsonl (a JSON object per user and system); default: table for one user, compact for -users")
	fs.StringVar(&c.jsonlFile, "jsonl", "", "also stream the results to `file`, as JSON lines (one per user and system), while the run goes")
	fs.StringVar(&c.reportFile, "report", "", "write a JSON report of what happened per user and system to `file`")
	fs.IntVar(&c.concurrency, "concurrency", defaultConcurrency, "users in progress at once in each system (projector: at most 4; see -<system>-concurrency)")
	fs.DurationVar(&c.progressEvery, "progress", 30*time.Second, "when stderr is not a terminal, print a progress line this often (0: never)")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "bound on each call to a service")
	fs.BoolVar(&c.debug, "debug", false, "log every SOAP exchange to stderr (secrets redacted)")
	fs.BoolVar(&c.observe, "observe", false, "log one line per call to a service to stderr: operation, outcome, code, attempts, HTTP status, duration, bytes, logins and renewals (secrets redacted)")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")

	fs.StringVar(&c.udsEndpoint, "uds-endpoint", "", "ArcotUserRegistrySvc `URL`, e.g. https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc")
	fs.StringVar(&c.udsAdmin, "uds-admin", "", "AnA userID (credential from $"+envUDSCredential+"); empty: AnA off")
	fs.StringVar(&c.udsAdminOrg, "uds-admin-org", "", "AnA orgName of -uds-admin (required with -uds-admin)")
	fs.StringVar(&c.one.UDSOrg, "uds-org", "", "the user's organisation (empty: the server's default)")
	fs.StringVar(&c.one.UDSUser, "uds-user", "", "the user's name")
	fs.BoolVar(&c.udsDelete, "uds-delete", false, "delete the user (deleteUser) instead of deactivating it (status INACTIVE); its accounts are deleted either way")
	lockFrom := fs.String("uds-lock-from", "", "start of the lock window (RFC 3339 or YYYY-MM-DD); INACTIVE only")
	lockUntil := fs.String("uds-lock-until", "", "end of the lock window, when AuthMinder activates the user again; INACTIVE only")
	fs.IntVar(&c.udsConcurrency, "uds-concurrency", 0, "users in progress at once in uds (default -concurrency)")

	fs.StringVar(&c.casEndpoint, "cas-endpoint", "", "ws_cas_module.asmx `URL`, e.g. https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx")
	fs.StringVar(&c.casWSUser, "cas-ws-user", "", "web-service user `name` (default $"+envCASUser+"; password from $"+envCASPassword+")")
	household := fs.Int("cas-household", 0, "the user's household (domain) `id`")
	fs.StringVar(&c.one.CASUser, "cas-user", "", "the user's id")
	fs.BoolVar(&c.casHouseholdLeaves, "cas-household-leaves", false, "the whole household leaves: after removing the user, cancel the renewal of each renewing subscription (CancelSubscriptionRenewal: valid until its end date, nothing refunded), then remove the household (HandleUserTask DeleteDomain: its recordings, series and quota); CancelServiceNow is never sent")
	fs.IntVar(&c.casConcurrency, "cas-concurrency", 0, "users in progress at once in cas (default -concurrency)")

	fs.StringVar(&c.projectorEndpoint, "projector-endpoint", "", "PwsProjectorServices.svc `URL`, e.g. https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc")
	fs.StringVar(&c.projectorAccount, "projector-account", "", "account code")
	fs.StringVar(&c.projectorLogin, "projector-login", "", "user name to authenticate with (password from $"+envProjectorPasswd+")")
	fs.StringVar(&c.one.ProjectorRef, "projector-ref", "", "the user's UserReferenceSystemId")
	endDate := fs.String("projector-end-date", "today", "EndDateIfInUse, YYYY-MM-DD: a user still referenced is made inactive as of this date; none: not sent (such a user fails)")
	fs.IntVar(&c.projectorConcurrency, "projector-concurrency", 0, "users in progress at once in projector, 1 to 4 (default: -concurrency, at most 4: Projector's limit of calls per user)")

	fs.StringVar(&c.provisioningEndpoint, "provisioning-endpoint", "", "BSIDCA.asmx `URL`, e.g. https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx")
	fs.StringVar(&c.provisioningOperator, "provisioning-operator", "", "operator e-mail (OTP or static password from $"+envProvisioningOTP+")")
	fs.StringVar(&c.provisioningOrg, "provisioning-org", "", "organization (account) name")
	fs.StringVar(&c.one.ProvisioningUser, "provisioning-user", "", "the user's name")
	fs.BoolVar(&c.provisioningNotify, "provisioning-notify", false, "e-mail the user about each removal")
	revokeMode := fs.String("provisioning-revoke-mode", "inventory", "what becomes of each token the user owns when it is revoked: inventory (back to inventory, initialized), inventory-uninitialized, faulty or lost")
	fs.BoolVar(&c.provisioningRemoveUser, "provisioning-remove-user", false, "also remove the user from the organization (RemoveUser), after its tokens are revoked and it is out of every task")
	fs.IntVar(&c.provisioningConcurrency, "provisioning-concurrency", 0, "users in progress at once in provisioning (default -concurrency)")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error(), printed: true}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (every setting is a flag; see -h)", fs.Arg(0))
	}
	if c.version {
		return c, nil
	}
	c.one.CASHousehold = *household
	onlyOptions := true // every system flag given chooses what is done, none where
	fs.Visit(func(f *flag.Flag) {
		if s := systemOf(f.Name); s != "" {
			c.configured[s] = true
			onlyOptions = onlyOptions && optionFlags[f.Name]
		}
	})
	var ok bool
	if c.provisioningRevokeMode, ok = revokeModes[*revokeMode]; !ok {
		return nil, usagef("-provisioning-revoke-mode %q: want inventory, inventory-uninitialized, faulty or lost", *revokeMode)
	}

	var err error
	if c.concurrency < 1 {
		return nil, usagef("-concurrency must be at least 1")
	}
	for name, v := range map[string]int{"-uds-concurrency": c.udsConcurrency, "-cas-concurrency": c.casConcurrency,
		"-projector-concurrency": c.projectorConcurrency, "-provisioning-concurrency": c.provisioningConcurrency} {
		if v < 0 {
			return nil, usagef("%s must be at least 1", name)
		}
	}
	if c.projectorConcurrency > maxProjectorConcurrency {
		return nil, usagef("-projector-concurrency must be at most %d (Projector's limit of calls per user)", maxProjectorConcurrency)
	}
	if c.timeout < 0 {
		return nil, usagef("-timeout must not be negative")
	}
	if c.progressEvery < 0 {
		return nil, usagef("-progress must not be negative")
	}
	if c.output != "" && !slices.Contains(views, c.output) {
		return nil, usagef("-output %q: want %s", c.output, strings.Join(views, ", "))
	}
	if c.journalFile != "" && c.resumeFile != "" {
		return nil, usagef("-journal and -resume exclude each other: -resume continues (and appends to) the journal it reads")
	}
	if c.udsLockFrom, err = parseTime("-uds-lock-from", *lockFrom); err != nil {
		return nil, err
	}
	if c.udsLockUntil, err = parseTime("-uds-lock-until", *lockUntil); err != nil {
		return nil, err
	}
	if c.udsDelete && (*lockFrom != "" || *lockUntil != "") {
		return nil, usagef("a lock window (-uds-lock-from, -uds-lock-until) applies to INACTIVE, not to -uds-delete")
	}
	if !c.udsLockFrom.IsZero() && !c.udsLockUntil.IsZero() && !c.udsLockUntil.After(c.udsLockFrom) {
		return nil, usagef("-uds-lock-until must be after -uds-lock-from")
	}
	switch *endDate {
	case "none":
	case "today":
		c.projectorEndDate = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	default:
		if c.projectorEndDate, err = time.ParseInLocation(time.DateOnly, *endDate, now.Location()); err != nil {
			return nil, usagef("-projector-end-date %q: want YYYY-MM-DD, today or none", *endDate)
		}
	}

	oneGiven := c.one != (user{})
	if c.usersFile != "" && oneGiven {
		return nil, usagef("-users and the per-user flags (-uds-user, -cas-household, -projector-ref, …) exclude each other")
	}
	if oneGiven {
		if err := c.one.check(); err != nil {
			return nil, usagef("the user's flags: %s", strings.NewReplacer("cas_household", "-cas-household",
				"cas_user", "-cas-user", "uds_org", "-uds-org", "uds_user", "-uds-user").Replace(err.Error()))
		}
		c.one.Label = c.one.label()
	}

	real := len(c.configured) > 0
	if c.demo && real && onlyOptions { // -demo with options: they apply to the fakes
		c.configured, real = map[string]bool{}, false
	}
	switch {
	case c.demo && real:
		return nil, usagef("-demo runs against the built-in fakes: it excludes the systems' flags (-uds-…, -cas-…, -projector-…, -provisioning-…)")
	case c.demo && c.resumeFile != "":
		return nil, usagef("-demo excludes -resume: the built-in fakes start afresh on every run")
	case !real && !c.demo && (c.usersFile != "" || c.resumeFile != "" || c.journalFile != ""):
		return nil, usagef("no system configured: give the systems' flags (-uds-endpoint, -cas-endpoint, -projector-endpoint, -provisioning-endpoint …), or -demo to run against built-in fakes")
	case !real:
		c.demo = true // no configuration at all: the demo
		return c, nil
	}
	if err := c.checkSystems(env, oneGiven); err != nil {
		if onlyOptions {
			return nil, usagef("%s\n(the flags given choose what is done, not where: give the systems' endpoints, or -demo to try them against the built-in fakes)", err)
		}
		return nil, err
	}
	return c, nil
}

// checkSystems checks the settings of every configured system and reads its secret from
// the environment. Without -users, a configured system also needs the user's identifier.
func (c *config) checkSystems(env func(string) string, single bool) error {
	if !single && c.usersFile == "" && c.resumeFile == "" {
		return usagef("nothing to offboard: give -users FILE, or the user's identifiers (-uds-user, -cas-household and -cas-user, -projector-ref, -provisioning-user)")
	}
	if single {
		for _, s := range systemNames {
			if !c.configured[s] && userHas(c.one, s) {
				return usagef("the user has a %s identifier but %s is not configured (no -%s-endpoint)", s, s, s)
			}
		}
	}
	need := func(system, flagName, value, hint string) error {
		if value == "" {
			return usagef("%s is configured but %s is missing%s", system, flagName, hint)
		}
		return nil
	}
	var errs []error
	for _, s := range systemNames {
		if c.configured[s] && strings.TrimSpace(c.endpoint(s)) == "" {
			errs = append(errs, usagef("%s flags were given but -%s-endpoint is empty or missing (an unset variable?); leave out every -%s-… flag to skip %s", s, s, s, s))
		}
	}
	if c.configured["uds"] && c.udsEndpoint != "" {
		if c.udsAdmin != "" {
			c.udsCredential = env(envUDSCredential)
			errs = append(errs, need("uds", "$"+envUDSCredential, c.udsCredential, " (the AnA credential of -uds-admin)"))
			errs = append(errs, need("uds", "-uds-admin-org", c.udsAdminOrg, " (the AnA orgName of -uds-admin)"))
		}
		if single {
			errs = append(errs, need("uds", "-uds-user", c.one.UDSUser, ""))
		}
	}
	if c.configured["cas"] && c.casEndpoint != "" {
		c.casPassword = env(envCASPassword)
		if c.casWSUser == "" {
			c.casWSUser = env(envCASUser)
		}
		errs = append(errs, need("cas", "-cas-ws-user", c.casWSUser, " (or $"+envCASUser+")"),
			need("cas", "$"+envCASPassword, c.casPassword, ""))
		if single {
			errs = append(errs, need("cas", "-cas-household and -cas-user", c.one.CASUser, ""))
		}
	}
	if c.configured["projector"] && c.projectorEndpoint != "" {
		c.projectorPassword = env(envProjectorPasswd)
		errs = append(errs, need("projector", "-projector-account", c.projectorAccount, ""),
			need("projector", "-projector-login", c.projectorLogin, ""),
			need("projector", "$"+envProjectorPasswd, c.projectorPassword, ""))
		if single {
			errs = append(errs, need("projector", "-projector-ref", c.one.ProjectorRef, ""))
		}
	}
	if c.configured["provisioning"] && c.provisioningEndpoint != "" {
		c.provisioningOTP = env(envProvisioningOTP)
		errs = append(errs, need("provisioning", "-provisioning-operator", c.provisioningOperator, ""),
			need("provisioning", "-provisioning-org", c.provisioningOrg, ""),
			need("provisioning", "$"+envProvisioningOTP, c.provisioningOTP, ""))
		if single {
			errs = append(errs, need("provisioning", "-provisioning-user", c.one.ProvisioningUser, ""))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &usageError{msg: err.Error()}
	}
	return nil
}

// parseTime reads an RFC 3339 time or a date (local midnight).
func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("%s %q: want RFC 3339 (2025-07-01T09:00:00+02:00) or YYYY-MM-DD", name, s)
}

// secrets returns the secret values of the configuration, for scrubbing output.
func (c *config) secrets() []string {
	return []string{c.udsCredential, c.casPassword, c.projectorPassword, c.provisioningOTP}
}

func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `offboard ends a leaver's access in four systems, and proves it: per system it reads what the
user holds, revokes it, deletes the user, and reads again. CA AuthMinder UDS (status INACTIVE or
deleteUser, every account deleted), Kaltura OTT CAS (HandleUserTask Delete; with
-cas-household-leaves the household's renewals cancelled and the household removed), Projector
PSA (PwsDeleteUser, inactive as of today if still referenced) and SafeNet BSIDCA (every token
revoked, removal from every provisioning task, optionally RemoveUser). Each user and system ends
with "residual access: none", or exactly what is left (a failure: exit status 1).

  offboard                                      # the demo: built-in fake servers, a demo user
  offboard -demo -cas-household-leaves          # the demo, the whole household leaving
  offboard -dry-run -uds-endpoint URL -uds-user jdoe …
  offboard -users users.csv -report report.json -cas-endpoint URL …
  offboard -resume offboard-20250701T090000Z.journal.jsonl -users users.csv -cas-endpoint URL …

A system is used when its flags are given (its -<system>-endpoint is then required); the
others are skipped. Any system flag means real systems: the built-in fakes run only with
-demo, or with no flag at all. With -demo, the flags that choose what is done (-uds-delete,
-cas-household-leaves, -provisioning-remove-user, -provisioning-revoke-mode…) apply to the fakes.

Every step is journaled (-journal, by default offboard-<time>.journal.jsonl): after a crash
or Ctrl-C, run the same command with -resume JOURNAL; what is recorded as done is not sent
again. Ctrl-C (or SIGTERM) finishes the steps in flight and stops; a second one aborts.

Secrets come from the environment only:
  `+envUDSCredential+`      uds AnA credential (with -uds-admin)
  `+envCASPassword+`     cas web-service password (`+envCASUser+` is the default of -cas-ws-user)
  `+envProjectorPasswd+`  projector password
  `+envProvisioningOTP+`    provisioning operator OTP or static password

-users file: CSV with a header row naming the columns, then one user per line:
  `+strings.Join(csvColumns, ",")+`
An empty cell skips that system for the user. Lines starting with # are comments.

Exit status: 0 all done or already done and no access left, 1 some system failed, access is left
(residual access) or the run was stopped, 2 bad usage.
`)
	fmt.Fprintln(w, "\nGlobal flags:")
	printFlags(w, fs, "")
	for _, s := range systemNames {
		fmt.Fprintf(w, "\n%s flags:\n", s)
		printFlags(w, fs, s)
	}
}

// printFlags prints the flags of one system ("" for the global ones), as PrintDefaults
// does, with zero defaults left out.
func printFlags(w io.Writer, fs *flag.FlagSet, system string) {
	fs.VisitAll(func(f *flag.Flag) {
		if systemOf(f.Name) != system {
			return
		}
		name, text := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 {
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(text, "\n", "\n    \t")
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}

// userHas reports whether the user has an identifier for the system.
func userHas(u user, system string) bool {
	switch system {
	case "uds":
		return u.UDSUser != ""
	case "cas":
		return u.CASHousehold != 0
	case "projector":
		return u.ProjectorRef != ""
	default:
		return u.ProvisioningUser != ""
	}
}
