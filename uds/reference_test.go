package uds_test

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// referenceDir is ../shared/reference/uds seen from the module root (the test runs in uds/).
func referenceDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "reference", "uds")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("vendor reference files not available (%v)", err)
	}
	return dir
}

// TestAnAHeadersMatchVendorDocumentation: the AnA header elements the client sends are the
// ones the vendor WSDL's portType documentation names, in the namespace it names.
func TestAnAHeadersMatchVendorDocumentation(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(referenceDir(t), "ArcotUserManagementSvc.wsdl"))
	require.NoError(t, err)
	doc := string(b)
	const ns = "http://ws.arcot.com/UDSTransaction/1.0"
	assert.Contains(t, doc, "qualified with the <i>"+ns+"</i> namespace")
	for _, h := range []any{udswsdl.UserID{}, udswsdl.OrgName{}, udswsdl.Credential{}, udswsdl.AuthToken{}} {
		name := xmlName(t, h)
		assert.Equal(t, ns, name.Space)
		assert.Contains(t, doc, "<li>"+name.Local+":", "the documentation lists %s", name.Local)
	}
	for _, action := range []string{udswsdl.ActionUpdateUserStatus, udswsdl.ActionGetUserStatus} {
		assert.Contains(t, doc, `soapAction="`+action+`"`)
	}
	assert.Contains(t, doc, "<soap12:binding", "the vendor binding is SOAP 1.2")
	assert.NotContains(t, doc, "<soap:binding", "and only SOAP 1.2")
}

// TestStatusesMatchVendorSchema: the four Status constants are UserStatusType's values.
func TestStatusesMatchVendorSchema(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(referenceDir(t), "ArcotUserSchema.xsd"))
	require.NoError(t, err)
	var schema struct {
		SimpleTypes []struct {
			Name   string `xml:"name,attr"`
			Values []struct {
				Value string `xml:"value,attr"`
			} `xml:"restriction>enumeration"`
		} `xml:"simpleType"`
	}
	require.NoError(t, xml.Unmarshal(b, &schema))
	var values []uds.Status
	for _, st := range schema.SimpleTypes {
		if st.Name == "UserStatusType" {
			for _, v := range st.Values {
				values = append(values, uds.Status(strings.TrimSpace(v.Value)))
			}
		}
	}
	assert.ElementsMatch(t, []uds.Status{uds.StatusInitial, uds.StatusActive, uds.StatusInactive, uds.StatusDeleted}, values)
}

func xmlName(t *testing.T, v any) xml.Name {
	t.Helper()
	b, err := xml.Marshal(v)
	require.NoError(t, err)
	var probe struct{ XMLName xml.Name }
	require.NoError(t, xml.Unmarshal(b, &probe))
	return probe.XMLName
}
