package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
