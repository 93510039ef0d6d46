package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// outcome is what happened in one system for one user.
type outcome string

const (
	outcomeDone    outcome = "done"    // the change was made
	outcomeAlready outcome = "already" // nothing to do: the service says the user is already gone or in the target state
	outcomeSkipped outcome = "skipped" // the system is not configured, or the user has no identifier for it
	outcomeFailed  outcome = "failed"  // the service (or the network) refused; Code and Message say what it said
	outcomePlanned outcome = "planned" // dry run: the change that would be made
	// outcomeNotStarted: the run was stopped (SIGINT, SIGTERM) before anything was sent for
	// this user in this system; -resume does it.
	outcomeNotStarted outcome = "not started"
	// outcomeInterrupted: the run was stopped between two steps of this user in this
	// system; what was sent is in the journal, and -resume finishes it.
	outcomeInterrupted outcome = "interrupted"
)

// success reports whether the outcome needs nothing more: done or already.
func (o outcome) success() bool { return o == outcomeDone || o == outcomeAlready }

// allOutcomes lists the outcomes in the order the summary counts them.
var allOutcomes = []outcome{outcomeDone, outcomeAlready, outcomePlanned, outcomeSkipped, outcomeFailed, outcomeInterrupted, outcomeNotStarted}

// result is one system's part of offboarding one user: one row of the table, one entry of
// the report. It never holds a secret: only identifiers, what the server answered and the
// transaction id the service gives.
type result struct {
	System  string  `json:"system"`           // uds, cas, projector, provisioning
	Action  string  `json:"action"`           // the wire operation (and its argument)
	Target  string  `json:"target,omitempty"` // the user in that system
	Outcome outcome `json:"outcome"`
	// Code and Message are what the server said: a status or error code and its text.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// TransactionID is the service's id for the exchange: uds udsTransactionID, projector
	// ResponseId. cas and provisioning give none.
	TransactionID string `json:"transaction_id,omitempty"`
	// Detail is this program's own summary: the state read, the plan, why it was skipped.
	Detail string       `json:"detail,omitempty"`
	Tasks  []taskResult `json:"tasks,omitempty"` // provisioning: one entry per task
	// Items are what the user holds in the system and the run revokes, one entry each: uds
	// accounts, cas renewing subscriptions, provisioning tokens (the plan of a dry run).
	Items []itemResult `json:"items,omitempty"`
	// Verification says what the final read found (the read operations and what they
	// answered); Residual is what it found left: none, or each access left. nil when the
	// system was not verified (skipped, dry run, a failure before the read).
	Verification string    `json:"verification,omitempty"`
	Residual     *residual `json:"residual_access,omitempty"`
}

// itemResult is one thing the user holds in a system and its revocation: an account, a
// renewing subscription, a token, the household.
type itemResult struct {
	Kind    string  `json:"kind"` // account, subscription, household, token, user
	ID      string  `json:"id"`
	Outcome outcome `json:"outcome"`
	Code    string  `json:"code,omitempty"`
	Message string  `json:"message,omitempty"`
}

// residual is what a verification read found left of the user's access in one system. Its
// JSON is "none", or the list of what is left.
type residual struct{ Left []string }

// none is a verified residual with nothing left.
func none() *residual { return &residual{} }

// left reports whether r records access left (false for nil: not verified).
func (r *residual) left() bool { return r != nil && len(r.Left) > 0 }

func (r *residual) String() string {
	switch {
	case r == nil:
		return "not verified"
	case len(r.Left) == 0:
		return "none"
	}
	return strings.Join(r.Left, "; ")
}

func (r *residual) MarshalJSON() ([]byte, error) {
	if len(r.Left) == 0 {
		return []byte(`"none"`), nil
	}
	return json.Marshal(r.Left)
}

func (r *residual) UnmarshalJSON(b []byte) error {
	if string(b) == `"none"` {
		r.Left = nil
		return nil
	}
	return json.Unmarshal(b, &r.Left)
}

// taskResult is the removal of a user from one provisioning task.
type taskResult struct {
	TaskID  int     `json:"task_id"`
	Outcome outcome `json:"outcome"`
	Code    string  `json:"code,omitempty"`
	Message string  `json:"message,omitempty"`
}

