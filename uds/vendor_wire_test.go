package uds_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds"
)

// The vendor's real WSDL and XSD (../shared/reference/uds) read as a content model: global
// elements, complex types (sequences, complexContent extensions, simpleContent) and enumerated
// simple types, each local element in its schema's target namespace (both schemas are
// elementFormDefault="qualified"). Requests the client sends are validated against it.

type vSchema struct {
	TargetNamespace string     `xml:"targetNamespace,attr"`
	Elements        []vElement `xml:"element"`
	ComplexTypes    []vComplex `xml:"complexType"`
	SimpleTypes     []struct {
		Name   string `xml:"name,attr"`
		Values []struct {
			Value string `xml:"value,attr"`
		} `xml:"restriction>enumeration"`
	} `xml:"simpleType"`
}

type vElement struct {
	Name    string    `xml:"name,attr"`
	Type    string    `xml:"type,attr"`
	Min     string    `xml:"minOccurs,attr"`
	Max     string    `xml:"maxOccurs,attr"`
	Complex *vComplex `xml:"complexType"`
}

type vComplex struct {
	Name      string     `xml:"name,attr"`
	Sequence  []vElement `xml:"sequence>element"`
	Extension *struct {
		Base     string     `xml:"base,attr"`
		Sequence []vElement `xml:"sequence>element"`
	} `xml:"complexContent>extension"`
	Simple *struct {
		Base string `xml:"base,attr"`
	} `xml:"simpleContent>extension"`
}

type vendorModel struct {
	elements map[xml.Name]vElement   // global elements
	complex  map[string]vComplexInNS // by local name
	enums    map[string][]string     // simple type → values
	actions  map[string]string       // binding operation → soapAction
}

type vComplexInNS struct {
	ns string
	c  vComplex
}

// vMember is one member of a flattened sequence.
type vMember struct {
	name     xml.Name
	min, max int // max -1: unbounded
	typ      string
	inline   *vComplex
	inlineNS string
}

