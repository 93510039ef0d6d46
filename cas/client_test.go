package cas_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/internal/xmltest"
)

// expectedRequest asserts the exact request of a wire form: method, URL, headers and the
// body (canonical XML for SOAP, fields for the form).
func expectedRequest(t *testing.T, form wireForm, r sent, domainID int, userID string, act cas.Action) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	userElem := ""
	if userID != "" {
		userElem = "<userId>" + userID + "</userId>"
	}
	inner := fmt.Sprintf(`<HandleUserTask xmlns="http://ca.tvinci.com/"><sWSUserName>%s</sWSUserName><sWSPassword>%s</sWSPassword><domainId>%d</domainId>%s<actionType>%s</actionType></HandleUserTask>`,
		goldenUser, goldenPassword, domainID, userElem, act)
	switch form {
	case soap11:
		assert.Equal(t, mockEndpoint, r.URL)
		assert.Equal(t, []string{ct11}, r.Header.Values("Content-Type"))
		assert.Equal(t, []string{`"` + action + `"`}, r.Header.Values("SOAPAction"))
		xmltest.Equal(t, []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`+inner+`</s:Body></s:Envelope>`), []byte(r.Body))
	case soap12:
		assert.Equal(t, mockEndpoint, r.URL)
		assert.Equal(t, []string{ct12Action}, r.Header.Values("Content-Type"))
		assert.Empty(t, r.Header.Values("SOAPAction"))
		xmltest.Equal(t, []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`+inner+`</s:Body></s:Envelope>`), []byte(r.Body))
	case httpPost:
		assert.Equal(t, postURL, r.URL)
		assert.Equal(t, []string{ctForm}, r.Header.Values("Content-Type"))
		assert.Empty(t, r.Header.Values("SOAPAction"))
		got, err := url.ParseQuery(r.Body)
		require.NoError(t, err)
		assert.Equal(t, url.Values{
			"sWSUserName": {goldenUser}, "sWSPassword": {goldenPassword},
			"domainId": {fmt.Sprint(domainID)}, "userId": {userID}, "actionType": {string(act)},
		}, got)
	}
}

func TestHandleUserTaskSuccess(t *testing.T) {
	const answer = `<Code>0</Code><Message>OK</Message><Args><KeyValuePair><key>recordingsMoved</key><value>3</value></KeyValuePair><KeyValuePair><key>masterUserId</key><value>master-1</value></KeyValuePair></Args>`
	calls := []struct {
		name   string
		call   func(ctx context.Context, c *cas.Client) (*cas.Result, error)
		domain int
		user   string
		action cas.Action
	}{
		{"DeleteUser", func(ctx context.Context, c *cas.Client) (*cas.Result, error) { return c.DeleteUser(ctx, 7, "u-7") }, 7, "u-7", cas.ActionDelete},
		{"DeleteHouseholdRecordings", func(ctx context.Context, c *cas.Client) (*cas.Result, error) {
			return c.DeleteHouseholdRecordings(ctx, 8)
		}, 8, "", cas.ActionDeleteDomain},
		{"HandleUserTask", func(ctx context.Context, c *cas.Client) (*cas.Result, error) {
			return c.HandleUserTask(ctx, 9, "u-9", cas.ActionDeleteDomain)
		}, 9, "u-9", cas.ActionDeleteDomain},
	}
	for _, form := range wireForms {
		for _, call := range calls {
			t.Run(form.String()+"/"+call.name, func(t *testing.T) {
				ct, body := statusBody(form, answer)
				hc, m := newMock(t, http.StatusOK, ct, body)
				c := newClient(t, hc, form)

				res, err := call.call(t.Context(), c)
				require.NoError(t, err)
				assert.Equal(t, &cas.Result{
					Code: cas.CodeOK, Message: "OK", HTTPStatus: http.StatusOK,
					Args: []cas.KeyValue{{Key: "recordingsMoved", Value: "3"}, {Key: "masterUserId", Value: "master-1"}},
				}, res)
				reqs := m.requests()
				require.Len(t, reqs, 1)
				expectedRequest(t, form, reqs[0], call.domain, call.user, call.action)
			})
		}
	}
}

