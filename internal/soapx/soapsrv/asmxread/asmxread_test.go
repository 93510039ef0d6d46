package asmxread_test

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx/soapsrv/asmxread"
)

const ns = "urn:svc"

func name(local string) xml.Name { return xml.Name{Space: ns, Local: local} }

var (
	id      = asmxread.Member{Name: "id", Kind: asmxread.Int, Required: true}
	user    = asmxread.Member{Name: "user"}
	force   = asmxread.Member{Name: "force", Kind: asmxread.Bool, Required: true}
	mode    = asmxread.Member{Name: "mode", Kind: asmxread.Enum, Required: true, Type: "Api.Mode", Values: []string{"Soft", "Hard"}}
	kind    = asmxread.Member{Name: "kind", Kind: asmxread.Enum, Nillable: true, Type: "Kind", Values: []string{"A", "B"}}
	until   = asmxread.Member{Name: "until", Kind: asmxread.DateTime, Required: true}
	names   = asmxread.Member{Name: "names", Kind: asmxread.StringList, Item: "string"}
	members = []asmxread.Member{id, user, force, mode, kind, until, names}
	op      = asmxread.Contract{Namespace: ns, Operation: "Op", Members: members}
)

// all is every member, in order, with a value.
const all = `<id>7</id><user>bob</user><force>true</force><mode>Hard</mode><kind>B</kind><until>2024-05-01T10:00:00Z</until><names><string>a</string></names>`

func body(inner string) string {
	return `<Op xmlns="` + ns + `" xmlns:xsi="` + asmxread.XSINamespace + `">` + inner + `</Op>`
}

