package cas_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/internal/xmltest"
)

// goldenOps are the new operations with the call that sends the golden request
// (testdata/<Op>.body.xml) and the answer the mock gives (testdata/<Op>Response.body.xml).
var goldenOps = []struct {
	op   string
	call func(context.Context, *cas.Client) error
}{
	{"GetDomainEntitlements", func(ctx context.Context, c *cas.Client) error {
		_, err := c.DomainEntitlements(ctx, goldenDomain, cas.EntitlementQuery{OrderBy: cas.PurchaseDateDesc}, 0, 25)
		return err
	}},
	{"GetDomainPermittedSubscriptions", func(ctx context.Context, c *cas.Client) error {
		_, err := c.DomainPermittedSubscriptions(ctx, goldenDomain)
		return err
	}},
	{"GetUserPermittedSubscriptions", func(ctx context.Context, c *cas.Client) error {
		_, err := c.UserPermittedSubscriptions(ctx, "1001")
		return err
	}},
	{"GetUserCAStatus", func(ctx context.Context, c *cas.Client) error {
		_, err := c.UserCAStatus(ctx, "1001")
		return err
	}},
	{"CancelSubscriptionRenewal", func(ctx context.Context, c *cas.Client) error {
		_, err := c.CancelSubscriptionRenewal(ctx, goldenDomain, "101", &cas.RenewalCancelOptions{UserID: "1001", UDID: "dev-1", UserIP: "192.0.2.10"})
		return err
	}},
	{"CancelServiceNow", func(ctx context.Context, c *cas.Client) error {
		_, err := c.CancelServiceNow(ctx, goldenDomain, 456, cas.TransactionSubscription, &cas.CancelServiceOptions{Force: true, UDID: "dev-1"})
		return err
	}},
}

// envelopeOf wraps a body element in the envelope ASMX's help pages show for the version.
func envelopeOf(form wireForm, body string) string {
	if form == soap12 {
		return `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">` +
			"<soap12:Body>" + body + "</soap12:Body></soap12:Envelope>"
	}
	return `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` +
		"<soap:Body>" + body + "</soap:Body></soap:Envelope>"
}

// Each new operation's request, SOAP 1.1 and 1.2, element by element and namespace by
// namespace against the envelope written from the fact sheet, with the headers ASMX routes on.
func TestGoldenEntitlementRequests(t *testing.T) {
	for _, form := range soapForms {
		for _, g := range goldenOps {
			t.Run(form.String()+"/"+g.op, func(t *testing.T) {
				ct := ct11
				if form == soap12 {
					ct = ct12
				}
				hc, m := newMock(t, http.StatusOK, ct, envelopeOf(form, readTestdata(t, g.op+"Response.body.xml")))
				c := newClient(t, hc, form)
				require.NoError(t, g.call(t.Context(), c))

				reqs := m.requests()
				require.Len(t, reqs, 1)
				r := reqs[0]
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, mockEndpoint, r.URL)
				action := "http://ca.tvinci.com/" + g.op
				if form == soap12 {
					assert.Equal(t, []string{ct12 + `; action="` + action + `"`}, r.Header.Values("Content-Type"))
					assert.Empty(t, r.Header.Values("SOAPAction"))
				} else {
					assert.Equal(t, []string{ct11}, r.Header.Values("Content-Type"))
					assert.Equal(t, []string{`"` + action + `"`}, r.Header.Values("SOAPAction"))
				}
				xmltest.Equal(t, []byte(envelopeOf(form, readTestdata(t, g.op+".body.xml"))), []byte(r.Body))
			})
		}
	}
}