// The vendor's sample answers, as stored in testdata/, decode to the same Result.
func TestVendorSampleAnswers(t *testing.T) {
	for _, tt := range []struct {
		form     wireForm
		file, ct string
	}{
		{soap11, "HandleUserTaskResponse.soap11.xml", ct11},
		{soap12, "HandleUserTaskResponse.soap12.xml", ct12},
		{httpPost, "HandleUserTaskResponse.post.xml", ct11},
	} {
		t.Run(tt.form.String(), func(t *testing.T) {
			hc, _ := newMock(t, http.StatusOK, tt.ct, readTestdata(t, tt.file))
			res, err := newClient(t, hc, tt.form).DeleteUser(t.Context(), goldenDomain, goldenUserID)
			require.NoError(t, err)
			assert.Equal(t, &cas.Result{
				Code: cas.CodeOK, Message: "OK", HTTPStatus: http.StatusOK,
				Args: []cas.KeyValue{{Key: "recordingsMoved", Value: "3"}, {Key: "masterUserId", Value: "master-1"}},
			}, res)
		})
	}
}

// Every code the server can answer becomes a *ServiceError with the right category.
func TestStatusCodes(t *testing.T) {
	categories := []error{cas.ErrNotFound, cas.ErrPermissionDenied, cas.ErrAuthentication,
		cas.ErrMasterUserNotFound, cas.ErrTaskFailed, cas.ErrInvalidInput, cas.ErrProtocol, cas.ErrUnavailable}
	tests := []struct {
		code cas.Code
		want error // nil: no category
	}{
		{cas.CodeDomainNotExists, cas.ErrNotFound},
		{cas.CodeUserNotExistsInDomain, cas.ErrNotFound},
		{cas.CodeUserDoesNotExist, cas.ErrNotFound},
		{cas.CodeUserNotInDomain, cas.ErrNotFound},
		{cas.CodeDomainSuspended, cas.ErrPermissionDenied},
		{cas.CodeUserSuspended, cas.ErrPermissionDenied},
		{cas.CodeMasterUserNotFound, cas.ErrMasterUserNotFound},
		{cas.CodeError, cas.ErrTaskFailed},
		{cas.CodeInvalidUser, nil},
		{cas.Code(3021), nil}, // unknown: kept open
		{cas.Code(-7), nil},
	}
	for _, form := range wireForms {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", form, int(tt.code)), func(t *testing.T) {
				inner := fmt.Sprintf(`<Code>%d</Code><Message>msg %d</Message><Args><KeyValuePair><key>k</key><value>v</value></KeyValuePair><KeyValuePair xsi:nil="true"/></Args>`, int(tt.code), int(tt.code))
				ct, body := statusBody(form, inner)
				hc, m := newMock(t, http.StatusOK, ct, body)

				res, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
				require.Error(t, err)
				assert.Nil(t, res)
				var se *cas.ServiceError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, &cas.ServiceError{
					Operation: "HandleUserTask", Code: tt.code, Message: fmt.Sprintf("msg %d", int(tt.code)),
					Args: []cas.KeyValue{{Key: "k", Value: "v"}}, HTTPStatus: http.StatusOK,
				}, se)
				for _, c := range categories {
					assert.Equal(t, c == tt.want, errors.Is(err, c), "errors.Is(%v)", c)
				}
				assert.Contains(t, err.Error(), fmt.Sprintf("code %d", int(tt.code)))
				assert.Contains(t, err.Error(), fmt.Sprintf("msg %d", int(tt.code)))
				require.Len(t, m.requests(), 1)
				expectedRequest(t, form, m.requests()[0], 5, "u-5", cas.ActionDelete)
			})
		}
	}
}

