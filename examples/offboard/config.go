package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
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
	usersFile, reportFile string
	dryRun, debug         bool
	concurrency           int
	timeout               time.Duration

	one user // the user given by flags (without -users)

	udsEndpoint, udsAdmin, udsAdminOrg, udsCredential string
	udsDelete                                         bool
	udsLockFrom, udsLockUntil                         time.Time

	casEndpoint, casWSUser, casPassword string

	projectorEndpoint, projectorAccount, projectorLogin, projectorPassword string
	projectorEndDate                                                       time.Time // zero: EndDateIfInUse not sent

	provisioningEndpoint, provisioningOperator, provisioningOTP, provisioningOrg string
	provisioningNotify                                                           bool
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

// anyEndpoint reports whether a real system is configured; without one the program runs
// against the built-in fakes.
func (c *config) anyEndpoint() bool {
	return c.udsEndpoint != "" || c.casEndpoint != "" || c.projectorEndpoint != "" || c.provisioningEndpoint != ""
}

// parseFlags parses args into a config, reading secrets with env. now is "today" for
// -projector-end-date. A -h or -help gives flag.ErrHelp; anything else wrong a *usageError.
func parseFlags(args []string, env func(string) string, now time.Time, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("offboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs) }

	fs.StringVar(&c.usersFile, "users", "", "CSV `file` of users to offboard (columns above); without it, one user from the per-system flags")
	fs.StringVar(&c.reportFile, "report", "", "write a JSON report of what happened per user and system to `file`")
	fs.BoolVar(&c.dryRun, "dry-run", false, "read the current state and print the plan; change nothing")
	fs.IntVar(&c.concurrency, "concurrency", 4, "users offboarded at once (projector's client never runs more than 4 calls at once)")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "bound on each call to a service")
	fs.BoolVar(&c.debug, "debug", false, "log every SOAP exchange to stderr (secrets redacted)")

	fs.StringVar(&c.udsEndpoint, "uds-endpoint", "", "uds: ArcotUserRegistrySvc `URL`, e.g. https://uds.example.com:8443/arcotuds/services/ArcotUserRegistrySvc")
	fs.StringVar(&c.udsAdmin, "uds-admin", "", "uds: AnA userID (credential from $"+envUDSCredential+"); empty: AnA off")
	fs.StringVar(&c.udsAdminOrg, "uds-admin-org", "", "uds: AnA orgName of -uds-admin")
	fs.StringVar(&c.one.UDSOrg, "uds-org", "", "uds: the user's organisation (empty: the server's default)")
	fs.StringVar(&c.one.UDSUser, "uds-user", "", "uds: the user's name")
	fs.BoolVar(&c.udsDelete, "uds-delete", false, "uds: set the status DELETED instead of INACTIVE")
	lockFrom := fs.String("uds-lock-from", "", "uds: start of the lock window (RFC 3339 or YYYY-MM-DD); INACTIVE only")
	lockUntil := fs.String("uds-lock-until", "", "uds: end of the lock window, when AuthMinder activates the user again; INACTIVE only")

	fs.StringVar(&c.casEndpoint, "cas-endpoint", "", "cas: ws_cas_module.asmx `URL`, e.g. https://extws.<region>.ott.kaltura.com/ws_cas_module.asmx")
	fs.StringVar(&c.casWSUser, "cas-ws-user", env(envCASUser), "cas: web-service user name (default $"+envCASUser+"; password from $"+envCASPassword+")")
	household := fs.Int("cas-household", 0, "cas: the user's household (domain) id")
	fs.StringVar(&c.one.CASUser, "cas-user", "", "cas: the user's id")

	fs.StringVar(&c.projectorEndpoint, "projector-endpoint", "", "projector: PwsProjectorServices.svc `URL`, e.g. https://secure.projectorpsa.com/OpsProjectorWcfSvc/PwsProjectorServices.svc")
	fs.StringVar(&c.projectorAccount, "projector-account", "", "projector: account code")
	fs.StringVar(&c.projectorLogin, "projector-login", "", "projector: user name to authenticate with (password from $"+envProjectorPasswd+")")
	fs.StringVar(&c.one.ProjectorRef, "projector-ref", "", "projector: the user's UserReferenceSystemId")
	endDate := fs.String("projector-end-date", "today", "projector: EndDateIfInUse, YYYY-MM-DD: a user still referenced is made inactive as of this date; none: not sent (such a user fails)")

	fs.StringVar(&c.provisioningEndpoint, "provisioning-endpoint", "", "provisioning: BSIDCA.asmx `URL`, e.g. https://cloud.safenet-inc.com/bsidca/BSIDCA.asmx")
	fs.StringVar(&c.provisioningOperator, "provisioning-operator", "", "provisioning: operator e-mail (OTP or static password from $"+envProvisioningOTP+")")
	fs.StringVar(&c.provisioningOrg, "provisioning-org", "", "provisioning: organization (account) name")
	fs.StringVar(&c.one.ProvisioningUser, "provisioning-user", "", "provisioning: the user's name")
	fs.BoolVar(&c.provisioningNotify, "provisioning-notify", false, "provisioning: e-mail the user about each removal")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error(), printed: true}
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q (every setting is a flag; see -h)", fs.Arg(0))
	}
	c.one.CASHousehold = *household

	var err error
	if c.concurrency < 1 {
		return nil, usagef("-concurrency must be at least 1")
	}
	if c.timeout < 0 {
		return nil, usagef("-timeout must not be negative")
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
	if c.anyEndpoint() {
		if err := c.checkSystems(env, oneGiven); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkSystems checks the settings of every configured system and reads its secret from
// the environment. Without -users, a configured system also needs the user's identifier.
func (c *config) checkSystems(env func(string) string, single bool) error {
	if !single && c.usersFile == "" {
		return usagef("nothing to offboard: give -users FILE, or the user's identifiers (-uds-user, -cas-household and -cas-user, -projector-ref, -provisioning-user)")
	}
	need := func(system, flagName, value, hint string) error {
		if value == "" {
			return usagef("%s is configured but %s is missing%s", system, flagName, hint)
		}
		return nil
	}
	var errs []error
	if c.udsEndpoint != "" {
		if c.udsAdmin != "" {
			c.udsCredential = env(envUDSCredential)
			errs = append(errs, need("uds", "$"+envUDSCredential, c.udsCredential, " (the AnA credential of -uds-admin)"))
		}
		if single {
			errs = append(errs, need("uds", "-uds-user", c.one.UDSUser, ""))
		}
	}
	if c.casEndpoint != "" {
		c.casPassword = env(envCASPassword)
		errs = append(errs, need("cas", "-cas-ws-user", c.casWSUser, " (or $"+envCASUser+")"),
			need("cas", "$"+envCASPassword, c.casPassword, ""))
		if single {
			errs = append(errs, need("cas", "-cas-household and -cas-user", c.one.CASUser, ""))
		}
	}
	if c.projectorEndpoint != "" {
		c.projectorPassword = env(envProjectorPasswd)
		errs = append(errs, need("projector", "-projector-account", c.projectorAccount, ""),
			need("projector", "-projector-login", c.projectorLogin, ""),
			need("projector", "$"+envProjectorPasswd, c.projectorPassword, ""))
		if single {
			errs = append(errs, need("projector", "-projector-ref", c.one.ProjectorRef, ""))
		}
	}
	if c.provisioningEndpoint != "" {
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
	fmt.Fprint(w, `offboard removes a user from four systems: CA AuthMinder UDS (status INACTIVE or DELETED),
Kaltura OTT CAS (HandleUserTask Delete), Projector PSA (PwsDeleteUser) and SafeNet BSIDCA
(removal from every provisioning task).

  go run ./examples/offboard                     # built-in fake servers, a demo user
  go run ./examples/offboard -dry-run -uds-endpoint URL -uds-user jdoe …
  go run ./examples/offboard -users users.csv -report report.json -cas-endpoint URL …

A system is used when its -<system>-endpoint is given; the others are skipped. With no
endpoint at all the program runs against in-process fakes of all four.

Secrets come from the environment only:
  `+envUDSCredential+`      uds AnA credential (with -uds-admin)
  `+envCASPassword+`     cas web-service password (`+envCASUser+` is the default of -cas-ws-user)
  `+envProjectorPasswd+`  projector password
  `+envProvisioningOTP+`    provisioning operator OTP or static password

-users file: CSV with a header row naming the columns, then one user per line:
  `+strings.Join(csvColumns, ",")+`
An empty cell skips that system for the user. Lines starting with # are comments.

Exit status: 0 all done or already done, 1 some system failed, 2 bad usage.

Flags:
`)
	fs.PrintDefaults()
}