func TestRead(t *testing.T) {
	full := map[string]string{"id": "7", "user": "bob", "force": "true", "mode": "Hard", "kind": "B", "until": "2024-05-01T10:00:00Z"}
	missing := func(m asmxread.Member) asmxread.Finding {
		return asmxread.Finding{Kind: asmxread.Missing, Element: name(m.Name), Member: m}
	}
	tests := []struct {
		name     string
		body     string
		values   map[string]string
		lists    map[string][]string
		findings []asmxread.Finding
		fault    *asmxread.Fault
	}{
		{"as the contract says", body(all), full, map[string][]string{"names": {"a"}}, nil, nil},
		{"values as received", body(`<id> 007 </id><force>1</force><mode>Soft</mode><until>2024-05-01</until>`),
			map[string]string{"id": " 007 ", "force": "1", "mode": "Soft", "until": "2024-05-01"}, map[string][]string{}, nil, nil},
		{"another Body element: an empty request", `<Other xmlns="` + ns + `">` + all + `</Other>`, map[string]string{}, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.WrongElement, Element: name("Other")}}, nil},
		{"the operation in another namespace: an empty request", `<Op xmlns="urn:x"><id>7</id></Op>`, map[string]string{}, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.WrongElement, Element: xml.Name{Space: "urn:x", Local: "Op"}}}, nil},
		{"no element: every required member missing", ``, map[string]string{}, map[string][]string{},
			[]asmxread.Finding{missing(id), missing(force), missing(mode), missing(until)}, nil},
		{"a member in another namespace is skipped", body(`<id>7</id><user xmlns="urn:x">bob</user><force>true</force><mode>Hard</mode><until>2024-05-01</until>`),
			map[string]string{"id": "7", "force": "true", "mode": "Hard", "until": "2024-05-01"}, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.OtherNamespace, Element: xml.Name{Space: "urn:x", Local: "user"}}}, nil},
		{"an unknown element is skipped, its content too", body(`<extra><id>9</id></extra>` + all), full, map[string][]string{"names": {"a"}},
			[]asmxread.Finding{{Kind: asmxread.Unknown, Element: name("extra")}}, nil},
		{"a repeated member is skipped: the first stands", body(all + `<user>eve</user>`), full, map[string][]string{"names": {"a"}},
			[]asmxread.Finding{{Kind: asmxread.Repeated, Element: name("user"), Member: user}}, nil},
		{"a repeated member is skipped even when unreadable", body(all + `<id>x</id>`), full, map[string][]string{"names": {"a"}},
			[]asmxread.Finding{{Kind: asmxread.Repeated, Element: name("id"), Member: id}}, nil},
		{"out of order is read", body(`<user>bob</user><id>7</id><force>true</force><mode>Hard</mode><until>2024-05-01T10:00:00Z</until><kind>B</kind>`),
			full, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.OutOfOrder, Element: name("id"), Member: id, After: "user"},
				{Kind: asmxread.OutOfOrder, Element: name("kind"), Member: kind, After: "until"}}, nil},
		{"order is against the furthest member read", body(`<until>2024-05-01T10:00:00Z</until><id>7</id><user>bob</user>`),
			map[string]string{"until": "2024-05-01T10:00:00Z", "id": "7", "user": "bob"}, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.OutOfOrder, Element: name("id"), Member: id, After: "until"},
				{Kind: asmxread.OutOfOrder, Element: name("user"), Member: user, After: "until"},
				missing(force), missing(mode)}, nil},
		{"missing value types", body(`<user>bob</user>`), map[string]string{"user": "bob"}, map[string][]string{},
			[]asmxread.Finding{missing(id), missing(force), missing(mode), missing(until)}, nil},
		{"nil on a nillable enum, a string, a list: absent", body(`<id>7</id><user xsi:nil="true"/><force>0</force><mode>Soft</mode><kind xsi:nil="1"/><until>2024-05-01</until><names xsi:nil="true"><string>a</string></names>`),
			map[string]string{"id": "7", "force": "0", "mode": "Soft", "until": "2024-05-01"}, map[string][]string{}, nil, nil},
		{"list items: nil ones left out, other elements skipped", body(`<names><string>a</string><string xsi:nil="true"/><item>b</item><string xmlns="urn:x">c</string><string>d</string></names>`),
			map[string]string{}, map[string][]string{"names": {"a", "d"}},
			[]asmxread.Finding{{Kind: asmxread.NotAnItem, Element: name("item"), Member: names},
				{Kind: asmxread.NotAnItem, Element: xml.Name{Space: "urn:x", Local: "string"}, Member: names},
				missing(id), missing(force), missing(mode), missing(until)}, nil},
		{"an empty list", body(`<id>1</id><force>false</force><mode>Soft</mode><until>2024-05-01</until><names/>`),
			map[string]string{"id": "1", "force": "false", "mode": "Soft", "until": "2024-05-01"}, map[string][]string{"names": {}}, nil, nil},

		// Values the server cannot read: a Fault, and reading stops there.
		{"not an int", body(`<id>x42</id><extra/>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("id"), Reason: "Input string was not in a correct format."}},
		{"an int out of range", body(`<id>2147483648</id>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("id"), Reason: "Input string was not in a correct format."}},
		{"not a boolean", body(`<id>1</id><force>yes</force>`), map[string]string{"id": "1"}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("force"), Reason: "The string 'yes' is not a valid Boolean value."}},
		{"not an enum member (case counts)", body(`<extra/><id>1</id><force>true</force><mode>hard</mode>`), map[string]string{"id": "1", "force": "true"}, map[string][]string{},
			[]asmxread.Finding{{Kind: asmxread.Unknown, Element: name("extra")}},
			&asmxread.Fault{Element: name("mode"), Reason: "Instance validation error: 'hard' is not a valid value for Mode."}},
		{"not a dateTime", body(`<until>tomorrow</until>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("until"), Reason: "The string 'tomorrow' is not a valid AllXsd value."}},
		{"nil on a value type", body(`<id xsi:nil="true"/>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("id"), Reason: "<id> is nil, but a int cannot be"}},
		{"nil on an enum that is not nillable", body(`<id>1</id><force>true</force><mode xsi:nil="true"/>`), map[string]string{"id": "1", "force": "true"}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("mode"), Reason: "<mode> is nil, but a Mode cannot be"}},
		{"an element inside a simple value", body(`<user>b<b>o</b>b</user>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("user"), Reason: "<b> inside a simple value"}},
		{"an element inside a list item", body(`<names><string><b/></string></names>`), map[string]string{}, map[string][]string{}, nil,
			&asmxread.Fault{Element: name("names"), Reason: "<b> inside a simple value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asmxread.Read(op, []byte(tt.body))
			assert.Equal(t, tt.values, r.Values)
			assert.Equal(t, tt.lists, r.Lists)
			assert.Equal(t, tt.findings, r.Findings)
			assert.Equal(t, tt.fault, r.Fault)
		})
	}
}

// XML that cannot be read at all is a Fault with the parser's message.
func TestReadMalformed(t *testing.T) {
	r := asmxread.Read(op, []byte(`<Op xmlns="`+ns+`"><id>1</user></Op>`))
	require.NotNil(t, r.Fault)
	assert.Contains(t, r.Fault.Error(), "element <id> closed by </user>")
	r = asmxread.Read(op, []byte(`<Op`))
	require.NotNil(t, r.Fault)
	assert.Equal(t, name("Op"), r.Fault.Element, "no element read: the operation's")
}

func TestMemberZero(t *testing.T) {
	for _, tt := range []struct {
		m    asmxread.Member
		want string
	}{
		{id, "0"}, {force, "false"}, {mode, "Soft"}, {until, "0001-01-01T00:00:00"}, {user, ""}, {names, ""},
	} {
		assert.Equal(t, tt.want, tt.m.Zero(), tt.m.Name)
	}
}

func TestCanonical(t *testing.T) {
	for _, tt := range []struct {
		m        asmxread.Member
		in, want string
	}{
		{id, " 007 ", "7"}, {id, "+5", "5"}, {id, "-0", "0"}, {id, "x", "x"},
		{force, "1", "true"}, {force, " 0", "false"}, {force, "true", "true"}, {force, "True", "True"},
		{user, " bob ", " bob "}, {mode, "Hard", "Hard"},
	} {
		assert.Equal(t, tt.want, asmxread.Canonical(tt.m, tt.in), "%s %q", tt.m.Name, tt.in)
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{{"42", 42, true}, {" -3\n", -3, true}, {"2147483647", 2147483647, true}, {"2147483648", 0, false}, {"4 2", 0, false}, {"", 0, false}} {
		n, err := asmxread.ParseInt(tt.in)
		assert.Equal(t, tt.ok, err == nil, "%q", tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, n, "%q", tt.in)
		}
	}
	for _, tt := range []struct {
		in       string
		want, ok bool
	}{{"true", true, true}, {"1", true, true}, {" false ", false, true}, {"0", false, true}, {"True", false, false}, {"yes", false, false}, {"", false, false}} {
		b, err := asmxread.ParseBool(tt.in)
		assert.Equal(t, tt.ok, err == nil, "%q", tt.in)
		assert.Equal(t, tt.want, b, "%q", tt.in)
	}
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T10:00:00.5", time.Date(2024, 5, 1, 10, 0, 0, 5e8, time.UTC), true},
		{"2024-05-01T10:00:00+02:00", time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), true},
		{"2024-05-01", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), true},
		{"tomorrow", time.Time{}, false},
	} {
		got, err := asmxread.ParseDateTime(tt.in)
		assert.Equal(t, tt.ok, err == nil, "%q", tt.in)
		assert.True(t, tt.want.Equal(got), "%q: %v", tt.in, got)
	}
}

func TestFindingString(t *testing.T) {
	f := asmxread.Finding{Kind: asmxread.OutOfOrder, Element: name("id"), Member: id, After: "user"}
	assert.Equal(t, "{urn:svc}id: after <user>: read", f.String())
	f = asmxread.Finding{Kind: asmxread.Missing, Element: name("mode"), Member: mode}
	assert.Equal(t, `{urn:svc}mode: missing: read as "Soft"`, f.String())
}