// Bad web-service credentials: HTTP 404 with a normal Status body is an authentication
// error that keeps what the server said; a 404 without a SOAP answer is a wrong endpoint.
func TestNotFoundStatus(t *testing.T) {
	for _, form := range wireForms {
		t.Run(form.String()+"/credentials", func(t *testing.T) {
			ct, body := statusBody(form, `<Code>1</Code><Message>Error</Message>`)
			hc, m := newMock(t, http.StatusNotFound, ct, body)

			_, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
			require.ErrorIs(t, err, cas.ErrAuthentication)
			assert.NotErrorIs(t, err, cas.ErrNotFound)
			assert.NotErrorIs(t, err, cas.ErrTaskFailed)
			var se *cas.ServiceError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, &cas.ServiceError{Operation: "HandleUserTask", Code: cas.CodeError, Message: "Error", HTTPStatus: http.StatusNotFound}, se)
			assert.Contains(t, err.Error(), "credentials")
			assert.NotContains(t, err.Error(), goldenPassword)
			require.Len(t, m.requests(), 1)
			expectedRequest(t, form, m.requests()[0], 5, "u-5", cas.ActionDelete)
		})
		t.Run(form.String()+"/endpoint", func(t *testing.T) {
			hc, m := newMock(t, http.StatusNotFound, "text/html; charset=utf-8",
				"<html><body><h2>The resource cannot be found.</h2></body></html>")

			_, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
			require.Error(t, err)
			var ee *cas.EndpointError
			require.ErrorAs(t, err, &ee)
			want := mockEndpoint
			if form == httpPost {
				want = postURL
			}
			assert.Equal(t, want, ee.URL)
			var he *cas.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusNotFound, he.StatusCode)
			assert.Contains(t, err.Error(), "endpoint URL is probably wrong")
			assert.Contains(t, err.Error(), want)
			assert.NotErrorIs(t, err, cas.ErrAuthentication)
			assert.NotErrorIs(t, err, cas.ErrNotFound, "a missing endpoint must not read as 'user already gone'")
			var se *cas.ServiceError
			assert.False(t, errors.As(err, &se))
			require.Len(t, m.requests(), 1)
		})
	}
}

// What the runtime reports is wrapped with the operation and stays reachable.
func TestTransportAndProtocolErrors(t *testing.T) {
	fault11 := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Server did not recognize the value of HTTP Header SOAPAction: x.</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>`
	fault12 := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">Unable to handle request.</soap:Text></soap:Reason><soap:Detail /></soap:Fault></soap:Body></soap:Envelope>`
	for _, form := range wireForms {
		t.Run(form.String()+"/502", func(t *testing.T) {
			hc, _ := newMock(t, http.StatusBadGateway, "text/html", "<html>Bad Gateway</html>")
			_, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
			require.ErrorIs(t, err, cas.ErrUnavailable)
			var he *cas.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusBadGateway, he.StatusCode)
			assert.True(t, strings.HasPrefix(err.Error(), "cas: HandleUserTask: "), err.Error())
		})
		t.Run(form.String()+"/not XML", func(t *testing.T) {
			hc, _ := newMock(t, http.StatusOK, "text/plain", "hello")
			_, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
			require.ErrorIs(t, err, cas.ErrProtocol)
			var pe *cas.ProtocolError
			require.ErrorAs(t, err, &pe)
		})
	}
	t.Run("SOAP 1.1 fault", func(t *testing.T) {
		hc, _ := newMock(t, http.StatusInternalServerError, ct11, fault11)
		_, err := newClient(t, hc, soap11).DeleteUser(t.Context(), 5, "u-5")
		var f *cas.Fault
		require.ErrorAs(t, err, &f)
		assert.Equal(t, "Client", f.Code)
		assert.Equal(t, http.StatusInternalServerError, f.HTTPStatus)
		assert.Contains(t, f.Reason, "SOAPAction")
		// A Fault the service answers is its failure: a *ServiceError carrying the Fault.
		var se *cas.ServiceError
		require.ErrorAs(t, err, &se)
		assert.Same(t, f, se.Fault)
		assert.Equal(t, "HandleUserTask", se.Operation)
		assert.Equal(t, cas.Code(0), se.Code)
		assert.Equal(t, f.Reason, se.Message)
		assert.Equal(t, http.StatusInternalServerError, se.HTTPStatus)
		assert.Equal(t, error(f), se.Unwrap())
		for _, target := range []error{cas.ErrAuthentication, cas.ErrTaskFailed, cas.ErrNotFound, cas.ErrPermissionDenied} {
			assert.NotErrorIs(t, err, target)
		}
		assert.Contains(t, se.Error(), "cas: HandleUserTask: soap fault soap:Client")
		assert.Contains(t, se.GoString(), "Fault:&soapx.Fault{")
	})
	t.Run("SOAP 1.2 fault", func(t *testing.T) {
		hc, _ := newMock(t, http.StatusInternalServerError, ct12, fault12)
		_, err := newClient(t, hc, soap12).DeleteUser(t.Context(), 5, "u-5")
		var f *cas.Fault
		require.ErrorAs(t, err, &f)
		assert.Equal(t, "Sender", f.Code)
	})
	for _, form := range []wireForm{soap11, soap12} {
		t.Run(form.String()+"/no result", func(t *testing.T) {
			ct, body := statusBody(form, "")
			body = strings.Replace(body, "<HandleUserTaskResult></HandleUserTaskResult>", "", 1)
			hc, _ := newMock(t, http.StatusOK, ct, body)
			_, err := newClient(t, hc, form).DeleteUser(t.Context(), 5, "u-5")
			require.ErrorIs(t, err, cas.ErrProtocol)
			assert.Contains(t, err.Error(), "no HandleUserTaskResult")
		})
	}
	t.Run("HTTP POST/wrong root element", func(t *testing.T) {
		hc, _ := newMock(t, http.StatusOK, ct11, `<?xml version="1.0"?><Other xmlns="http://ca.tvinci.com/"><Code>0</Code></Other>`)
		_, err := newClient(t, hc, httpPost).DeleteUser(t.Context(), 5, "u-5")
		require.ErrorIs(t, err, cas.ErrProtocol)
	})
}

