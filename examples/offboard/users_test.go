package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadUsers(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []user
		err  string
	}{
		{
			name: "all columns",
			csv: "label,uds_org,uds_user,cas_household,cas_user,projector_ref,provisioning_user\n" +
				"Jane Doe,ACME,jdoe,123,456,jdoe-ref,jane\n",
			want: []user{{Label: "Jane Doe", Line: 2, UDSOrg: "ACME", UDSUser: "jdoe", CASHousehold: 123, CASUser: "456", ProjectorRef: "jdoe-ref", ProvisioningUser: "jane"}},
		},
		{
			name: "any order, some columns, comments, spaces, BOM, upper case",
			csv:  "\ufeffProjector_Ref, uds_user\n# a comment\n  rroe , rroe\n\nsmith,\n",
			want: []user{
				{Label: "rroe", Line: 3, UDSUser: "rroe", ProjectorRef: "rroe"},
				{Label: "smith", Line: 5, ProjectorRef: "smith"},
			},
		},
		{
			name: "label defaults to the first identifier",
			csv:  "cas_household,cas_user,provisioning_user\n9,c9,p9\n",
			want: []user{{Label: "c9", Line: 2, CASHousehold: 9, CASUser: "c9", ProvisioningUser: "p9"}},
		},
		{name: "empty", csv: "", err: "empty file"},
		{name: "header only", csv: "uds_user\n", err: "no users"},
		{name: "unknown column", csv: "uds_user,mail\n", err: `unknown column "mail"`},
		{name: "column twice", csv: "uds_user,UDS_USER\n", err: `column "uds_user" twice`},
		{name: "household not a number", csv: "cas_household,cas_user\nx,1\n", err: `line 2: cas_household "x" is not a positive integer`},
		{name: "household zero", csv: "cas_household,cas_user\n0,1\n", err: "line 2: cas_household"},
		{name: "household without user", csv: "cas_household,cas_user\n5,\n", err: "line 2: cas_household and cas_user go together"},
		{name: "org without user", csv: "uds_org,uds_user,projector_ref\nACME,,x\n", err: "line 2: uds_org without uds_user"},
		{name: "no identifier", csv: "label,uds_user\nsomeone,\n", err: "line 2: no identifier"},
		{name: "wrong number of fields", csv: "uds_user,projector_ref\na,b,c\n", err: "wrong number of fields"},
		{name: "semicolons", csv: "uds_user;projector_ref\njdoe;jdoe\n", err: "the file looks separated by semicolons: save it as CSV with commas"},
		{name: "tabs", csv: "uds_user\tprojector_ref\njdoe\tjdoe\n", err: "separated by tabs"},
		{
			name: "every bad row at once, with its line",
			csv:  "uds_org,uds_user,cas_household,cas_user\nACME,a,1,a\nACME,,,\nACME,b,x,b\nACME,c,1\nACME,d,2,\n",
			err: "4 problem(s):\n  line 3: uds_org without uds_user\n  line 4: cas_household \"x\" is not a positive integer\n" +
				"  line 5: wrong number of fields\n  line 6: cas_household and cas_user go together: give both or neither",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := readUsers(strings.NewReader(tt.csv))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestReadUsersDuplicates: a user given twice (the same identifiers, whatever the label) is
// read once, with a warning naming both lines.
func TestReadUsersDuplicates(t *testing.T) {
	got, warnings, err := readUsers(strings.NewReader("label,uds_user,projector_ref\nJane,jdoe,jdoe\nRichard,rroe,\nJane D.,jdoe,jdoe\nJane,jdoe,other\n"))
	require.NoError(t, err)
	assert.Equal(t, []user{
		{Label: "Jane", Line: 2, UDSUser: "jdoe", ProjectorRef: "jdoe"},
		{Label: "Richard", Line: 3, UDSUser: "rroe"},
		{Label: "Jane", Line: 5, UDSUser: "jdoe", ProjectorRef: "other"},
	}, got)
	assert.Equal(t, []string{"line 4: the same user as line 2 (Jane D.): offboarded once"}, warnings)
}

func TestReadUsersManyProblems(t *testing.T) {
	rows := []string{"uds_org,uds_user"}
	for range maxCSVErrors + 7 {
		rows = append(rows, "ACME,")
	}
	_, _, err := readUsers(strings.NewReader(strings.Join(rows, "\n")))
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%d problem(s)", maxCSVErrors+7))
	assert.Contains(t, err.Error(), "and 7 more")
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true, 0, 3)
	p.add(false)
	p.add(true)
	p.add(false)
	p.finish()
	assert.Equal(t, "\roffboarding: 1/3 users, 0 with a failure\roffboarding: 2/3 users, 1 with a failure\roffboarding: 3/3 users, 1 with a failure\n", buf.String())

	buf.Reset()
	for _, p := range []*progress{newProgress(&buf, false, 0, 3), newProgress(&buf, true, 0, 1)} {
		p.add(true)
		p.finish()
	}
	assert.Empty(t, buf.String(), "no progress line off a terminal without -progress, nor for a single user")

	// Off a terminal, with -progress: a line every interval, and one at the end.
	p = newProgress(&buf, false, time.Hour, 3)
	p.add(false)
	p.add(true)
	p.add(false)
	p.finish()
	assert.Regexp(t, `^offboarding: 3/3 users, 1 with a failure, 0s elapsed\n$`, buf.String())

	file, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer file.Close()
	assert.False(t, isTerminal(file), "a regular file is not a terminal")
	assert.False(t, isTerminal(&buf))
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil { // only where the test has a terminal
		defer tty.Close()
		assert.True(t, isTerminal(tty))
	}
}

func TestServerSaid(t *testing.T) {
	for _, tt := range []struct{ code, msg, want string }{
		{"0 OK", "OK", "0 OK"},
		{"1020 UserNotExistsInDomain", "User not in domain", "1020 UserNotExistsInDomain User not in domain"},
		{"", "The operation was successful!", "The operation was successful!"},
		{"Server", "line one\n  line two", "Server line one line two"},
		{"", "", ""},
	} {
		assert.Equal(t, tt.want, serverSaid(tt.code, tt.msg))
	}
	assert.Equal(t, "1234", codeName(1234, "Code(1234)"))
	assert.Equal(t, "50024 EntityNotFound", codeName(50024, "EntityNotFound"))
}
