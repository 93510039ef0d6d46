package main

import (
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
)

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
	User    string   `json:"user"`
	Line    int      `json:"line,omitempty"` // line in the users file
	Failed  bool     `json:"failed"`         // some system failed
	Results []result `json:"results"`
}

// report is the whole run, as written by -report.
type report struct {
	Started      time.Time       `json:"started"`
	Finished     time.Time       `json:"finished"`
	DryRun       bool            `json:"dry_run"`
	AgainstFakes bool            `json:"against_fakes"` // the built-in fake servers, not real systems
	Summary      map[outcome]int `json:"summary"`       // results per outcome
	FailedUsers  int             `json:"failed_users"`
	Users        []userReport    `json:"users"`
}

func newReport(started time.Time, dryRun, fakes bool, users []userReport) *report {
	r := &report{Started: started, Finished: time.Now(), DryRun: dryRun, AgainstFakes: fakes,
		Summary: map[outcome]int{}, Users: users}
	for _, u := range users {
		if u.Failed {
			r.FailedUsers++
		}
		for _, res := range u.Results {
			r.Summary[res.Outcome]++
		}
	}
	return r
}

// writeTables prints one table per user: system, action, outcome, what the server said,
// the transaction id, and this program's detail.
func (r *report) writeTables(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, u := range r.Users {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		where := ""
		if u.Line > 0 {
			where = fmt.Sprintf(" (line %d)", u.Line)
		}
		fmt.Fprintf(tw, "user %s%s\n", u.User, where)
		fmt.Fprintln(tw, "  SYSTEM\tACTION\tOUTCOME\tSERVER SAID\tTRANSACTION\tDETAIL")
		for _, res := range u.Results {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", res.System, res.Action, res.Outcome,
				orDash(serverSaid(res.Code, res.Message)), orDash(res.TransactionID), oneLine(res.Detail))
		}
	}
	return tw.Flush()
}

// summary is the last line of the output.
func (r *report) summary() string {
	var parts []string
	for _, o := range []outcome{outcomeDone, outcomeAlready, outcomePlanned, outcomeSkipped, outcomeFailed} {
		if n := r.Summary[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	return fmt.Sprintf("%d user(s), %d with a failure; results: %s", len(r.Users), r.FailedUsers, strings.Join(parts, ", "))
}

// writeJSON writes the report to f and closes it.
func (r *report) writeJSON(f io.WriteCloser) error {
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	err := enc.Encode(r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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

// progress draws "offboarding: 12/50 users, 1 with a failure" on one terminal line.
// It draws nothing for a single user or when w is not a terminal (see isTerminal), so
// logs, pipes and files stay clean.
type progress struct {
	mu           sync.Mutex
	w            io.Writer // nil: draw nothing
	total        int
	done, failed int
}

func newProgress(w io.Writer, terminal bool, total int) *progress {
	p := &progress{total: total}
	if terminal && total > 1 {
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
	if p.w != nil {
		fmt.Fprintf(p.w, "\roffboarding: %d/%d users, %d with a failure", p.done, p.total, p.failed)
	}
}

// finish ends the progress line so that what follows starts on a line of its own.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil && p.done > 0 {
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