// userReport is everything that happened to one user.
type userReport struct {
	User        string `json:"user"`
	Line        int    `json:"line,omitempty"`        // line in the users file
	Failed      bool   `json:"failed"`                // some system failed, or access is left
	Interrupted bool   `json:"interrupted,omitempty"` // the run stopped in the middle of this user
	NotStarted  bool   `json:"not_started,omitempty"` // the run stopped before this user
	// ResidualAccess sums up the verification: "none" (every system verified, nothing
	// left), "left in uds, cas" (see each result's residual_access), or "not verified in …".
	ResidualAccess string   `json:"residual_access"`
	Results        []result `json:"results"`
}

// tally sets the user's flags from its rows: not started when nothing was started in any
// system (skipped ones aside), interrupted when the run stopped in the middle of the user.
func (u *userReport) tally() {
	anyStopped, onlyStopped := false, true
	u.Failed = false
	var left, unverified []string
	for _, r := range u.Results {
		switch {
		case r.Residual.left():
			left = append(left, r.System)
		case r.Residual == nil && r.Outcome != outcomeSkipped:
			unverified = append(unverified, r.System)
		}
		switch r.Outcome {
		case outcomeFailed:
			u.Failed = true
			onlyStopped = false
		case outcomeNotStarted, outcomeInterrupted:
			anyStopped = true
			onlyStopped = onlyStopped && r.Outcome == outcomeNotStarted
		case outcomeSkipped:
		default:
			onlyStopped = false
		}
	}
	u.NotStarted = anyStopped && onlyStopped
	u.Interrupted = anyStopped && !u.NotStarted
	switch {
	case len(left) > 0:
		// Access left is a failure, whatever the calls answered.
		u.Failed = true
		u.ResidualAccess = "left in " + strings.Join(left, ", ")
	case len(unverified) > 0 && u.planned():
		u.ResidualAccess = "not verified (dry run: the plan shows what the run would revoke)"
	case len(unverified) > 0:
		u.ResidualAccess = "not verified in " + strings.Join(unverified, ", ")
	default:
		u.ResidualAccess = "none"
	}
}

// planned reports whether the user's rows are a dry run's plan.
func (u *userReport) planned() bool {
	for _, r := range u.Results {
		if r.Outcome != outcomePlanned && r.Outcome != outcomeSkipped && r.Outcome != outcomeAlready {
			return false
		}
	}
	return true
}

// hasResidual reports whether the verification found access left in some system.
func (u *userReport) hasResidual() bool { return strings.HasPrefix(u.ResidualAccess, "left") }

// report is the whole run, as written by -report (see reportWriter).
type report struct {
	Started          time.Time       `json:"started"`
	Finished         time.Time       `json:"finished"`
	DryRun           bool            `json:"dry_run"`
	AgainstFakes     bool            `json:"against_fakes"` // the built-in fake servers, not real systems
	Journal          string          `json:"journal,omitempty"`
	Stopped          bool            `json:"stopped,omitempty"` // SIGINT or SIGTERM stopped the run
	Summary          map[outcome]int `json:"summary"`           // results per outcome
	Users            int             `json:"user_count"`
	FailedUsers      int             `json:"failed_users"`
	ResidualUsers    int             `json:"users_with_residual_access"` // verified with access left (counted in failed_users too)
	InterruptedUsers int             `json:"interrupted_users,omitempty"`
	NotStartedUsers  int             `json:"not_started_users,omitempty"`
	Rows             []userReport    `json:"users"` // in the order users finished; Line says where each is in the file
}

// tally counts one user's results into the totals (not into Rows: they stream out).
func (r *report) tally(u userReport) {
	r.Users++
	if u.Failed {
		r.FailedUsers++
	}
	if u.hasResidual() {
		r.ResidualUsers++
	}
	if u.Interrupted {
		r.InterruptedUsers++
	}
	if u.NotStarted {
		r.NotStartedUsers++
	}
	for _, res := range u.Results {
		r.Summary[res.Outcome]++
	}
}

// ok reports whether the run needs nothing more: no failure, nothing stopped.
func (r *report) ok() bool {
	return r.FailedUsers == 0 && r.InterruptedUsers == 0 && r.NotStartedUsers == 0 && !r.Stopped
}

