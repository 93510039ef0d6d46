package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/uds"
)

// Exit codes.
const (
	exitOK     = 0 // every system done, already done, skipped or planned
	exitFailed = 1 // some system failed for some user
	exitUsage  = 2 // bad flags, unreadable users file, missing secret
)

// run is the whole program: main only hands it the process's arguments, environment and
// output. It returns the exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	started := time.Now()
	terminal := isTerminal(stderr)
	stderr = &syncWriter{w: stderr}

	cfg, err := parseFlags(args, env, started, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return usageFailure(stderr, err)
	}

	users, err := loadUsers(cfg)
	if err != nil {
		return usageFailure(stderr, err)
	}
	againstFakes := !cfg.anyEndpoint()
	if againstFakes {
		f := startFakes(users, fakeOptions{provisioningOrg: cfg.provisioningOrg, projectorInUse: true})
		defer f.close() // after closeClients, deferred below: projector's Close still reaches the fake
		f.configure(cfg)
	}

	// The scrubber removes every configured secret from what this program prints or reports,
	// whatever a server echoes back in its messages.
	scrub := newScrubber(cfg.secrets())
	var logger *slog.Logger
	if cfg.debug {
		logger = slog.New(slog.NewTextHandler(scrubWriter{w: stderr, s: scrub}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	o, closeClients, err := newOffboarder(cfg, logger)
	if err != nil {
		return usageFailure(stderr, err)
	}
	defer closeClients()

	var reportFile *os.File
	if cfg.reportFile != "" {
		if reportFile, err = os.Create(cfg.reportFile); err != nil {
			return usageFailure(stderr, &usageError{msg: "-report: " + err.Error()})
		}
	}

	announce(stdout, cfg, users, againstFakes)
	prog := newProgress(stderr, terminal, len(users))
	reports := o.offboardAll(ctx, users, cfg.concurrency, func(r userReport) { prog.add(r.Failed) })
	prog.finish()
	closeClients()

	rep := newReport(started, cfg.dryRun, againstFakes, reports)
	rep.scrub(scrub)
	if err := rep.writeTables(stdout); err != nil {
		fmt.Fprintln(stderr, "offboard:", err)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, rep.summary())
	code := exitOK
	if rep.FailedUsers > 0 {
		code = exitFailed
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "offboard: interrupted")
		code = exitFailed
	}
	if reportFile != nil {
		if err := rep.writeJSON(reportFile); err != nil {
			fmt.Fprintln(stderr, "offboard: writing the report:", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, "Report written to", cfg.reportFile)
	}
	return code
}

// announce says what is about to happen, and where: clearly, when against the fakes.
func announce(stdout io.Writer, cfg *config, users []user, againstFakes bool) {
	if againstFakes {
		fmt.Fprintln(stdout, "No endpoint configured: running against the BUILT-IN FAKE servers (in-process, on 127.0.0.1), not real systems.")
		if len(users) == 1 && users[0] == demoUser {
			fmt.Fprintf(stdout, "Demo user %s is in all four: uds %s/%s (ACTIVE), cas household %d, projector ref %s (still referenced), provisioning %s/%s (2 tasks).\n",
				demoUser.Label, demoUser.UDSOrg, demoUser.UDSUser, demoUser.CASHousehold, demoUser.ProjectorRef, cfg.provisioningOrg, demoUser.ProvisioningUser)
		}
		fmt.Fprintln(stdout, "Give -uds-endpoint, -cas-endpoint, -projector-endpoint or -provisioning-endpoint to use real systems (see -h).")
		fmt.Fprintln(stdout)
	}
	mode := ""
	if cfg.dryRun {
		mode = " (DRY RUN: reading only, nothing will be changed)"
	}
	fmt.Fprintf(stdout, "Offboarding %d user(s)%s:\n", len(users), mode)
	for _, s := range systemsSummary(cfg) {
		fmt.Fprintln(stdout, "  "+s)
	}
	fmt.Fprintln(stdout)
}

func usageFailure(stderr io.Writer, err error) int {
	var ue *usageError
	if !errors.As(err, &ue) || !ue.printed {
		fmt.Fprintln(stderr, "offboard:", err)
		fmt.Fprintln(stderr, "Run with -h for help.")
	}
	return exitUsage
}

// loadUsers returns the users to offboard: those of -users, the one given by flags, or the
// demo user (only against the fakes: with an endpoint, parseFlags wants one of the others).
func loadUsers(cfg *config) ([]user, error) {
	switch {
	case cfg.usersFile != "":
		f, err := os.Open(cfg.usersFile)
		if err != nil {
			return nil, &usageError{msg: "-users: " + err.Error()}
		}
		defer f.Close()
		users, err := readUsers(f)
		if err != nil {
			return nil, &usageError{msg: "-users " + cfg.usersFile + ": " + err.Error()}
		}
		return users, nil
	case cfg.one != (user{}):
		return []user{cfg.one}, nil
	default:
		return []user{demoUser}, nil
	}
}

// newOffboarder builds one client per configured system, shared by every user, and the
// offboarder over them. closeAll ends the sessions that need it (projector); it may be called
// more than once.
func newOffboarder(cfg *config, logger *slog.Logger) (o *offboarder, closeAll func(), err error) {
	o = &offboarder{dryRun: cfg.dryRun}
	closers := []func(){}
	var once sync.Once
	closeAll = func() {
		once.Do(func() {
			for _, c := range closers {
				c()
			}
		})
	}
	bad := func(system string, err error) (*offboarder, func(), error) {
		closeAll()
		return nil, nil, &usageError{msg: system + ": " + err.Error()}
	}

	if cfg.udsEndpoint == "" {
		o.steps = append(o.steps, skipped{"uds", "not configured (no -uds-endpoint)"})
	} else {
		opts := []uds.Option{uds.WithTimeout(cfg.timeout)}
		if cfg.udsAdmin != "" {
			opts = append(opts, uds.WithCredentials(cfg.udsAdmin, cfg.udsAdminOrg, cfg.udsCredential))
		}
		if logger != nil {
			opts = append(opts, uds.WithLogger(logger))
		}
		c, err := uds.New(cfg.udsEndpoint, opts...)
		if err != nil {
			return bad("uds", err)
		}
		status := uds.StatusInactive
		if cfg.udsDelete {
			status = uds.StatusDeleted
		}
		o.steps = append(o.steps, &udsStep{c: c, status: status, lockFrom: cfg.udsLockFrom, lockUntil: cfg.udsLockUntil})
	}

	if cfg.casEndpoint == "" {
		o.steps = append(o.steps, skipped{"cas", "not configured (no -cas-endpoint)"})
	} else {
		opts := []cas.Option{cas.WithTimeout(cfg.timeout)}
		if logger != nil {
			opts = append(opts, cas.WithLogger(logger))
		}
		c, err := cas.New(cfg.casEndpoint, cas.Credentials{WSUserName: cfg.casWSUser, WSPassword: cfg.casPassword}, opts...)
		if err != nil {
			return bad("cas", err)
		}
		o.steps = append(o.steps, &casStep{c: c})
	}

	if cfg.projectorEndpoint == "" {
		o.steps = append(o.steps, skipped{"projector", "not configured (no -projector-endpoint)"})
	} else {
		opts := []projector.Option{projector.WithTimeout(cfg.timeout)}
		if logger != nil {
			opts = append(opts, projector.WithLogger(logger))
		}
		creds := projector.Credentials{AccountCode: cfg.projectorAccount, UserName: cfg.projectorLogin, Password: cfg.projectorPassword}
		c, err := projector.New(cfg.projectorEndpoint, creds, opts...)
		if err != nil {
			return bad("projector", err)
		}
		closers = append(closers, func() {
			// The run's context may be cancelled (Ctrl-C): still end the session, briefly.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = c.Close(ctx) // a session left open expires on the server
		})
		o.steps = append(o.steps, &projectorStep{c: c, endDate: cfg.projectorEndDate})
	}

	if cfg.provisioningEndpoint == "" {
		o.steps = append(o.steps, skipped{"provisioning", "not configured (no -provisioning-endpoint)"})
	} else {
		opts := []provisioning.Option{provisioning.WithTimeout(cfg.timeout)}
		if logger != nil {
			opts = append(opts, provisioning.WithLogger(logger))
		}
		otp := cfg.provisioningOTP
		source := func(context.Context) (string, error) { return otp, nil }
		c, err := provisioning.New(cfg.provisioningEndpoint, cfg.provisioningOperator, source, opts...)
		if err != nil {
			return bad("provisioning", err)
		}
		o.steps = append(o.steps, &provisioningStep{c: c, org: cfg.provisioningOrg, notify: cfg.provisioningNotify})
	}
	return o, closeAll, nil
}

// systemsSummary describes where each system's requests go (user info of URLs redacted).
func systemsSummary(cfg *config) []string {
	line := func(system, endpoint, detail string) string {
		if endpoint == "" {
			return fmt.Sprintf("%-13s skipped: not configured", system)
		}
		return fmt.Sprintf("%-13s %s%s", system, redactURL(endpoint), detail)
	}
	udsDetail := " (AnA off)"
	if cfg.udsAdmin != "" {
		udsDetail = " (AnA as " + cfg.udsAdmin + ")"
	}
	end := "EndDateIfInUse not sent"
	if !cfg.projectorEndDate.IsZero() {
		end = "EndDateIfInUse " + cfg.projectorEndDate.Format(time.DateOnly)
	}
	status := "INACTIVE"
	if cfg.udsDelete {
		status = "DELETED"
	}
	return []string{
		line("uds", cfg.udsEndpoint, udsDetail+", status "+status),
		line("cas", cfg.casEndpoint, ""),
		line("projector", cfg.projectorEndpoint, " ("+end+")"),
		line("provisioning", cfg.provisioningEndpoint, " (organization "+cfg.provisioningOrg+")"),
	}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// scrubber replaces known secret values with [REDACTED].
type scrubber struct{ r *strings.Replacer }

func newScrubber(secrets []string) scrubber {
	var pairs []string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, "[REDACTED]")
		}
	}
	return scrubber{r: strings.NewReplacer(pairs...)}
}

func (s scrubber) String(v string) string { return s.r.Replace(v) }

// scrub removes the secrets from every text of the report.
func (r *report) scrub(s scrubber) {
	for i := range r.Users {
		u := &r.Users[i]
		u.User = s.String(u.User)
		for j := range u.Results {
			res := &u.Results[j]
			for _, p := range []*string{&res.Action, &res.Target, &res.Code, &res.Message, &res.TransactionID, &res.Detail} {
				*p = s.String(*p)
			}
			for k := range res.Tasks {
				res.Tasks[k].Code, res.Tasks[k].Message = s.String(res.Tasks[k].Code), s.String(res.Tasks[k].Message)
			}
		}
	}
}

// scrubWriter scrubs what is written through it (one log record per Write).
type scrubWriter struct {
	w io.Writer
	s scrubber
}

func (w scrubWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.s.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// syncWriter serialises writes from the workers, the progress line and the debug log.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