// The answers decode into typed results: .NET dates without a zone, with 1 to 7 fractional
// digits and DateTime.MaxValue; xsi:nil for the nillable ScheduledSubscriptionId and for an
// array item; members of later servers (IsPending, PriceDetails) skipped; enums as spelled.
func TestGoldenEntitlementAnswers(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v.UTC()
	}
	maxValue := time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)
	for _, form := range soapForms {
		t.Run(form.String(), func(t *testing.T) {
			ct := map[wireForm]string{soap11: ct11, soap12: ct12}[form]

			hc, _ := newMock(t, http.StatusOK, ct, envelopeOf(form, readTestdata(t, "GetDomainEntitlementsResponse.body.xml")))
			page, err := newClient(t, hc, form).DomainEntitlements(t.Context(), 1, cas.EntitlementQuery{}, 0, 10)
			require.NoError(t, err)
			sid := int64(31)
			assert.Equal(t, &cas.EntitlementPage{TotalItems: 2, Message: "OK", Entitlements: []cas.Entitlement{{
				Type: cas.TransactionSubscription, EntitlementID: "101", CurrentUses: 3,
				EndDate: utc("2026-12-31T23:59:59Z"), CurrentDate: utc("2026-12-04T10:00:00.1234567Z"),
				LastViewDate: utc("2026-11-30T08:15:00.5Z"), PurchaseDate: utc("2025-12-31T21:59:59Z"),
				PurchaseID: 9001, PaymentMethod: "CreditCard", DeviceUDID: "dev-1", DeviceName: "Living room",
				NextRenewalDate: utc("2026-12-31T23:59:59Z"), Renewing: true, Renewable: true,
				PaymentGatewayID: 7, PaymentMethodID: 8, UnifiedPaymentID: 5000000001,
			}, {
				MediaFileID: 77, Type: cas.TransactionPPV, CurrentUses: 1,
				EndDate: utc("2026-12-10T00:00:00Z"), CurrentDate: utc("2026-12-04T10:00:00Z"),
				PurchaseDate: utc("2026-12-03T00:00:00Z"), PurchaseID: 9002, PaymentMethod: "InApp",
				CancelWindow: true, MaxUses: 2, NextRenewalDate: maxValue,
				ScheduledSubscriptionID: &sid, Suspended: true, MediaID: 12,
			}}}, page)
			assert.True(t, page.Entitlements[1].LastViewDate.IsZero(), "0001-01-01T00:00:00 is the zero time")

			for _, op := range []string{"GetDomainPermittedSubscriptions", "GetUserPermittedSubscriptions"} {
				hc, _ = newMock(t, http.StatusOK, ct, envelopeOf(form, readTestdata(t, op+"Response.body.xml")))
				c := newClient(t, hc, form)
				var subs []cas.PermittedSubscription
				if op == "GetDomainPermittedSubscriptions" {
					subs, err = c.DomainPermittedSubscriptions(t.Context(), 1)
				} else {
					subs, err = c.UserPermittedSubscriptions(t.Context(), "1001")
				}
				require.NoError(t, err, op)
				assert.Equal(t, []cas.PermittedSubscription{{
					SubscriptionCode: "101", CurrentUses: 3, EndDate: utc("2026-12-31T23:59:59Z"),
					CurrentDate: utc("2026-12-04T10:00:00.1234567Z"), LastViewDate: utc("2026-11-30T08:15:00Z"),
					PurchaseDate: utc("2025-12-31T23:59:59Z"), NextRenewalDate: maxValue, Renewable: true,
					PurchaseID: 9001, PaymentMethod: "PayPal", DeviceUDID: "dev-1", DeviceName: "Living room",
					InGracePeriod: true, PaymentGatewayID: 7, PaymentMethodID: 8,
				}}, subs, op)
			}

			hc, _ = newMock(t, http.StatusOK, ct, envelopeOf(form, readTestdata(t, "GetUserCAStatusResponse.body.xml")))
			st, err := newClient(t, hc, form).UserCAStatus(t.Context(), "1001")
			require.NoError(t, err)
			assert.Equal(t, cas.CAStatusExSub, st)
			assert.False(t, st.Current())

			// A null array (no Result element) from the domain read is the server failing.
			hc, _ = newMock(t, http.StatusOK, ct, envelopeOf(form, `<GetDomainPermittedSubscriptionsResponse xmlns="http://ca.tvinci.com/" />`))
			_, err = newClient(t, hc, form).DomainPermittedSubscriptions(t.Context(), 1)
			var ne *cas.NullResultError
			require.ErrorAs(t, err, &ne)
			// An empty array is nothing permitted.
			hc, _ = newMock(t, http.StatusOK, ct, envelopeOf(form, `<GetDomainPermittedSubscriptionsResponse xmlns="http://ca.tvinci.com/"><GetDomainPermittedSubscriptionsResult /></GetDomainPermittedSubscriptionsResponse>`))
			subs, err := newClient(t, hc, form).DomainPermittedSubscriptions(t.Context(), 1)
			require.NoError(t, err)
			assert.Empty(t, subs)
			// An unknown CA status is kept as sent.
			hc, _ = newMock(t, http.StatusOK, ct, envelopeOf(form, `<GetUserCAStatusResponse xmlns="http://ca.tvinci.com/"><GetUserCAStatusResult>Lapsed</GetUserCAStatusResult></GetUserCAStatusResponse>`))
			st, err = newClient(t, hc, form).UserCAStatus(t.Context(), "1")
			require.NoError(t, err)
			assert.Equal(t, cas.CAStatus("Lapsed"), st)
		})
	}
}

