package main

import (
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

// readUsers reads a users file: CSV with a header row naming the columns (see csvColumns),
// then one user per line. Lines starting with # are comments. It refuses unknown or
// repeated columns, a household id that is not a positive integer, half-given cas
// identifiers and empty files, naming the line.
func readUsers(r io.Reader) ([]user, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: want a header row, then one user per line")
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))) // a BOM from spreadsheet exports
		if !slices.Contains(csvColumns, name) {
			return nil, fmt.Errorf("header: unknown column %q (known: %s)", name, strings.Join(csvColumns, ", "))
		}
		if _, dup := col[name]; dup {
			return nil, fmt.Errorf("header: column %q twice", name)
		}
		col[name] = i
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}

	var users []user
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err // csv errors name the line
		}
		line, _ := cr.FieldPos(0)
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
				return nil, fmt.Errorf("line %d: cas_household %q is not a positive integer", line, h)
			}
			u.CASHousehold = n
		}
		if err := u.check(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		u.Label = u.label()
		users = append(users, u)
	}
	if len(users) == 0 {
		return nil, errors.New("no users: want a header row, then one user per line")
	}
	return users, nil
}
