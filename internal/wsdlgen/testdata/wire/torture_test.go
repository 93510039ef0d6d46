// Wire tests for the code generated from testdata/torture/torture.wsdl, run in a scratch
// package by internal/wsdlgen's TestTorture.

package torture

import (
	"context"
	"errors"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryOperationCallsItsAction(t *testing.T) {
	rec := &recorder{}
	checkActions(t, rec, NewTorturePort(rec), NewAdminPort(rec))
}

const (
	nsOps    = `urn:torture:ops`
	nsCommon = `urn:torture:common`
	nsMsgs   = `urn:torture:msgs`
)

func TestWire(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		version soapx.Version
		action  string
		call    func(w *wire) (any, error)
		request string
		answer  string
		want    any
	}{
		{
			name: "Record: collisions, base type in another namespace, attributes, arrays", version: soapx.SOAP11, action: ActionRecord,
			call: func(w *wire) (any, error) {
				return NewTorturePort(w.client).Record(ctx, &Record{Key: "k1", Last: &RecordType{
					Entity:  &Entity{Id: 7, Created: dt("2024-05-01T10:20:30Z"), Version: 3},
					Status:  "open",
					Status2: ptr(StateOnhold),
					Tags:    []string{"a", "", "b"},
					Label:   &Labelled{Value: "Label text", ValueAttr: "v", Lang: ptr(LanguageFr)},
				}})
			},
			request: `<Record xmlns="` + nsOps + `"><key>k1</key><last version="3">` +
				`<c:id xmlns:c="` + nsCommon + `">7</c:id><c:created xmlns:c="` + nsCommon + `">2024-05-01T10:20:30.000Z</c:created>` +
				`<status>open</status><Status>on-hold</Status><tags>a</tags><tags></tags><tags>b</tags>` +
				`<label value="v" lang="fr">Label text</label></last></Record>`,
			answer: `<RecordResponse xmlns="` + nsOps + `" xmlns:c="` + nsCommon + `"><RecordResult version="4"><c:id>8</c:id>` +
				`<Status>done</Status><note>n</note><label lang="en">x</label></RecordResult></RecordResponse>`,
			want: &RecordResponse{RecordResult: &RecordType{
				Entity:  &Entity{Id: 8, Version: 4},
				Status2: ptr(StateDone),
				Note:    ptr("n"),
				Label:   &Labelled{Value: "x", Lang: ptr(LanguageEn)},
			}},
		},
		{
			name: "Find: a choice's sequence branch, xs:all, anonymous types, text plus value attribute", version: soapx.SOAP12, action: ActionFind,
			call: func(w *wire) (any, error) {
				return NewTorturePort(w.client).Find(ctx, &Find{ByName: "ann", Exact: true, Order: &FindOrder{Field: "name"}, Trace: true})
			},
			request: `<Find xmlns="` + nsOps + `" trace="true"><byName>ann</byName><exact>true</exact><limit>0</limit>` +
				`<order><field>name</field></order></Find>`,
			answer: `<f:FindResponse xmlns:f="` + nsOps + `" more="true"><f:hit><f:id>1</f:id><f:entry value="v1" kind="A">one</f:entry></f:hit>` +
				`<f:hit><f:id>2</f:id></f:hit><f:total>2</f:total></f:FindResponse>`,
			want: &FindResponse{
				Hit:   []*FindResponseHit{{Id: 1, Entry: &FindResponseHitEntry{Value: "one", ValueAttr: "v1", Kind: "A"}}, {Id: 2}},
				Total: 2, More: true,
			},
		},
		{
			name: "GetPlayback and GetPlaybackContext are two operations", version: soapx.SOAP11, action: ActionGetPlaybackContext,
			call: func(w *wire) (any, error) {
				return NewTorturePort(w.client).GetPlaybackContext(ctx, &GetPlaybackContext{AssetId: "a1", When: dt("2024-01-02T03:04:05.5Z")})
			},
			request: `<GetPlaybackContext xmlns="` + nsOps + `"><assetId>a1</assetId><when>2024-01-02T03:04:05.500Z</when></GetPlaybackContext>`,
			answer: `<GetPlaybackContextResponse xmlns="` + nsOps + `"><priority>2</priority>` +
				`<price><amount xmlns="` + nsCommon + `">12345678901234.56</amount><currency xmlns="` + nsCommon + `">EUR</currency></price></GetPlaybackContextResponse>`,
			want: &GetPlaybackContextResponse{Priority: ptr(Priority2), Price: &Money{Amount: "12345678901234.56", Currency: "EUR"}},
		},
		{
			name: "Types: built-in types, Go keywords, an element ref", version: soapx.SOAP11, action: ActionTypes,
			call: func(w *wire) (any, error) {
				return NewTorturePort(w.client).Types(ctx, &Types{S: "s", I: -1, L: 1 << 40, Sh: -2, B: -3, Ub: 255, Us: 65535, Ul: 1 << 63,
					Big: -5, F: 1.5, D: 2.25, Dec: "0.10", Ok: false, At: dt("2024-05-01T00:00:00Z"), Day: "2024-05-01", Bin: "AQID",
					Uri: "http://x/", Tok: "t", Type_: "kind", Astring: "str", List: "1 2 3", Ticket: "T-1"})
			},
			request: `<Types xmlns="` + nsOps + `"><s>s</s><i>-1</i><l>1099511627776</l><sh>-2</sh><b>-3</b><ub>255</ub><us>65535</us>` +
				`<ul>9223372036854775808</ul><big>-5</big><f>1.5</f><d>2.25</d><dec>0.10</dec><ok>false</ok><at>2024-05-01T00:00:00.000Z</at>` +
				`<day>2024-05-01</day><bin>AQID</bin><uri>http://x/</uri><tok>t</tok><type>kind</type><string>str</string><list>1 2 3</list>` +
				`<ticket xmlns="` + nsCommon + `">T-1</ticket></Types>`,
			answer: `<TypesResponse xmlns="` + nsOps + `"><return>true</return></TypesResponse>`,
			want:   &TypesResponse{Return_: true},
		},
		{
			name: "Audit: a message element of a type also used as a member", version: soapx.SOAP12, action: ActionAudit,
			call: func(w *wire) (any, error) {
				return NewTorturePort(w.client).Audit(ctx, &Audit{AuditInfo: AuditInfo{By: "me", At: dt("2024-05-01T10:00:00Z")}})
			},
			request: `<Audit xmlns="` + nsOps + `"><by xmlns="` + nsCommon + `">me</by><at xmlns="` + nsCommon + `">2024-05-01T10:00:00.000Z</at></Audit>`,
			answer: `<AuditResponse xmlns="` + nsOps + `"><previous><by xmlns="` + nsCommon + `">you</by>` +
				`<at xmlns="` + nsCommon + `">2024-04-30T09:00:00</at></previous></AuditResponse>`,
			want: &AuditResponse{Previous: &AuditInfo{By: "you", At: dt("2024-04-30T09:00:00Z")}},
		},
		{
			name: "purge: SOAP 1.2-only port type, optional false boolean left out", version: soapx.SOAP12, action: ActionPurge,
			call: func(w *wire) (any, error) {
				return NewAdminPort(w.client).Purge(ctx, &Purge{OlderThan: dt("2023-12-31T23:59:59Z")})
			},
			request: `<Purge xmlns="` + nsMsgs + `"><olderThan>2023-12-31T23:59:59.000Z</olderThan></Purge>`,
			answer:  `<PurgeResponse xmlns="` + nsMsgs + `"><purged>0</purged></PurgeResponse>`,
			want:    &PurgeResponse{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, tc.version, tc.answer)
			got, err := tc.call(w)
			require.NoError(t, err)
			w.checkRequest(t, tc.action, tc.request)
			assert.Equal(t, tc.want, withoutXMLNames(got))
		})
	}
}

// A soap12:fault declared in the port type gives OperationFaults a detail type that decodes.
func TestDeclaredFaultDecodes(t *testing.T) {
	w := newWire(t, soapx.SOAP12, `<e:Fault xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Code><e:Value>e:Receiver</e:Value></e:Code>`+
		`<e:Reason><e:Text xml:lang="en">failed</e:Text></e:Reason><e:Detail><torturedError xmlns="`+nsMsgs+`"><code>42</code></torturedError></e:Detail></e:Fault>`)
	_, err := NewAdminPort(w.client).Purge(context.Background(), &Purge{})
	var f *soapx.Fault
	require.True(t, errors.As(err, &f), "%v", err)
	details := OperationFaults("purge")
	require.Len(t, details, 1)
	require.NoError(t, f.DecodeDetail(details[0]))
	assert.Equal(t, &TorturedError{XMLName: details[0].(*TorturedError).XMLName, Code: 42}, details[0])
	assert.Equal(t, nsMsgs, details[0].(*TorturedError).XMLName.Space)
	assert.Nil(t, OperationFaults("Find"))
}
