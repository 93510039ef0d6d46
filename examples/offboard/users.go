package main

import (
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// user is one person to offboard, with an identifier per system. An empty identifier means
// the user has no account in that system (or it is not known): that system is skipped.
type user struct {
	Label string // how the output and the report name the user
	Line  int    // line in the users file (0 when the user came from flags)

	UDSOrg, UDSUser  string // uds: organisation ("" is the server's default) and user name
	CASHousehold     int    // cas: household (domain) id, 0 for none
	CASUser          string // cas: user id in the household
	ProjectorRef     string // projector: UserReferenceSystemId
	ProvisioningUser string // provisioning: user name (the organisation is -provisioning-org)
}

// The columns of a users file. The header row names them, in any order; only those
// present are read. label is optional: without it the first identifier names the user.
var csvColumns = []string{"label", "uds_org", "uds_user", "cas_household", "cas_user", "projector_ref", "provisioning_user"}

// label returns the user's label, or the first identifier it has.
func (u user) label() string {
	for _, s := range []string{u.Label, u.UDSUser, u.CASUser, u.ProjectorRef, u.ProvisioningUser} {
		if s != "" {
			return s
		}
	}
	return ""
}

// check reports what is wrong with a user's identifiers (nil when nothing is).
func (u user) check() error {
	if (u.CASHousehold == 0) != (u.CASUser == "") {
		return errors.New("cas_household and cas_user go together: give both or neither")
	}
	if u.UDSOrg != "" && u.UDSUser == "" {
		return errors.New("uds_org without uds_user")
	}
	if u.UDSUser == "" && u.CASHousehold == 0 && u.ProjectorRef == "" && u.ProvisioningUser == "" {
		return errors.New("no identifier for any system")
	}
	return nil
}

// key is the user's identifiers in one string: two rows with the same key are the same
// user, and the journal names the user's steps by it (never by line or label, which may
// change between runs).
func (u user) key() string {
	h := ""
	if u.CASHousehold != 0 {
		h = strconv.Itoa(u.CASHousehold)
	}
	return "uds=" + u.UDSOrg + "/" + u.UDSUser + " cas=" + h + "/" + u.CASUser +
		" projector=" + u.ProjectorRef + " provisioning=" + u.ProvisioningUser
}

// maxCSVErrors is how many problems of a users file are listed before "and N more".
const maxCSVErrors = 50

// csvErrors are all the problems of a users file, each naming its line.
type csvErrors struct {
	problems []string
	more     int
}

func (e *csvErrors) add(format string, args ...any) {
	if len(e.problems) < maxCSVErrors {
		e.problems = append(e.problems, fmt.Sprintf(format, args...))
	} else {
		e.more++
	}
}

func (e *csvErrors) Error() string {
	s := fmt.Sprintf("%d problem(s):\n  %s", len(e.problems)+e.more, strings.Join(e.problems, "\n  "))
	if e.more > 0 {
		s += fmt.Sprintf("\n  and %d more", e.more)
	}
	return s
}

// readUsers reads a whole users file into memory (see scanUsers): for the demo, which seeds
// its fakes with the users, and for tests.
func readUsers(r io.Reader) (users []user, warnings []string, err error) {
	_, warnings, err = scanUsers(r, func(u user) bool {
		users = append(users, u)
		return true
	})
	if err != nil {
		return nil, warnings, err
	}
	return users, warnings, nil
}

// scanUsers reads a users file: CSV with a header row naming the columns (see csvColumns),
// then one user per line, and calls each (when not nil) for every user, in the file's order,
// until it returns false. Lines starting with # are comments. It reports every problem at
// once, each with its line: unknown or repeated columns (with a hint when the file looks
// separated by something else than commas), a household id that is not a positive integer,
// half-given cas identifiers, rows with the wrong number of fields, an empty file; users are
// given to each only when there is none, so a caller that must not start on a bad file reads
// it twice (the first time with a nil each). A user given twice (the same identifiers) is
// given once: each repetition is a warning. It keeps 16 bytes per user (a digest of its key,
// for the duplicates), not the users.
func scanUsers(r io.Reader, each func(user) bool) (count int, warnings []string, err error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, errors.New("empty file: want a header row, then one user per line")
	}
	if err != nil {
		return 0, nil, err
	}
	header = slices.Clone(header)
	var errs csvErrors
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))) // a BOM from spreadsheet exports
		_, twice := col[name]
		switch {
		case !slices.Contains(csvColumns, name):
			errs.add("header: unknown column %q (known: %s)%s", name, strings.Join(csvColumns, ", "), delimiterHint(name))
		case twice:
			errs.add("header: column %q twice", name)
		default:
			col[name] = i
		}
	}
	if len(errs.problems) > 0 { // the rows cannot be read without their columns
		return 0, nil, &errs
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}

	first := map[[16]byte]int{} // digest of the user's key → the line it was first given on
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
				err = pe.Err
			}
			errs.add("line %d: %v", line, err)
			if pe == nil {
				break // not a CSV problem (a read error): nothing more can be read
			}
			continue
		}
		u := user{
			Label: cell(rec, "label"), Line: line,
			UDSOrg: cell(rec, "uds_org"), UDSUser: cell(rec, "uds_user"),
			CASUser:          cell(rec, "cas_user"),
			ProjectorRef:     cell(rec, "projector_ref"),
			ProvisioningUser: cell(rec, "provisioning_user"),
		}
		if h := cell(rec, "cas_household"); h != "" {
			n, err := strconv.Atoi(h)
			if err != nil || n <= 0 {
				errs.add("line %d: cas_household %q is not a positive integer", line, h)
				continue
			}
			u.CASHousehold = n
		}
		if err := u.check(); err != nil {
			errs.add("line %d: %v", line, err)
			continue
		}
		u.Label = u.label()
		sum := sha256.Sum256([]byte(u.key()))
		k := [16]byte(sum[:16])
		if at, dup := first[k]; dup {
			warnings = append(warnings, fmt.Sprintf("line %d: the same user as line %d (%s): offboarded once", line, at, u.Label))
			continue
		}
		first[k] = line
		count++
		if each != nil && len(errs.problems) == 0 && !each(u) {
			return count, warnings, nil
		}
	}
	if len(errs.problems) > 0 {
		return 0, warnings, &errs
	}
	if count == 0 {
		return 0, warnings, errors.New("no users: want a header row, then one user per line")
	}
	return count, warnings, nil
}

// delimiterHint explains an unknown column that is several known columns joined by another
// separator: the file was saved with semicolons (or tabs) instead of commas.
func delimiterHint(name string) string {
	for _, sep := range []string{";", "\t", "|"} {
		if !strings.Contains(name, sep) {
			continue
		}
		for _, part := range strings.Split(name, sep) {
			if slices.Contains(csvColumns, strings.TrimSpace(part)) {
				what := map[string]string{";": "semicolons", "\t": "tabs", "|": "vertical bars"}[sep]
				return fmt.Sprintf("; the file looks separated by %s: save it as CSV with commas", what)
			}
		}
	}
	return ""
}
