package provisioning_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/provisioning"
)

// tokenEnvelope is a whole request envelope of the version, as the fact sheet's samples write
// it (FACTS-NEXT §3: the GetTokensByOwner SOAP 1.2 sample, the ASMX SOAP 1.1 layout).
func tokenEnvelope(version provisioning.SOAPVersion, body string) string {
	if version == provisioning.SOAP12 {
		return `<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body>` +
			body + `</soap12:Body></soap12:Envelope>`
	}
	return `<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		body + `</soap:Body></soap:Envelope>`
}

// Each token operation's request, SOAP 1.1 and 1.2, compared as a whole envelope element by
// element and namespace by namespace with the one written from the fact sheet, with its
// headers and session cookie; and its answer decoded into typed results.
func TestGoldenTokenRequests(t *testing.T) {
	tests := []struct {
		op     string
		answer func(t *testing.T) answer
		call   func(ctx context.Context, c *provisioning.Client) (any, error)
		body   string
		want   any
	}{
		{
			op: "GetTokensByOwner",
			answer: func(*testing.T) answer {
				return result("GetTokensByOwner", `<string>MP-0001</string><string>KT-0002</string>`)
			},
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.TokensByOwner(ctx, "Cina Demo", "jdoe")
			},
			// FACTS-NEXT §3, TestController.java:41-50.
			body: `<GetTokensByOwner xmlns="http://www.cryptocard.com/blackshield/"><userName>jdoe</userName><organization>Cina Demo</organization></GetTokensByOwner>`,
			want: []string{"MP-0001", "KT-0002"},
		},
		{
			op:     "GetTokens",
			answer: func(t *testing.T) answer { return result("GetTokens", testdata(t, "tokens-result.xml")) },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.Tokens(ctx, org, provisioning.TokenQuery{Type: provisioning.TokenMobilePASS, Serial: "MP-0001"}, 0, 1)
			},
			// state and container omitted (no filter); startRecord and pageSize always sent.
			body: `<GetTokens xmlns="http://www.cryptocard.com/blackshield/"><type>MobilePASS</type><serial>MP-0001</serial><organization>Example Org</organization><startRecord>0</startRecord><pageSize>1</pageSize></GetTokens>`,
			want: []provisioning.Token{
				{Serial: "MP-0001", State: "Active", StateSetDate: time.Date(2023, 1, 1, 9, 0, 0, 123e6, time.UTC), UserID: "jdoe",
					Organization: org, Type: provisioning.TokenMobilePASS, Rented: "false", HardwareInit: true, StateInt: 1, TokenAllowed: 1},
				{Serial: "KT-0002", State: "Active", StateSetDate: time.Date(2023, 2, 1, 8, 30, 0, 0, time.UTC), UserID: "jdoe",
					Organization: org, Type: provisioning.TokenKT, Container: "hw", ICE: "ICE-7", StateInt: 1},
			},
		},
		{
			op:     "RevokeToken",
			answer: func(*testing.T) answer { return result("RevokeToken", "Success") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.RevokeToken(ctx, org, "MP-0001", "jdoe", &provisioning.RevokeOptions{Comment: "Revoke-Comment"})
			},
			// The PowerShell proxy's order (STA-PS1); the default mode back to inventory.
			body: `<RevokeToken xmlns="http://www.cryptocard.com/blackshield/"><serial>MP-0001</serial><userName>jdoe</userName><comment>Revoke-Comment</comment><revokeMode>ReturntoInventory_Initialized</revokeMode><revokeStaticPassword>false</revokeStaticPassword><organization>Example Org</organization></RevokeToken>`,
			want: provisioning.RevokeSuccess,
		},
		{
			op:     "RevokeToken",
			answer: func(*testing.T) answer { return result("RevokeToken", "BothSuccess") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.RevokeToken(ctx, org, "MP-0001", "jdoe", &provisioning.RevokeOptions{Mode: provisioning.RevokeToInventoryNotInitialized, RevokeStaticPassword: true})
			},
			body: `<RevokeToken xmlns="http://www.cryptocard.com/blackshield/"><serial>MP-0001</serial><userName>jdoe</userName><revokeMode>ReturntoInventory_NotInitialized</revokeMode><revokeStaticPassword>true</revokeStaticPassword><organization>Example Org</organization></RevokeToken>`,
			want: provisioning.RevokeBothSuccess,
		},
		{
			op:     "RemoveUser",
			answer: func(*testing.T) answer { return result("RemoveUser", "Deleted") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return nil, c.RemoveUser(ctx, org, "jdoe", &provisioning.RemoveUserOptions{TokenMode: provisioning.RevokeLost})
			},
			// GUESS (FACTS-NEXT §3): userName, tokenOption, organization.
			body: `<RemoveUser xmlns="http://www.cryptocard.com/blackshield/"><userName>jdoe</userName><tokenOption>Lost</tokenOption><organization>Example Org</organization></RemoveUser>`,
		},
	}
	for _, version := range versions {
		for _, tt := range tests {
			t.Run(version.String()+"/"+tt.op, func(t *testing.T) {
				m, c, _ := newMock(t, version)
				m.on(tt.op, tt.answer(t))
				got, err := tt.call(t.Context(), c)
				require.NoError(t, err)
				if tt.want != nil {
					if toks, ok := got.([]provisioning.Token); ok {
						for i := range toks {
							toks[i].StateSetDate = toks[i].StateSetDate.UTC()
						}
					}
					assert.Equal(t, tt.want, got)
				}
				require.Equal(t, []string{"Connect", tt.op}, m.ops())
				req := m.requests()[1]
				assertRequest(t, version, tt.op, req)
				assert.Equal(t, "ASP.NET_SessionId=sess1", req.Header.Get("Cookie"))
				xmltest.Equal(t, []byte(tokenEnvelope(version, tt.body)), req.Body)
			})
		}
	}
}

// Results the package does not know are kept as they came; a missing result is a protocol
// error, never a success.
func TestTokenResultsKeptRaw(t *testing.T) {
	tests := []struct {
		op     string
		answer answer
		call   func(ctx context.Context, c *provisioning.Client) error
		raw    string
		is     error
	}{
		{"RevokeToken", result("RevokeToken", "SuccessFail"), func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.RevokeToken(ctx, org, "S", "u", nil)
			return err
		}, "SuccessFail", provisioning.ErrRevokeFailed},
		{"RevokeToken", result("RevokeToken", "Pending"), func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.RevokeToken(ctx, org, "S", "u", nil)
			return err
		}, "Pending", nil},
		{"RemoveUser", result("RemoveUser", "UserIsOperator"), func(ctx context.Context, c *provisioning.Client) error {
			return c.RemoveUser(ctx, org, "u", nil)
		}, "UserIsOperator", provisioning.ErrUserNotRemoved},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			m, c, _ := newMock(t, provisioning.SOAP11)
			m.on(tt.op, tt.answer)
			err := tt.call(t.Context(), c)
			var re *provisioning.ServiceError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.raw, re.Code)
			assert.Equal(t, tt.op, re.Operation)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			} else {
				assert.NotErrorIs(t, err, provisioning.ErrRevokeFailed)
			}
		})
	}
	t.Run("missing result", func(t *testing.T) {
		m, c, _ := newMock(t, provisioning.SOAP12)
		m.on("RevokeToken", answer{body: `<RevokeTokenResponse xmlns="http://www.cryptocard.com/blackshield/"/>`})
		_, err := c.RevokeToken(t.Context(), org, "S", "u", nil)
		assert.ErrorIs(t, err, provisioning.ErrProtocol)
	})
}