// xnode is any XML element, for reading the vendor's WSDL independently of the generator.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xnode    `xml:",any"`
}

func (n xnode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n xnode) walk(f func(xnode)) {
	f(n)
	for _, c := range n.Nodes {
		c.walk(f)
	}
}

// vendorSchema reads ../shared/reference/cas/ws_cas_module.wsdl, skipping when it is absent.
func vendorSchema(t *testing.T) xnode {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "reference", "cas", "ws_cas_module.wsdl"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../shared/reference/cas/ws_cas_module.wsdl not present: the vendor comparison needs it")
	}
	require.NoError(t, err)
	var root xnode
	require.NoError(t, xml.Unmarshal(b, &root))
	return root
}

// sequence returns the element names of the sequence of the global element or complex type
// called name (kind "element" or "complexType"), in order.
func sequence(t *testing.T, root xnode, kind, name string) []string {
	t.Helper()
	var out []string
	found := false
	root.walk(func(n xnode) {
		if found || n.XMLName.Local != kind || n.attr("name") != name {
			return
		}
		found = true
		n.walk(func(m xnode) {
			if m.XMLName.Local == "sequence" {
				for _, e := range m.Nodes {
					if e.XMLName.Local == "element" {
						out = append(out, e.attr("name"))
					}
				}
			}
		})
	})
	require.True(t, found, "vendor WSDL has no %s %s", kind, name)
	return out
}

// children returns the names and namespaces of the direct children of the first element
// called local in doc.
func children(t *testing.T, doc []byte, local string) []xml.Name {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth, at := 0, -1
	var out []xml.Name
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch tt := tok.(type) {
		case xml.StartElement:
			depth++
			if at < 0 && tt.Name.Local == local {
				at = depth
			} else if at > 0 && depth == at+1 {
				out = append(out, tt.Name)
			}
		case xml.EndElement:
			if depth == at {
				return out
			}
			depth--
		}
	}
	require.GreaterOrEqual(t, at, 0, "no <%s>", local)
	return out
}

func locals(names []xml.Name) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.Local
	}
	return out
}

// productionOnly are the trailing members the current server takes beyond the 2020 snapshot
// (FACTS-NEXT §2): the snapshot's members must come first, in its order.
var productionOnly = map[string][]string{
	"CancelSubscriptionRenewal": {"userId", "udid", "userIp"},
	"CancelServiceNow":          {"udid"},
	"Entitlement":               {"IsPending", "PriceDetails"},
}