func loadVendor(t *testing.T) *vendorModel {
	t.Helper()
	dir := referenceDir(t)
	var wsdl struct {
		Schemas  []vSchema `xml:"types>schema"`
		Bindings []struct {
			Operations []struct {
				Name string `xml:"name,attr"`
				Op   struct {
					Action string `xml:"soapAction,attr"`
				} `xml:"operation"`
			} `xml:"operation"`
		} `xml:"binding"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "ArcotUserManagementSvc.wsdl"))
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &wsdl))
	var xsd vSchema
	b, err = os.ReadFile(filepath.Join(dir, "ArcotUserSchema.xsd"))
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &xsd))

	m := &vendorModel{elements: map[xml.Name]vElement{}, complex: map[string]vComplexInNS{}, enums: map[string][]string{}, actions: map[string]string{}}
	for _, s := range append(wsdl.Schemas, xsd) {
		for _, e := range s.Elements {
			m.elements[xml.Name{Space: s.TargetNamespace, Local: e.Name}] = e
		}
		for _, c := range s.ComplexTypes {
			m.complex[c.Name] = vComplexInNS{ns: s.TargetNamespace, c: c}
		}
		for _, st := range s.SimpleTypes {
			for _, v := range st.Values {
				m.enums[st.Name] = append(m.enums[st.Name], strings.TrimSpace(v.Value))
			}
		}
	}
	for _, bd := range wsdl.Bindings {
		for _, op := range bd.Operations {
			m.actions[op.Name] = op.Op.Action
		}
	}
	require.NotEmpty(t, m.elements)
	return m
}

func local(qname string) string {
	if i := strings.IndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

func occurs(s string, def int) int {
	switch s {
	case "":
		return def
	case "unbounded":
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

// members flattens a complex type declared in namespace ns: base members first.
func (m *vendorModel) members(ns string, c vComplex) []vMember {
	var out []vMember
	add := func(ns string, es []vElement) {
		for _, e := range es {
			out = append(out, vMember{name: xml.Name{Space: ns, Local: e.Name}, min: occurs(e.Min, 1), max: occurs(e.Max, 1),
				typ: e.Type, inline: e.Complex, inlineNS: ns})
		}
	}
	if c.Extension != nil {
		if base, ok := m.complex[local(c.Extension.Base)]; ok {
			out = append(out, m.members(base.ns, base.c)...)
		}
		add(ns, c.Extension.Sequence)
	}
	add(ns, c.Sequence)
	return out
}

type vNode struct {
	name     xml.Name
	text     string
	children []*vNode
}

// bodyTree is the Body's first element of a SOAP 1.2 envelope.
func bodyTree(t *testing.T, envelope []byte) *vNode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(envelope))
	var stack []*vNode
	var body *vNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &vNode{name: tk.Name}
			if len(stack) > 0 {
				stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.name == (xml.Name{Space: soapx.SOAP12.Namespace(), Local: "Body"}) {
				require.Len(t, n.children, 1, "one element in the Body")
				body = n.children[0]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	require.NotNil(t, body, "no SOAP 1.2 Body")
	return body
}

// validate holds n to the members of its type, returning every problem.
func (m *vendorModel) validate(path string, n *vNode, typ string, inline *vComplex, inlineNS string) []string {
	var c vComplex
	var ns string
	switch {
	case inline != nil:
		c, ns = *inline, inlineNS
	default:
		ct, ok := m.complex[local(typ)]
		if !ok {
			return m.simple(path, n, local(typ))
		}
		c, ns = ct.c, ct.ns
	}
	if c.Simple != nil {
		return m.simple(path, n, local(c.Simple.Base))
	}
	ms := m.members(ns, c)
	var problems []string
	pos, count := 0, 0
	for _, ch := range n.children {
		j, found := pos, false
		for j < len(ms) {
			if ms[j].name == ch.name {
				found = true
				break
			}
			if (j == pos && count < ms[j].min) || (j > pos && ms[j].min > 0) {
				break
			}
			j++
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: {%s}%s not allowed here", path, ch.name.Space, ch.name.Local))
			continue
		}
		if j != pos {
			pos, count = j, 0
		}
		count++
		if ms[pos].max >= 0 && count > ms[pos].max {
			problems = append(problems, fmt.Sprintf("%s: {%s}%s more than %d times", path, ch.name.Space, ch.name.Local, ms[pos].max))
		}
		problems = append(problems, m.validate(path+"/"+ch.name.Local, ch, ms[pos].typ, ms[pos].inline, ms[pos].inlineNS)...)
	}
	for j := pos; j < len(ms); j++ {
		have := 0
		if j == pos {
			have = count
		}
		if have < ms[j].min {
			problems = append(problems, fmt.Sprintf("%s: required {%s}%s missing", path, ms[j].name.Space, ms[j].name.Local))
		}
	}
	return problems
}

func (m *vendorModel) simple(path string, n *vNode, typ string) []string {
	if len(n.children) > 0 {
		return []string{path + ": a simple value has children"}
	}
	v := strings.TrimSpace(n.text)
	ok := true
	switch typ {
	case "string":
	case "int":
		_, err := strconv.ParseInt(v, 10, 32)
		ok = err == nil
	case "boolean":
		ok = v == "true" || v == "false" || v == "1" || v == "0"
	case "dateTime":
		_, err := soapx.ParseDateTime(v)
		ok = err == nil && v != ""
	default:
		values, known := m.enums[typ]
		if !known {
			return []string{fmt.Sprintf("%s: type %s unknown to the test", path, typ)}
		}
		ok = false
		for _, e := range values {
			ok = ok || e == v
		}
	}
	if !ok {
		return []string{fmt.Sprintf("%s: %q is not a valid %s", path, v, typ)}
	}
	return nil
}

// The requests of the new operations, with every member the façade can send and with the
// fewest, are valid instances of the vendor's own schema (element names, namespaces, order,
// occurrences and value types), sent with the vendor binding's SOAP action.
func TestNewOperationsAgainstVendorSchema(t *testing.T) {
	vm := loadVendor(t)
	m := newMock(t, ok12(txHeader("TX"), retrieveOK), ok12(txHeader("TX"), retrieveOK), ok12(txHeader("TX"), deleteOK), ok12(txHeader("TX"), deleteOK),
		ok12(txHeader("TX"), listOK), ok12(txHeader("TX"), listOK), ok12(txHeader("TX"), deleteAccOK), ok12(txHeader("TX"), deleteAccOK))
	c, err := uds.New(endpoint, uds.Credentials{}, uds.WithHTTPClient(m.HC))
	require.NoError(t, err)
	ctx := t.Context()
	full := uds.UserID{OrgName: "ACME", UserName: "jdoe", UserRefID: 77}
	bare := uds.UserID{UserName: "jdoe"}
	_, err = c.RetrieveUser(ctx, uds.UserID{OrgName: "ACME", UserName: "jdoe"}, &uds.RetrieveOptions{IncludeAccounts: true, IncludeImage: true, DeepSearch: true, AccountType: "RADIUS_ID", ClientTxID: "t"})
	require.NoError(t, err)
	_, err = c.RetrieveUser(ctx, bare, nil)
	require.NoError(t, err)
	_, err = c.DeleteUser(ctx, full, &uds.DeleteOptions{ClientTxID: "t"})
	require.NoError(t, err)
	_, err = c.DeleteUser(ctx, bare, nil)
	require.NoError(t, err)
	_, err = c.ListUserAccounts(ctx, full, &uds.ListAccountsOptions{AccountType: "RADIUS_ID", ClientTxID: "t"})
	require.NoError(t, err)
	_, err = c.ListUserAccounts(ctx, bare, nil)
	require.NoError(t, err)
	_, err = c.DeleteUserAccount(ctx, full, "RADIUS_ID", &uds.DeleteOptions{ClientTxID: "t"})
	require.NoError(t, err)
	_, err = c.DeleteUserAccount(ctx, bare, "RADIUS_ID", nil)
	require.NoError(t, err)

	ops := []string{"retrieveUser", "retrieveUser", "deleteUser", "deleteUser", "listUserAccounts", "listUserAccounts", "deleteUserAccount", "deleteUserAccount"}
	rq := m.requests()
	require.Len(t, rq, len(ops))
	for i, op := range ops {
		body := bodyTree(t, rq[i].Body)
		decl, ok := vm.elements[body.name]
		require.True(t, ok, "%s: the vendor declares no global element {%s}%s", op, body.name.Space, body.name.Local)
		assert.Empty(t, vm.validate(body.name.Local, body, decl.Type, decl.Complex, body.name.Space), "%s request %d:\n%s", op, i, rq[i].Body)
		assert.Equal(t, `application/soap+xml; charset=utf-8; action="`+vm.actions[op]+`"`, rq[i].Header.Get("Content-Type"), op)
	}
}

// The validator itself finds what it must: a wrong namespace, a wrong order, a missing
// required element, the plural element name, an invalid boolean.
func TestVendorSchemaValidatorCatchesDeviations(t *testing.T) {
	vm := loadVendor(t)
	const env = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:m="` + msgsNS + `" xmlns:u="http://ws.arcot.com/UserSchema/1.0"><e:Body>%s</e:Body></e:Envelope>`
	for name, tc := range map[string]struct{ body, problem string }{
		"member in msgs instead of UserSchema": {`<m:deleteUserRequest><m:userId><m:userName>j</m:userName></m:userId></m:deleteUserRequest>`, "userName not allowed"},
		"clientTxId before userId":             {`<m:deleteUserRequest><m:clientTxId>x</m:clientTxId><m:userId><u:userName>j</u:userName></m:userId></m:deleteUserRequest>`, "clientTxId not allowed"},
		"account missing":                      {`<m:deleteUserAccountRequest><m:userId><u:userName>j</u:userName></m:userId></m:deleteUserAccountRequest>`, "required {" + msgsNS + "}account missing"},
		"accountType missing":                  {`<m:listUserAccountRequest><m:userId><u:userName>j</u:userName></m:userId><m:account><u:accountID>1</u:accountID></m:account></m:listUserAccountRequest>`, "accountID not allowed"},
		"deepSearch before includeAccounts":    {`<m:retrieveUserRequest><m:userIdentifier>j</m:userIdentifier><m:filter><u:deepSearch>true</u:deepSearch><u:includeAccounts>true</u:includeAccounts></m:filter></m:retrieveUserRequest>`, "includeAccounts not allowed"},
		"boolean yes":                          {`<m:retrieveUserRequest><m:userIdentifier>j</m:userIdentifier><m:filter><u:includeAccounts>yes</u:includeAccounts></m:filter></m:retrieveUserRequest>`, "not a valid boolean"},
		"userRefId not an int":                 {`<m:deleteUserRequest><m:userId><u:userName>j</u:userName><u:userRefId>x</u:userRefId></m:userId></m:deleteUserRequest>`, "not a valid int"},
	} {
		t.Run(name, func(t *testing.T) {
			body := bodyTree(t, []byte(fmt.Sprintf(env, tc.body)))
			decl, ok := vm.elements[body.name]
			require.True(t, ok)
			problems := vm.validate(body.name.Local, body, decl.Type, decl.Complex, body.name.Space)
			require.NotEmpty(t, problems)
			assert.Contains(t, strings.Join(problems, "\n"), tc.problem)
		})
	}
	_, plural := vm.elements[xml.Name{Space: msgsNS, Local: "listUserAccountsRequest"}]
	assert.False(t, plural, "the vendor's request element is the singular listUserAccountRequest")
}
