package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/examples/internal/cli"
	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/internal/scrub"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/uds"
)

// Exit codes.
const (
	exitOK     = 0 // every system done, already done, skipped or planned
	exitFailed = 1 // some system failed for some user, or the run was stopped
	exitUsage  = 2 // bad flags, unreadable users file, missing secret
)

// hooks are the test seams of a run; production runs have none.
type hooks struct {
	// step, when set, is called at every step boundary (a test stops the process there).
	step func(hookPoint, stepID)
	// transport, when set, wraps the HTTP transport of every client (the benchmark adds
	// latency there).
	transport func(http.RoundTripper) http.RoundTripper
}

// httpClient is the HTTP client of one system with h.transport, or nil (the SDK's own).
func (h hooks) httpClient() *http.Client {
	if h.transport == nil {
		return nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 128, 32
	return &http.Client{Transport: h.transport(tr),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// run is the whole program: main only hands it the process's arguments, environment and
// output. It returns the exit code. Once ctx ends (SIGINT, SIGTERM) no new step starts: the
// steps in flight finish and are recorded, and the users not started are reported so.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, env, stdout, stderr, hooks{})
}

func runWith(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer, h hooks) int {
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
	if cfg.version {
		fmt.Fprintln(stdout, "offboard", version())
		return exitOK
	}

	users, warnings, err := loadUsers(cfg)
	if err != nil {
		return usageFailure(stderr, err)
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "offboard: warning: -users "+cfg.usersFile+": "+w)
	}
	if cfg.demo {
		f := startFakes(users.all, fakeOptions{provisioningOrg: cfg.provisioningOrg, projectorInUse: true})
		defer f.close() // after closeClients, deferred below: projector's Close still reaches the fake
		f.configure(cfg)
	}
	view := cfg.output
	if view == "" {
		view = viewTable
		if users.count > 1 {
			view = viewCompact
		}
	}
	// What is said to people goes to stdout, unless stdout is the JSON-lines stream.
	human := stdout
	if view == viewJSONL {
		human = stderr
	}

	// The scrubber removes every configured secret from what this program prints, reports or
	// journals, whatever a server echoes back in its messages.
	scrub := newScrubber(cfg.secrets())
	var logger *slog.Logger
	if cfg.debug {
		logger = slog.New(slog.NewTextHandler(scrubWriter{w: stderr, s: scrub}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.observe {
		// One line per call, from the clients' observation hook: dependency-free, like this
		// program (examples/otel has the OpenTelemetry adapter, in a module of its own).
		cfg.observer = observe.Log(slog.New(slog.NewTextHandler(scrubWriter{w: stderr, s: scrub}, nil)), slog.LevelInfo)
	}
	e, closeClients, err := newEngine(cfg, logger, h)
	if err != nil {
		return usageFailure(stderr, err)
	}
	defer closeClients()
	e.scrub, e.hook = scrub, h.step

	if cfg.resumeFile != "" {
		if e.prior, err = readPrior(cfg); err != nil {
			closeClients()
			return usageFailure(stderr, err)
		}
	}
	rep := &report{Started: started, DryRun: cfg.dryRun, AgainstFakes: cfg.demo, Summary: map[outcome]int{}}
	out, err := newSink(cfg, view, stdout, rep)
	if err != nil {
		closeClients()
		return usageFailure(stderr, err)
	}
	journalPath := ""
	if !cfg.dryRun {
		if e.journal, err = openJournal(cfg, scrub, started); err != nil {
			closeClients()
			_ = out.finish(rep)
			return usageFailure(stderr, &usageError{msg: "journal: " + err.Error()})
		}
		if e.journal != nil {
			journalPath = e.journal.path
			if err := e.journal.append(record{Kind: kindRun, Run: runRecord(cfg)}, true); err != nil {
				closeClients()
				_ = out.finish(rep)
				return usageFailure(stderr, &usageError{msg: err.Error()})
			}
		}
	}

	rep.Journal = journalPath
	announce(human, cfg, users, journalPath)

	prog := newProgress(stderr, terminal, cfg.progressEvery, users.count)
	work := context.WithoutCancel(ctx) // a step in flight finishes after a stop
	var readErr error
	e.runAll(ctx, work, users.seq(&readErr), out.row, func(u userReport) {
		out.user(u)
		prog.add(u.Failed)
	})
	prog.finish()
	closeClients()

	code := exitOK
	if readErr != nil {
		fmt.Fprintln(stderr, "offboard: -users "+cfg.usersFile+":", readErr)
		code = exitFailed
	}
	rep.Finished, rep.Stopped = time.Now(), ctx.Err() != nil
	if e.journal != nil {
		if err := e.journal.close(); err != nil {
			fmt.Fprintln(stderr, "offboard:", err)
			code = exitFailed
		}
	}
	if err := out.finish(rep); err != nil {
		fmt.Fprintln(stderr, "offboard:", err)
		code = exitFailed
	}
	if view != viewTable && view != viewJSONL {
		fmt.Fprintln(human)
	}
	fmt.Fprintln(human, rep.summary())
	if rep.Stopped {
		fmt.Fprintln(stderr, "offboard: stopped: the steps in flight were finished and recorded")
	}
	if journalPath != "" && !rep.ok() {
		fmt.Fprintf(human, "To finish: the same command with -resume %s (what is done is not sent again).\n", journalPath)
	}
	if cfg.reportFile != "" && code == exitOK {
		fmt.Fprintln(human, "Report written to", cfg.reportFile)
	}
	if !rep.ok() {
		code = exitFailed
	}
	return code
}

// openJournal opens the run's journal: -resume's (appended to), -journal's (new), or by
// default with real systems a new one named after the start time in the current directory.
// The demo has none unless -journal is given.
func openJournal(cfg *config, scrub scrubber, started time.Time) (*journal, error) {
	switch {
	case cfg.resumeFile != "":
		return appendJournal(cfg.resumeFile, scrub)
	case cfg.journalFile != "":
		return createJournal(cfg.journalFile, scrub)
	case cfg.demo:
		return nil, nil
	}
	return createJournal("offboard-"+started.UTC().Format("20060102T150405Z")+".journal.jsonl", scrub)
}

// readPrior reads the journal to resume, and checks that it was written against the same
// systems: a step recorded as done in one system must not be skipped in another.
func readPrior(cfg *config) (*priorRuns, error) {
	f, err := os.Open(cfg.resumeFile)
	if err != nil {
		return nil, &usageError{msg: "-resume: " + err.Error()}
	}
	defer f.Close()
	p, err := readJournal(f)
	if err != nil {
		return nil, &usageError{msg: "-resume " + cfg.resumeFile + ": " + err.Error()}
	}
	if p.lastRun == nil {
		return nil, &usageError{msg: "-resume " + cfg.resumeFile + ": not a journal of this program (no run record)"}
	}
	now := runRecord(cfg)
	for _, s := range systemNames {
		was, is := p.lastRun.Endpoints[s], now.Endpoints[s]
		if was != "" && is != "" && was != is {
			return nil, usagef("-resume %s: the journal's %s endpoint is %s, not %s: resume against the same systems", cfg.resumeFile, s, was, is)
		}
	}
	// A step recorded as done under other settings (INACTIVE, not DELETED…) is not this run's.
	for _, k := range slices.Sorted(maps.Keys(now.Settings)) {
		if was, ok := p.lastRun.Settings[k]; ok && was != now.Settings[k] {
			return nil, usagef("-resume %s: the journal's run had %s %q, this one %q: resume with the same settings", cfg.resumeFile, k, was, now.Settings[k])
		}
	}
	return p, nil
}

// runRecord describes the run in the journal: where each system's requests go, and the
// settings that decide what a step does.
func runRecord(cfg *config) *runInfo {
	r := &runInfo{Version: version(), DryRun: cfg.dryRun, Endpoints: map[string]string{}, PID: os.Getpid(), Settings: map[string]string{}}
	for _, s := range systemNames {
		if e := cfg.endpoint(s); e != "" && (cfg.configured[s] || cfg.demo) {
			r.Endpoints[s] = redactURL(e)
		}
	}
	r.Settings["uds_status"] = string(udsStatus(cfg))
	r.Settings["cas_household_leaves"] = strconv.FormatBool(cfg.casHouseholdLeaves)
	r.Settings["provisioning_org"] = cfg.provisioningOrg
	r.Settings["provisioning_revoke_mode"] = string(cfg.provisioningRevokeMode)
	r.Settings["provisioning_remove_user"] = strconv.FormatBool(cfg.provisioningRemoveUser)
	if !cfg.projectorEndDate.IsZero() {
		r.Settings["projector_end_date"] = cfg.projectorEndDate.Format(time.DateOnly)
	}
	return r
}

func udsStatus(cfg *config) uds.Status {
	if cfg.udsDelete {
		return uds.StatusDeleted
	}
	return uds.StatusInactive
}

// version is the module version and VCS revision the binary was built from.
func version() string { return cli.Version() }

// announce says what is about to happen, and where: clearly, when against the fakes.
func announce(w io.Writer, cfg *config, users *userSource, journalPath string) {
	if cfg.demo {
		fmt.Fprintln(w, "DEMO: running against the BUILT-IN FAKE servers (in-process, on 127.0.0.1), not real systems.")
		if len(users.all) == 1 && users.all[0] == demoUser {
			fmt.Fprintf(w, "Demo user %s is in all four: uds %s/%s (ACTIVE, 2 accounts), cas household %d (2 renewing subscriptions), projector ref %s (still referenced), provisioning %s/%s (2 tokens, 2 tasks).\n",
				demoUser.Label, demoUser.UDSOrg, demoUser.UDSUser, demoUser.CASHousehold, demoUser.ProjectorRef, cfg.provisioningOrg, demoUser.ProvisioningUser)
		}
		fmt.Fprintln(w, "Give the systems' flags (-uds-endpoint, -cas-endpoint, -projector-endpoint, -provisioning-endpoint …) to use real systems (see -h).")
		fmt.Fprintln(w)
	}
	mode := ""
	if cfg.dryRun {
		mode = " (DRY RUN: reading only, nothing will be changed)"
	}
	fmt.Fprintf(w, "Offboarding %d user(s)%s:\n", users.count, mode)
	for _, s := range systemsSummary(cfg) {
		fmt.Fprintln(w, "  "+s)
	}
	if journalPath != "" {
		fmt.Fprintf(w, "Journal: %s (after an interruption: the same command with -resume %s)\n", journalPath, journalPath)
	}
	fmt.Fprintln(w)
}

func usageFailure(stderr io.Writer, err error) int {
	var ue *usageError
	if !errors.As(err, &ue) || !ue.printed {
		fmt.Fprintln(stderr, "offboard:", err)
		fmt.Fprintln(stderr, "Run with -h for help.")
	}
	return exitUsage
}

// userSource is the users to offboard. A users file is checked whole first (every problem
// at once, before anything is sent) and read again as the run goes, so that memory does not
// grow with the number of users; the other sources are in memory.
type userSource struct {
	count int
	all   []user      // the users in memory: from flags, the demo's; nil for a users file
	path  string      // the users file
	stat  os.FileInfo // the users file as checked: it must not change before it is read again
}

// loadUsers returns the users to offboard: those of -users, the one given by flags, or the
// demo user (only in the demo: otherwise parseFlags wants one of the others).
func loadUsers(cfg *config) (*userSource, []string, error) {
	switch {
	case cfg.usersFile != "":
		f, err := os.Open(cfg.usersFile)
		if err != nil {
			return nil, nil, &usageError{msg: "-users: " + err.Error()}
		}
		defer f.Close()
		src := &userSource{path: cfg.usersFile}
		if src.stat, err = f.Stat(); err != nil {
			return nil, nil, &usageError{msg: "-users: " + err.Error()}
		}
		var warnings []string
		if cfg.demo { // the fakes are seeded with the users
			src.all, warnings, err = readUsers(f)
			src.count = len(src.all)
		} else {
			src.count, warnings, err = scanUsers(f, nil)
		}
		if err != nil {
			return nil, nil, &usageError{msg: "-users " + cfg.usersFile + ": " + err.Error()}
		}
		return src, warnings, nil
	case cfg.one != (user{}):
		return &userSource{count: 1, all: []user{cfg.one}}, nil, nil
	case cfg.demo:
		return &userSource{count: 1, all: []user{demoUser}}, nil, nil
	}
	return nil, nil, usagef("nothing to offboard: give -users FILE, or the user's identifiers")
}

// seq yields the users, reading the users file again; a problem doing so (the file changed
// since it was checked) ends the sequence and is left in *errp.
func (s *userSource) seq(errp *error) iter.Seq[user] {
	return func(yield func(user) bool) {
		if s.all != nil || s.path == "" {
			for _, u := range s.all {
				if !yield(u) {
					return
				}
			}
			return
		}
		f, err := os.Open(s.path)
		if err != nil {
			*errp = err
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err == nil && (fi.Size() != s.stat.Size() || !fi.ModTime().Equal(s.stat.ModTime())) {
			err = errors.New("the file changed after it was checked: nothing of it was offboarded")
		}
		if err != nil {
			*errp = err
			return
		}
		if _, _, err := scanUsers(f, yield); err != nil {
			*errp = err
		}
	}
}

// newEngine builds one client per configured system, shared by every user, and the engine
// over them. closeAll ends the sessions that need it (projector); it may be called more than
// once.
func newEngine(cfg *config, logger *slog.Logger, h hooks) (o *engine, closeAll func(), err error) {
	o = &engine{dryRun: cfg.dryRun}
	closers := []func(){}
	var once sync.Once
	closeAll = func() {
		once.Do(func() {
			for _, c := range closers {
				c()
			}
		})
	}
	bad := func(system string, err error) (*engine, func(), error) {
		closeAll()
		return nil, nil, &usageError{msg: system + ": " + err.Error()}
	}

	if cfg.udsEndpoint == "" {
		o.lanes = append(o.lanes, newLane(skipped{"uds", "not configured (no -uds-… flags)"}, 1))
	} else {
		opts := []uds.Option{uds.WithTimeout(cfg.timeout)}
		var creds uds.Credentials // zero: AnA off
		if cfg.udsAdmin != "" {
			creds = uds.Credentials{UserID: cfg.udsAdmin, OrgName: cfg.udsAdminOrg, Credential: cfg.udsCredential}
		}
		if hc := h.httpClient(); hc != nil {
			opts = append(opts, uds.WithHTTPClient(hc))
		}
		if logger != nil {
			opts = append(opts, uds.WithLogger(logger))
		}
		if cfg.observer != nil {
			opts = append(opts, uds.WithObserver(cfg.observer))
		}
		c, err := uds.New(cfg.udsEndpoint, creds, opts...)
		if err != nil {
			return bad("uds", err)
		}
		o.lanes = append(o.lanes, newLane(&udsStep{c: c, delete: cfg.udsDelete, lockFrom: cfg.udsLockFrom, lockUntil: cfg.udsLockUntil}, cfg.limit("uds")))
	}

	if cfg.casEndpoint == "" {
		o.lanes = append(o.lanes, newLane(skipped{"cas", "not configured (no -cas-… flags)"}, 1))
	} else {
		opts := []cas.Option{cas.WithTimeout(cfg.timeout)}
		if hc := h.httpClient(); hc != nil {
			opts = append(opts, cas.WithHTTPClient(hc))
		}
		if logger != nil {
			opts = append(opts, cas.WithLogger(logger))
		}
		if cfg.observer != nil {
			opts = append(opts, cas.WithObserver(cfg.observer))
		}
		c, err := cas.New(cfg.casEndpoint, cas.Credentials{WSUserName: cfg.casWSUser, WSPassword: cfg.casPassword}, opts...)
		if err != nil {
			return bad("cas", err)
		}
		o.lanes = append(o.lanes, newLane(&casStep{c: c, householdLeaves: cfg.casHouseholdLeaves}, cfg.limit("cas")))
	}

	if cfg.projectorEndpoint == "" {
		o.lanes = append(o.lanes, newLane(skipped{"projector", "not configured (no -projector-… flags)"}, 1))
	} else {
		opts := []projector.Option{projector.WithTimeout(cfg.timeout)}
		if hc := h.httpClient(); hc != nil {
			opts = append(opts, projector.WithHTTPClient(hc))
		}
		if logger != nil {
			opts = append(opts, projector.WithLogger(logger))
		}
		if cfg.observer != nil {
			opts = append(opts, projector.WithObserver(cfg.observer))
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
		o.lanes = append(o.lanes, newLane(&projectorStep{c: c, endDate: cfg.projectorEndDate}, cfg.limit("projector")))
	}

	if cfg.provisioningEndpoint == "" {
		o.lanes = append(o.lanes, newLane(skipped{"provisioning", "not configured (no -provisioning-… flags)"}, 1))
	} else {
		opts := []provisioning.Option{provisioning.WithTimeout(cfg.timeout)}
		if hc := h.httpClient(); hc != nil {
			opts = append(opts, provisioning.WithHTTPClient(hc))
		}
		if logger != nil {
			opts = append(opts, provisioning.WithLogger(logger))
		}
		if cfg.observer != nil {
			opts = append(opts, provisioning.WithObserver(cfg.observer))
		}
		otp := cfg.provisioningOTP
		source := func(context.Context) (string, error) { return otp, nil }
		c, err := provisioning.New(cfg.provisioningEndpoint,
			provisioning.Credentials{OperatorEmail: cfg.provisioningOperator, OTP: source}, opts...)
		if err != nil {
			return bad("provisioning", err)
		}
		o.lanes = append(o.lanes, newLane(&provisioningStep{c: c, org: cfg.provisioningOrg, notify: cfg.provisioningNotify,
			mode: cfg.provisioningRevokeMode, removeUser: cfg.provisioningRemoveUser}, cfg.limit("provisioning")))
	}
	// Users in progress at once: enough for every lane to stay busy while the others lag
	// (a user holds its place until its slowest system is done), few enough that memory
	// does not depend on the number of users.
	o.window = 0
	for _, l := range o.lanes {
		o.window += 4 * cap(l.sem)
	}
	return o, closeAll, nil
}

// skipped is the system that is not configured: every user is skipped there.
type skipped struct{ system, why string }

func (s skipped) name() string { return s.system }

func (s skipped) authError(error) bool { return false }

func (s skipped) offboard(context.Context, user, *stepper) (result, error) {
	return result{System: s.system, Action: "-", Outcome: outcomeSkipped, Detail: s.why}, nil
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
	udsDetail += ": status INACTIVE, accounts deleted"
	if cfg.udsDelete {
		udsDetail = strings.Replace(udsDetail, "status INACTIVE", "deleteUser", 1)
	}
	casDetail := " (the user leaves the household; the household stays: -cas-household-leaves)"
	if cfg.casHouseholdLeaves {
		casDetail = " (the whole household leaves: renewals cancelled, household removed; CancelServiceNow never)"
	}
	provDetail := " (organization " + cfg.provisioningOrg + ": tokens revoked, " + string(cfg.provisioningRevokeMode) + "; out of every task"
	if cfg.provisioningRemoveUser {
		provDetail += "; RemoveUser"
	}
	return []string{
		line("uds", cfg.udsEndpoint, udsDetail),
		line("cas", cfg.casEndpoint, casDetail),
		line("projector", cfg.projectorEndpoint, " ("+end+")"),
		line("provisioning", cfg.provisioningEndpoint, provDetail+")"),
		"Then each system is read again: residual access none, or what is left.",
	}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// scrubber replaces known secret values with [REDACTED] in every form a server may echo them
// (raw, XML-escaped, URL-encoded, quoted, cut at the end of a text): the clients' own
// mechanism, internal/scrub, whose short-secret rule applies (see the README).
type scrubber struct{ s *scrub.Set }

func newScrubber(secrets []string) scrubber { return scrubber{s: scrub.New(secrets...)} }

func (s scrubber) String(v string) string { return s.s.String(v) }

// result returns r with the secrets removed from every text.
func (s scrubber) result(r result) result {
	for _, p := range []*string{&r.Action, &r.Target, &r.Code, &r.Message, &r.TransactionID, &r.Detail} {
		*p = s.String(*p)
	}
	r.Verification = s.String(r.Verification)
	if r.Residual != nil {
		left := &residual{Left: make([]string, len(r.Residual.Left))}
		for i, l := range r.Residual.Left {
			left.Left[i] = s.String(l)
		}
		r.Residual = left
	}
	if len(r.Items) > 0 {
		items := make([]itemResult, len(r.Items))
		for i, it := range r.Items {
			it.ID, it.Code, it.Message = s.String(it.ID), s.String(it.Code), s.String(it.Message)
			items[i] = it
		}
		r.Items = items
	}
	if len(r.Tasks) > 0 {
		tasks := make([]taskResult, len(r.Tasks))
		for i, t := range r.Tasks {
			t.Code, t.Message = s.String(t.Code), s.String(t.Message)
			tasks[i] = t
		}
		r.Tasks = tasks
	}
	return r
}

// errText is what failed, for a report cell: the error without the endpoint's URL (the
// table says which system, the run's header where its requests go). An error without an
// answer from the server says so.
func errText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return "no answer: " + strings.ReplaceAll(ue.Err.Error(), ue.URL, "the endpoint")
	}
	return urlInText.ReplaceAllString(err.Error(), "")
}

// urlInText matches a request line or URL in an error text, with what follows it.
var urlInText = regexp.MustCompile(`(?:(?:POST|Post|GET|Get) )?"?https?://[^\s"]+"?:? ?`)

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

// sink writes each finished user and system where -output, -jsonl and -report say. It is
// safe for concurrent use; it keeps nothing per user.
type sink struct {
	mu     sync.Mutex
	view   string
	stdout io.Writer
	jsonl  []*json.Encoder // stdout with -output jsonl, the -jsonl file
	files  []*bufio.Writer // flushed after each user: the stream is read while the run goes
	closer []io.Closer
	report *reportWriter
	totals *report
	err    error
}

func newSink(cfg *config, view string, stdout io.Writer, totals *report) (*sink, error) {
	s := &sink{view: view, stdout: stdout, totals: totals}
	if view == viewJSONL {
		s.jsonl = append(s.jsonl, json.NewEncoder(stdout))
	}
	if cfg.jsonlFile != "" {
		f, err := os.Create(cfg.jsonlFile)
		if err != nil {
			return nil, &usageError{msg: "-jsonl: " + err.Error()}
		}
		bw := bufio.NewWriter(f)
		s.jsonl, s.files, s.closer = append(s.jsonl, json.NewEncoder(bw)), append(s.files, bw), append(s.closer, f)
	}
	if cfg.reportFile != "" {
		f, err := os.Create(cfg.reportFile)
		if err != nil {
			for _, c := range s.closer {
				c.Close()
			}
			return nil, &usageError{msg: "-report: " + err.Error()}
		}
		s.report = newReportWriter(f)
	}
	return s, nil
}

// row streams one user's result in one system as a JSON line.
func (s *sink) row(u user, r result) {
	if len(s.jsonl) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	line := jsonRow{Time: time.Now().UTC(), User: u.Label, Line: u.Line, result: r}
	for _, enc := range s.jsonl {
		if err := enc.Encode(line); err != nil && s.err == nil {
			s.err = err
		}
	}
}

// user writes one finished user to the view and the report, and counts it.
func (s *sink) user(u userReport) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.tally(u)
	if err := writeUser(s.stdout, s.view, u); err != nil && s.err == nil {
		s.err = err
	}
	if s.report != nil {
		s.report.user(s.totals, u)
	}
	for _, f := range s.files {
		if err := f.Flush(); err != nil && s.err == nil {
			s.err = err
		}
	}
}

// finish writes the report's totals and closes the files.
func (s *sink) finish(totals *report) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.err
	for _, f := range s.files {
		if ferr := f.Flush(); err == nil {
			err = ferr
		}
	}
	for _, c := range s.closer {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	if s.report != nil {
		if rerr := s.report.finish(totals); err == nil && rerr != nil {
			err = fmt.Errorf("writing the report: %w", rerr)
		}
	}
	return err
}
