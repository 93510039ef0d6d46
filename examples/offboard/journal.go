package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// The journal is a JSON-lines file: one record per line, appended as the run goes.
//
//	{"kind":"run",...}      a run started: version, dry run, where each system's requests go
//	{"kind":"intent",...}   a destructive step is about to be sent (written and fsync'd first)
//	{"kind":"outcome",...}  what the step's call answered (or what a re-read found)
//	{"kind":"result",...}   one user's part in one system is finished: the report row
//
// A step is named by its stepID: the user (the key of its identifiers), the system, the step
// and its target (the household, the task...). Each system may have any number of steps per
// user; adding a step is adding a name. -resume reads the journal back (priorRuns) and
//
//   - takes a recorded result that succeeded (done, already) as is: no request;
//   - skips a step whose outcome was recorded as a success: it is never sent again;
//   - for a step with an intent and no outcome (the run stopped between the two), reads the
//     system first and sends the step only if the read shows it was not done: uds
//     retrieveUser (the status, the accounts left), cas GetDomainEntitlements (a cancelled
//     renewal no longer renews), projector FindUser (PwsGetUserList: gone or inactive),
//     provisioning GetTokensByOwner and the user's tasks. Three steps have no read in their
//     service: cas's removal from the household (no read of a household's members) and
//     DeleteDomain (no read of recordings), and BSIDCA's RemoveUser (no read of a user). Such
//     a step is sent again, which is safe: the server changes nothing the second time (0 OK
//     again: Delete checks no membership (vendor server source), DeleteDomain checks nothing; RemoveUser
//     answers Fail for a user it no longer has, as inferred from other clients: reported done).
//
// Every system reads again at the end of its steps (the verification): residual access none,
// or what is left. A result is reused by -resume only if it succeeded with no access left.
//
// The intent is fsync'd before its call is sent; the outcome and result records are written
// (to the kernel) at once and made durable by the next intent's fsync, or at the end of the
// run: a process that is killed loses nothing written, and a machine that crashes loses at
// most outcomes, which the re-read above recovers. Concurrent intents share one fsync.
// Records hold identifiers and what servers answered, never a secret.

// recordKind is the kind of a journal record.
type recordKind string

const (
	kindRun     recordKind = "run"
	kindIntent  recordKind = "intent"
	kindOutcome recordKind = "outcome"
	kindResult  recordKind = "result"
)

// stepID names one step of one user in one system. It is stable across runs: it is made of
// the user's identifiers, never of line numbers or labels.
type stepID struct {
	User   string `json:"user"`   // user.key()
	System string `json:"system"` // uds, cas, projector, provisioning
	Step   string `json:"step"`   // set-status, delete-account, cancel-renewal, revoke-token, remove-from-task, ...
	Target string `json:"target"` // what the step acts on in that system
}

// runInfo is the first record of each run in the journal.
type runInfo struct {
	Version   string            `json:"version"`
	DryRun    bool              `json:"dry_run,omitempty"`
	Endpoints map[string]string `json:"endpoints"` // system → endpoint (user info redacted); absent: not configured
	Settings  map[string]string `json:"settings,omitempty"`
	PID       int               `json:"pid"`
}