// summary is the last line of the output.
func (r *report) summary() string {
	var parts []string
	for _, o := range allOutcomes {
		if n := r.Summary[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	s := fmt.Sprintf("%d user(s), %d with a failure", r.Users, r.FailedUsers)
	if !r.DryRun {
		s += fmt.Sprintf(", %d with residual access", r.ResidualUsers)
	}
	if r.InterruptedUsers > 0 {
		s += fmt.Sprintf(", %d interrupted", r.InterruptedUsers)
	}
	if r.NotStartedUsers > 0 {
		s += fmt.Sprintf(", %d not started", r.NotStartedUsers)
	}
	return s + "; results: " + strings.Join(parts, ", ")
}

// reportWriter streams the -report file: the run's settings, then each user as it finishes,
// then the totals. Nothing per user is kept in memory.
type reportWriter struct {
	started bool
	f       *os.File
	w       *bufio.Writer
	first   bool
	err     error
}

func newReportWriter(f *os.File) *reportWriter {
	return &reportWriter{f: f, w: bufio.NewWriterSize(f, 32<<10), first: true}
}

// start writes the run's settings; it is called before the first user.
func (w *reportWriter) start(r *report) {
	w.started = true
	head := struct {
		Started      time.Time `json:"started"`
		DryRun       bool      `json:"dry_run"`
		AgainstFakes bool      `json:"against_fakes"`
		Journal      string    `json:"journal,omitempty"`
	}{r.Started, r.DryRun, r.AgainstFakes, r.Journal}
	b, err := json.Marshal(head)
	w.err = err
	if err == nil {
		w.write(string(b[:len(b)-1]) + `,"users":[`)
	}
}

func (w *reportWriter) write(s string) {
	if w.err == nil {
		_, w.err = w.w.WriteString(s)
	}
}

func (w *reportWriter) user(r *report, u userReport) {
	if !w.started {
		w.start(r)
	}
	b, err := json.Marshal(u)
	if err != nil && w.err == nil {
		w.err = err
	}
	sep := ",\n"
	if w.first {
		sep, w.first = "\n", false
	}
	w.write(sep + string(b))
}

// finish writes the totals and closes the file.
func (w *reportWriter) finish(r *report) error {
	if !w.started {
		w.start(r)
	}
	tail := *r
	tail.Rows = nil
	b, err := json.MarshalIndent(struct {
		Finished         time.Time       `json:"finished"`
		Stopped          bool            `json:"stopped,omitempty"`
		Summary          map[outcome]int `json:"summary"`
		Users            int             `json:"user_count"`
		FailedUsers      int             `json:"failed_users"`
		ResidualUsers    int             `json:"users_with_residual_access"`
		InterruptedUsers int             `json:"interrupted_users,omitempty"`
		NotStartedUsers  int             `json:"not_started_users,omitempty"`
	}{tail.Finished, tail.Stopped, tail.Summary, tail.Users, tail.FailedUsers, tail.ResidualUsers, tail.InterruptedUsers, tail.NotStartedUsers}, "", "  ")
	if err != nil && w.err == nil {
		w.err = err
	}
	w.write("\n],\n" + strings.TrimPrefix(string(b), "{\n") + "\n")
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if cerr := w.f.Close(); w.err == nil {
		w.err = cerr
	}
	return w.err
}

// jsonRow is one line of the JSON-lines stream (-output jsonl, -jsonl FILE): one user in one
// system.
type jsonRow struct {
	Time time.Time `json:"time"`
	User string    `json:"user"`
	Line int       `json:"line,omitempty"`
	result
}

// Output views of stdout (-output).
const (
	viewTable    = "table"    // a table per user: system, action, outcome, answer, transaction, detail
	viewCompact  = "compact"  // one line per user
	viewFailures = "failures" // one line per user with a failure or stopped, nothing else
	viewJSONL    = "jsonl"    // one JSON object per user and system
)

var views = []string{viewTable, viewCompact, viewFailures, viewJSONL}

// writeUser prints one finished user in the view.
func writeUser(w io.Writer, view string, u userReport) error {
	switch view {
	case viewTable:
		return writeTable(w, u)
	case viewCompact:
		_, err := fmt.Fprintln(w, compactLine(u))
		return err
	case viewFailures:
		if u.Failed || u.Interrupted || u.NotStarted || u.hasResidual() {
			_, err := fmt.Fprintln(w, compactLine(u))
			return err
		}
	}
	return nil
}

// writeTable prints one user's table.
func writeTable(w io.Writer, u userReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	where := ""
	if u.Line > 0 {
		where = fmt.Sprintf(" (line %d)", u.Line)
	}
	fmt.Fprintf(tw, "user %s%s\n", u.User, where)
	fmt.Fprintln(tw, "  SYSTEM\tACTION\tOUTCOME\tRESIDUAL ACCESS\tANSWER\tTRANSACTION\tDETAIL")
	for _, res := range u.Results {
		left := "-"
		if res.Residual != nil {
			left = oneLine(res.Residual.String())
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", res.System, res.Action, res.Outcome, left,
			orDash(serverSaid(res.Code, res.Message)), orDash(res.TransactionID), oneLine(res.Detail))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, res := range u.Results {
		if res.Verification != "" {
			fmt.Fprintf(w, "  verified %s: %s\n", res.System, oneLine(res.Verification))
		}
	}
	_, err := fmt.Fprintf(w, "  residual access: %s\n\n", u.ResidualAccess)
	return err
}

// compactLine is one user on one line: each system's outcome, and for a failure what failed.
//
//	line 12 jdoe: FAILED uds done, cas already, projector failed (50045 ViewPermissionDenied), provisioning done
func compactLine(u userReport) string {
	var b strings.Builder
	if u.Line > 0 {
		fmt.Fprintf(&b, "line %d ", u.Line)
	}
	b.WriteString(u.User)
	switch {
	case u.hasResidual():
		b.WriteString(": RESIDUAL ACCESS ")
	case u.Failed:
		b.WriteString(": FAILED ")
	case u.NotStarted:
		b.WriteString(": NOT STARTED ")
	case u.Interrupted:
		b.WriteString(": INTERRUPTED ")
	case allSkipped(u.Results):
		b.WriteString(": SKIPPED ")
	default:
		b.WriteString(": ok ")
	}
	for i, r := range u.Results {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.System + " " + string(r.Outcome))
		switch {
		case r.Outcome == outcomeFailed:
			if said := serverSaid(r.Code, r.Message); said != "" {
				b.WriteString(" (" + said + ")")
			}
		case r.Outcome == outcomeSkipped && strings.HasPrefix(r.Detail, detailRefused):
			b.WriteString(" (credentials refused)")
		}
		if r.Residual.left() {
			b.WriteString(" [left: " + oneLine(r.Residual.String()) + "]")
		}
	}
	if u.ResidualAccess != "" && !allSkipped(u.Results) {
		b.WriteString("; residual access: " + u.ResidualAccess)
	}
	return b.String()
}

func allSkipped(rs []result) bool {
	for _, r := range rs {
		if r.Outcome != outcomeSkipped {
			return false
		}
	}
	return len(rs) > 0
}

// serverSaid joins a code and its message on one line, once when the message only repeats
// the code's name ("0 OK", not "0 OK OK").
func serverSaid(code, msg string) string {
	code, msg = oneLine(code), oneLine(msg)
	switch {
	case msg == "" || strings.HasSuffix(code, " "+msg):
		return code
	case code == "":
		return msg
	}
	return code + " " + msg
}

// oneLine keeps a server message on one table row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progress reports how far the run is: on a terminal, "offboarding: 12/50 users, 1 with a
// failure" redrawn on one line; otherwise (logs, pipes, files) a line every interval. It
// draws nothing for a single user.
type progress struct {
	mu           sync.Mutex
	w            io.Writer // nil: draw nothing
	terminal     bool
	every        time.Duration
	started      time.Time
	last         time.Time
	total        int
	done, failed int
}

func newProgress(w io.Writer, terminal bool, every time.Duration, total int) *progress {
	now := time.Now()
	p := &progress{total: total, terminal: terminal, every: every, started: now, last: now}
	if total > 1 && (terminal || every > 0) {
		p.w = w
	}
	return p
}

func (p *progress) add(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	switch {
	case p.w == nil:
	case p.terminal:
		fmt.Fprintf(p.w, "\r%s", p.line())
	default:
		if now := time.Now(); now.Sub(p.last) >= p.every || p.done == p.total {
			p.last = now
			fmt.Fprintf(p.w, "%s, %s elapsed\n", p.line(), now.Sub(p.started).Round(time.Second))
		}
	}
}

func (p *progress) line() string {
	return fmt.Sprintf("offboarding: %d/%d users, %d with a failure", p.done, p.total, p.failed)
}

// finish ends the progress line so that what follows starts on a line of its own.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil && p.terminal && p.done > 0 {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