// Bad input is refused before anything is sent, naming the field.
func TestInputValidation(t *testing.T) {
	tests := []struct {
		name   string
		domain int
		user   string
		action cas.Action
		field  string
	}{
		{"zero household", 0, "u", cas.ActionDelete, "domainID"},
		{"negative household", -3, "u", cas.ActionDelete, "domainID"},
		{"household over int32", 1 << 31, "u", cas.ActionDelete, "domainID"},
		{"zero household for DeleteDomain", 0, "", cas.ActionDeleteDomain, "domainID"},
		{"empty user for Delete", 5, "", cas.ActionDelete, "userID"},
		{"blank user for Delete", 5, "  ", cas.ActionDelete, "userID"},
		{"unknown action", 5, "u", cas.Action("Purge"), "action"},
		{"empty action", 5, "u", cas.Action(""), "action"},
		{"wrong case action", 5, "u", cas.Action("delete"), "action"},
	}
	for _, form := range wireForms {
		for _, tt := range tests {
			t.Run(form.String()+"/"+tt.name, func(t *testing.T) {
				ct, body := statusBody(form, `<Code>0</Code>`)
				hc, m := newMock(t, http.StatusOK, ct, body)
				_, err := newClient(t, hc, form).HandleUserTask(t.Context(), tt.domain, tt.user, tt.action)
				require.ErrorIs(t, err, cas.ErrInvalidInput)
				var ie *cas.InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tt.field, ie.Field)
				assert.Empty(t, m.requests(), "nothing may be sent")
			})
		}
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		creds    cas.Credentials
		opts     []cas.Option
		field    string
	}{
		{"no credentials", mockEndpoint, cas.Credentials{}, nil, "Credentials.WSUserName"},
		{"no user", mockEndpoint, cas.Credentials{WSPassword: "p"}, nil, "Credentials.WSUserName"},
		{"no password", mockEndpoint, cas.Credentials{WSUserName: "u"}, nil, "Credentials.WSPassword"},
		{"unknown SOAP version", mockEndpoint, goldenCreds, []cas.Option{cas.WithSOAPVersion(cas.SOAPVersion(9))}, "WithSOAPVersion"},
		{"SOAP version and HTTP POST", mockEndpoint, goldenCreds, []cas.Option{cas.WithSOAPVersion(cas.SOAP12), cas.WithHTTPPost()}, "WithHTTPPost"},
		{"relative endpoint", "/ws_cas_module.asmx", goldenCreds, nil, "endpoint"},
		{"ftp endpoint", "ftp://host/ws_cas_module.asmx", goldenCreds, nil, "endpoint"},
		{"negative timeout", mockEndpoint, goldenCreds, []cas.Option{cas.WithTimeout(-time.Second)}, "WithTimeout"},
		{"nil HTTP client", mockEndpoint, goldenCreds, []cas.Option{cas.WithHTTPClient(nil)}, "WithHTTPClient"},
		{"negative body limit", mockEndpoint, goldenCreds, []cas.Option{cas.WithBodyLimit(-1)}, "WithBodyLimit"},
		{"negative retry", mockEndpoint, goldenCreds, []cas.Option{cas.WithRetry(-1, 0)}, "WithRetry"},
		{"zero session lifetime", mockEndpoint, goldenCreds, []cas.Option{cas.WithSessionLifetime(0)}, "WithSessionLifetime"},
		{"negative cooldown", mockEndpoint, goldenCreds, []cas.Option{cas.WithRefusalCooldown(-1)}, "WithRefusalCooldown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cas.New(tt.endpoint, tt.creds, tt.opts...)
			assert.Nil(t, c)
			var ie *cas.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.NotContains(t, err.Error(), "p\"")
		})
	}
	c, err := cas.New(mockEndpoint, goldenCreds)
	require.NoError(t, err)
	assert.Equal(t, mockEndpoint, c.Endpoint())
}