// record is one line of the journal.
type record struct {
	Time time.Time  `json:"time"`
	Kind recordKind `json:"kind"`
	stepID
	Outcome outcome  `json:"outcome,omitempty"` // outcome records
	Code    string   `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
	Detail  string   `json:"detail,omitempty"`
	Result  *result  `json:"result,omitempty"` // result records
	Run     *runInfo `json:"run,omitempty"`    // run records
}

// journal appends records to a file. It is safe for concurrent use.
type journal struct {
	path  string
	scrub scrubber

	mu      sync.Mutex
	cond    *sync.Cond
	f       *os.File
	written uint64 // records written
	synced  uint64 // records known to be on disk
	syncing bool
	err     error // the first write or sync error: every later append fails with it
}

// createJournal creates a new journal; it refuses to overwrite one.
func createJournal(path string, s scrubber) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s exists: continue it with -resume %s, or give another -journal", path, path)
		}
		return nil, err
	}
	return newJournal(path, f, s), nil
}

// appendJournal opens an existing journal to continue it. A last line cut short by a crash
// (a record the killed run was writing, never complete, so never acted on) is cut off, so
// that the next record starts on a line of its own and the journal stays readable.
func appendJournal(path string, s scrubber) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	if err := cutTornLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return newJournal(path, f, s), nil
}

// cutTornLine truncates f after its last newline.
func cutTornLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	const chunk = 64 << 10
	end := fi.Size()
	buf := make([]byte, chunk)
	for pos := end; pos > 0; {
		n := min(int64(chunk), pos)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			if pos+int64(i)+1 == end {
				return nil // ends with a newline: nothing torn
			}
			return f.Truncate(pos + int64(i) + 1)
		}
	}
	return f.Truncate(0)
}

func newJournal(path string, f *os.File, s scrubber) *journal {
	j := &journal{path: path, f: f, scrub: s}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// append writes rec as one line. With durable, it returns once the line is on disk.
func (j *journal) append(rec record, durable bool) error {
	if rec.Time.IsZero() {
		rec.Time = time.Now().UTC()
	}
	rec.Code, rec.Message, rec.Detail = j.scrub.String(rec.Code), j.scrub.String(rec.Message), j.scrub.String(rec.Detail)
	if rec.Result != nil {
		r := j.scrub.result(*rec.Result)
		rec.Result = &r
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	line = append(line, '\n')

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	// One write per record: a record is never interleaved with another.
	if _, err := j.f.Write(line); err != nil {
		j.err = fmt.Errorf("journal %s: %w", j.path, err)
		return j.err
	}
	j.written++
	if !durable {
		return nil
	}
	return j.syncLocked(j.written)
}

// syncLocked waits until record seq is on disk: one caller fsyncs for every record written
// so far, the others wait for it (group commit). j.mu is held.
func (j *journal) syncLocked(seq uint64) error {
	for j.synced < seq && j.err == nil {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.syncing = true
		target := j.written
		j.mu.Unlock()
		err := j.f.Sync()
		j.mu.Lock()
		j.syncing = false
		if err != nil {
			j.err = fmt.Errorf("journal %s: fsync: %w", j.path, err)
		} else {
			j.synced = max(j.synced, target)
		}
		j.cond.Broadcast()
	}
	return j.err
}

// close makes every record durable and closes the file.
func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.syncLocked(j.written)
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stepState is what earlier runs recorded about one step.
type stepState struct {
	intent  bool
	outcome *record // the last outcome recorded, nil when none
}

// priorRuns is what -resume read from a journal.
type priorRuns struct {
	lastRun *runInfo
	steps   map[stepID]*stepState
	// results are the recorded results that succeeded, by user key and system.
	results map[[2]string]result
	// bySystem lists the step ids recorded for a user in a system, in journal order.
	bySystem map[[2]string][]stepID
	records  int
	torn     bool // the last line was cut short (the run was killed while writing it)
}

// readJournal reads a journal written by earlier runs. A last line cut short is ignored (and
// reported by torn); any other line that is not a record is an error naming the line.
func readJournal(r io.Reader) (*priorRuns, error) {
	p := &priorRuns{steps: map[stepID]*stepState{}, results: map[[2]string]result{}, bySystem: map[[2]string][]stepID{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var rec record
			if jerr := json.Unmarshal(line, &rec); jerr != nil || rec.Kind == "" {
				if errors.Is(err, io.EOF) { // the last line, without its newline: cut short by a crash
					p.torn = true
					return p, nil
				}
				if jerr == nil {
					jerr = errors.New("no kind")
				}
				return nil, fmt.Errorf("line %d is not a journal record: %v", n, jerr)
			}
			p.add(rec)
		}
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *priorRuns) add(rec record) {
	p.records++
	us := [2]string{rec.User, rec.System}
	switch rec.Kind {
	case kindRun:
		p.lastRun = rec.Run
	case kindIntent, kindOutcome:
		st := p.steps[rec.stepID]
		if st == nil {
			st = &stepState{}
			p.steps[rec.stepID] = st
			p.bySystem[us] = append(p.bySystem[us], rec.stepID)
		}
		if rec.Kind == kindIntent {
			st.intent = true
		} else {
			r := rec
			st.outcome = &r
		}
	case kindResult:
		// A result reused as is must have succeeded and left no access (or have been one a
		// dry run planned: never, dry runs journal nothing).
		if rec.Result != nil && rec.Result.Outcome.success() && !rec.Result.Residual.left() {
			p.results[us] = *rec.Result
		} else {
			delete(p.results, us) // a later failure: do it again
		}
	}
}

// step returns what was recorded about id (zero when nothing).
func (p *priorRuns) step(id stepID) stepState {
	if p == nil {
		return stepState{}
	}
	if st := p.steps[id]; st != nil {
		return *st
	}
	return stepState{}
}

// result returns the successful result recorded for the user in the system.
func (p *priorRuns) result(userKey, system string) (result, bool) {
	if p == nil {
		return result{}, false
	}
	r, ok := p.results[[2]string{userKey, system}]
	return r, ok
}

// stepsOf lists the steps recorded for the user in the system.
func (p *priorRuns) stepsOf(userKey, system string) []stepID {
	if p == nil {
		return nil
	}
	return p.bySystem[[2]string{userKey, system}]
}