// The requests the client sends hold the vendor's WSDL: the same element names in the same
// order, all in its target namespace (elementFormDefault qualified), and the same SOAP action
// in both bindings; the answers this package's tests decode have the vendor's member order.
func TestEntitlementsAgainstVendorWSDL(t *testing.T) {
	root := vendorSchema(t)
	const tns = "http://ca.tvinci.com/"
	assert.Equal(t, tns, root.attr("targetNamespace"))
	root.walk(func(n xnode) {
		if n.XMLName.Local == "schema" {
			assert.Equal(t, "qualified", n.attr("elementFormDefault"))
		}
	})
	for _, form := range soapForms {
		for _, g := range goldenOps {
			t.Run(form.String()+"/"+g.op, func(t *testing.T) {
				ct := map[wireForm]string{soap11: ct11, soap12: ct12}[form]
				hc, m := newMock(t, http.StatusOK, ct, envelopeOf(form, readTestdata(t, g.op+"Response.body.xml")))
				require.NoError(t, g.call(t.Context(), newClient(t, hc, form)))
				sent := children(t, []byte(m.requests()[0].Body), g.op)
				for _, n := range sent {
					assert.Equal(t, tns, n.Space, "<%s>", n.Local)
				}
				vendor := sequence(t, root, "element", g.op)
				assert.Equal(t, vendor, locals(sent)[:min(len(sent), len(vendor))], "the vendor's members, in its order")
				assert.Equal(t, productionOnly[g.op], nilIfEmpty(locals(sent)[min(len(sent), len(vendor)):]), "then only the current server's trailing members")

				// Response: the vendor's member order.
				resp := []byte(readTestdata(t, g.op+"Response.body.xml"))
				assert.Equal(t, sequence(t, root, "element", g.op+"Response"), locals(children(t, resp, g.op+"Response")))
			})
		}
	}
	t.Run("actions", func(t *testing.T) {
		for _, g := range goldenOps {
			var actions []string
			root.walk(func(n xnode) {
				if n.XMLName.Local == "binding" && n.XMLName.Space == "http://schemas.xmlsoap.org/wsdl/" {
					for _, op := range n.Nodes {
						if op.attr("name") != g.op {
							continue
						}
						for _, o := range op.Nodes {
							if o.XMLName.Local == "operation" {
								actions = append(actions, o.attr("soapAction"))
							}
						}
					}
				}
			})
			assert.Equal(t, []string{"http://ca.tvinci.com/" + g.op, "http://ca.tvinci.com/" + g.op}, actions, g.op)
		}
	})
	t.Run("answer types", func(t *testing.T) {
		ent := []byte(readTestdata(t, "GetDomainEntitlementsResponse.body.xml"))
		assert.Equal(t, sequence(t, root, "complexType", "Entitlements"), locals(children(t, ent, "GetDomainEntitlementsResult")))
		got := locals(children(t, ent, "Entitlement"))
		vendor := sequence(t, root, "complexType", "Entitlement")
		assert.Equal(t, vendor, got[:len(vendor)])
		assert.Equal(t, productionOnly["Entitlement"], got[len(vendor):])
		perm := []byte(readTestdata(t, "GetDomainPermittedSubscriptionsResponse.body.xml"))
		assert.Equal(t, sequence(t, root, "complexType", "PermittedSubscriptionContainer"), locals(children(t, perm, "PermittedSubscriptionContainer")))
	})
	t.Run("enums", func(t *testing.T) {
		enum := func(name string) []string {
			var out []string
			root.walk(func(n xnode) {
				if n.XMLName.Local == "simpleType" && n.attr("name") == name {
					n.walk(func(m xnode) {
						if m.XMLName.Local == "enumeration" {
							out = append(out, m.attr("value"))
						}
					})
				}
			})
			return out
		}
		assert.Equal(t, []string{string(cas.CAStatusAnonymous), string(cas.CAStatusNeverPurchased), string(cas.CAStatusExPPV),
			string(cas.CAStatusExSub), string(cas.CAStatusCurrentPPV), string(cas.CAStatusCurrentSub)}, enum("UserCAStatus"))
		assert.Equal(t, []string{string(cas.PurchaseDateAsc), string(cas.PurchaseDateDesc)}, enum("EntitlementOrderBy"))
		// The snapshot predates ProgramAssetGroupOffer (production has it).
		assert.Equal(t, []string{string(cas.TransactionPPV), string(cas.TransactionSubscription), string(cas.TransactionCollection)}, enum("eTransactionType"))
		assert.True(t, slices.Contains(enum("ePaymentMethod"), "CreditCard"))
		assert.False(t, strings.Contains(strings.Join(enum("UserCAStatus"), " "), "Anonymous"), "the server spells it Annonymus")
	})
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// AllDomainEntitlements against a server that counts pages from 1: page 0 is empty although
// totalItems is not, so the iterator goes on with page 1 and stops at totalItems.
func TestAllDomainEntitlementsOneBasedServer(t *testing.T) {
	page := func(codes ...string) string {
		var items strings.Builder
		for _, c := range codes {
			items.WriteString(`<Entitlement><type>Subscription</type><entitlementId>` + c + `</entitlementId><recurringStatus>true</recurringStatus></Entitlement>`)
		}
		return envelopeOf(soap11, `<GetDomainEntitlementsResponse xmlns="http://ca.tvinci.com/"><GetDomainEntitlementsResult><status><Code>0</Code><Message>OK</Message></status><entitelments>`+
			items.String()+`</entitelments><totalItems>3</totalItems></GetDomainEntitlementsResult></GetDomainEntitlementsResponse>`)
	}
	answers := map[string]string{"0": page(), "1": page("101", "202"), "2": page("303")}
	var mu sync.Mutex
	var indexes []string
	pageIndex := regexp.MustCompile(`<pageIndex[^>]*>(\d+)</pageIndex>`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		idx := pageIndex.FindStringSubmatch(string(b))[1]
		mu.Lock()
		indexes = append(indexes, idx)
		mu.Unlock()
		w.Header().Set("Content-Type", ct11)
		_, _ = io.WriteString(w, answers[idx])
	}))
	defer srv.Close()
	c, err := cas.New(srv.URL+"/ws_cas_module.asmx", goldenCreds)
	require.NoError(t, err)
	var got []string
	for e, err := range c.AllDomainEntitlements(t.Context(), 1, cas.EntitlementQuery{}, 2) {
		require.NoError(t, err)
		got = append(got, e.EntitlementID)
	}
	assert.Equal(t, []string{"101", "202", "303"}, got)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"0", "1", "2"}, indexes)
}
