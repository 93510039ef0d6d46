package cas_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
)

const secret = "s3cr3t-CAS-pa55word"

// syncBuffer is a log sink safe for the concurrent writes of a client.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// With debug wire logging on, the password appears in no log record, no error and no
// printed value, in every wire form, on success and on every failure path.
func TestPasswordNeverLeaks(t *testing.T) {
	creds := cas.Credentials{WSUserName: "leak-test-user", WSPassword: secret}
	for _, form := range wireForms {
		t.Run(form.String(), func(t *testing.T) {
			s := castest.NewServer(withCredentials(seeded(), creds))
			t.Cleanup(func() {
				for _, v := range s.Violations() { // only the request sent to a wrong path, on purpose
					assert.Contains(t, v.Reason, "no such resource", v)
				}
			})
			t.Cleanup(s.Close)
			logger, logs := debugLogger()
			c, err := cas.New(s.URL, creds, form.option(), cas.WithLogger(logger), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)
			bad, err := cas.New(s.URL, cas.Credentials{WSUserName: "leak-test-user", WSPassword: secret + "-wrong"},
				form.option(), cas.WithLogger(logger), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)
			lost, err := cas.New(baseURL(s)+"/nowhere.asmx", creds, form.option(), cas.WithLogger(logger), cas.WithHTTPClient(s.HTTPClient()))
			require.NoError(t, err)

			var printed []string
			res, err := c.DeleteUser(t.Context(), 42, "bob")
			require.NoError(t, err)
			printed = append(printed, fmt.Sprintf("%v %+v %#v", res, res, res))
			s.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
			_, err = c.DeleteUser(t.Context(), 42, "alice")
			require.Error(t, err)
			printed = append(printed, err.Error(), fmt.Sprintf("%+v %#v", err, err))
			_, err = bad.DeleteUser(t.Context(), 42, "alice")
			require.ErrorIs(t, err, cas.ErrAuthentication)
			printed = append(printed, err.Error(), fmt.Sprintf("%+v %#v", err, err))
			_, err = lost.DeleteUser(t.Context(), 42, "alice")
			require.Error(t, err)
			printed = append(printed, err.Error(), fmt.Sprintf("%+v %#v", err, err))
			for _, v := range []any{c, *c, bad, creds, form.option()} {
				printed = append(printed, fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%d", v, v, v, v, v, v, v))
			}
			for _, r := range s.Requests() {
				printed = append(printed, fmt.Sprintf("%v|%+v|%#v|%s", r, r, r, r))
			}

			out := logs.String()
			assert.Equal(t, 8, strings.Count(out, `"msg":"soap `), "4 calls, a request and a response record each")
			assert.Contains(t, out, "sWSPassword", "bodies are logged")
			assert.Contains(t, out, "[REDACTED]")
			assert.Contains(t, out, "leak-test-user", "only the password is hidden")
			assert.NotContains(t, out, secret)
			for _, p := range printed {
				assert.NotContains(t, p, secret)
			}
			assert.Contains(t, fmt.Sprintf("%+v", c), "[REDACTED]")
		})
	}
}

// A misbehaving front end that echoes the request back in an error page: the excerpt the
// error carries is redacted too.
func TestEchoedPasswordIsRedacted(t *testing.T) {
	echoes := []struct {
		name, ct, body string
		status         int
	}{
		{"form in HTML", "text/html", "<html><body>Bad request: sWSUserName=" + goldenUser + "&sWSPassword=" + goldenPassword + "&domainId=5</body></html>", http.StatusBadRequest},
		{"XML in HTML", "text/html", "<html><body><pre>&lt;sWSPassword&gt;" + goldenPassword + "&lt;/sWSPassword&gt;</pre></body></html>", http.StatusNotFound},
		{"XML in fault", ct11, `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>could not parse &lt;sWSPassword&gt;` + goldenPassword + `&lt;/sWSPassword&gt;</faultstring></soap:Fault></soap:Body></soap:Envelope>`, http.StatusInternalServerError},
	}
	for _, form := range wireForms {
		for _, e := range echoes {
			t.Run(form.String()+"/"+e.name, func(t *testing.T) {
				hc, _ := newMock(t, e.status, e.ct, e.body)
				logger, logs := debugLogger()
				_, err := newClient(t, hc, form, cas.WithLogger(logger)).DeleteUser(t.Context(), 5, "u-5")
				require.Error(t, err)
				assert.NotContains(t, err.Error(), goldenPassword)
				assert.NotContains(t, fmt.Sprintf("%+v", err), goldenPassword)
				assert.NotContains(t, logs.String(), goldenPassword)
				assert.NotEmpty(t, logs.String())
			})
		}
	}
}