// Options reach the wire: the User-Agent, and the client's own timeout.
func TestOptions(t *testing.T) {
	ct, body := statusBody(soap11, `<Code>0</Code>`)
	hc, m := newMock(t, http.StatusOK, ct, body)
	c := newClient(t, hc, soap11, cas.WithUserAgent("offboard-test/1"), cas.WithTimeout(time.Minute), cas.WithLogger(nil))
	_, err := c.DeleteUser(t.Context(), 5, "u-5")
	require.NoError(t, err)
	require.Len(t, m.requests(), 1)
	assert.Equal(t, "offboard-test/1", m.requests()[0].Header.Get("User-Agent"))
}

// Credentials print without the password under every verb, as a value and as a pointer.
func TestCredentialsPrinting(t *testing.T) {
	const password = "creds-print-secret"
	creds := cas.Credentials{WSUserName: "ws-user", WSPassword: password}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10v"} {
		for _, v := range []any{creds, &creds, []cas.Credentials{creds}, struct{ C cas.Credentials }{creds}} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, password, verb)
			if verb != "%x" && verb != "%d" {
				assert.Contains(t, out, "ws-user", verb)
			}
		}
	}
	assert.Equal(t, `cas.Credentials{WSUserName:"ws-user" WSPassword:[REDACTED]}`, creds.String())
	assert.Equal(t, creds.String(), creds.GoString())
	assert.Equal(t, `cas.Credentials{WSUserName:"" WSPassword:<empty>}`, cas.Credentials{}.String())
	assert.Equal(t, strconv.Quote(creds.String()), fmt.Sprintf("%q", creds))
}

// The ServiceError of a Status: every field printed by GoString, the categories by Is.
func TestServiceErrorPrinting(t *testing.T) {
	se := &cas.ServiceError{Operation: "HandleUserTask", Code: cas.CodeDomainNotExists, Message: "Household does not exist", HTTPStatus: 200,
		Args: []cas.KeyValue{{Key: "k", Value: "v"}}}
	assert.Equal(t, `cas: HandleUserTask: code 1006 DomainNotExists: "Household does not exist" [k="v"]`, se.Error())
	assert.Equal(t, `&cas.ServiceError{Operation:"HandleUserTask", Code:1006, Message:"Household does not exist", HTTPStatus:200, Fault:nil, Args:[]cas.KeyValue{cas.KeyValue{Key:"k", Value:"v"}}}`, se.GoString())
	assert.Nil(t, se.Unwrap())
	assert.ErrorIs(t, se, cas.ErrNotFound)
}

func TestCodeString(t *testing.T) {
	assert.Equal(t, "DomainNotExists", cas.CodeDomainNotExists.String())
	assert.Equal(t, "OK", cas.CodeOK.String())
	assert.Equal(t, "Code(3021)", cas.Code(3021).String())
	assert.Equal(t, "SOAP 1.1", cas.SOAP11.String())
	assert.Equal(t, "SOAP 1.2", cas.SOAP12.String())
	assert.Equal(t, "SOAPVersion(0)", cas.SOAPVersion(0).String())
}
