package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
)

// lastBody wraps a handler and keeps the body of the last request, so the test can compare
// what the three clients sent.
type lastBody struct {
	h    http.Handler
	mu   sync.Mutex
	body []byte
}

func (l *lastBody) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	l.body = b
	l.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(b))
	l.h.ServeHTTP(w, r)
}

func (l *lastBody) last() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.body
}

// TestClientsAgree checks, for each service, that the SDK, gowsdl's client and the
// hand-written minimum all succeed against the canned server (each checks the answer it
// decoded) and send the same SOAP Body, so the benchmarks compare the same work.
func TestClientsAgree(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			a := tg.answers(t)
			rec := &lastBody{h: a.handler()}
			srv := startServer(t, rec, false)
			url := srv.URL + tg.path

			sdk := tg.sdk(t, url, nil)
			require.NoError(t, sdk(ctx)) // the first call logs in where there is a session
			require.NoError(t, sdk(ctx))
			sdkBody, err := xmltest.Body(rec.last())
			require.NoError(t, err)

			require.NoError(t, tg.min(t, url, keepAliveClient(t, nil), a)(ctx))
			minBody, err := xmltest.Body(rec.last())
			require.NoError(t, err)

			gwRec := &lastBody{h: tg.handlerFor(implGowsdl, a)}
			gw := startServer(t, gwRec, false)
			require.NoError(t, tg.gowsdl(t, gw.URL+tg.path, nil, a)(ctx))
			gwBody, err := xmltest.Body(gwRec.last())
			require.NoError(t, err)

			require.Equal(t, sdkBody, minBody, "the minimum sends another body than the SDK")
			require.Equal(t, sdkBody, gwBody, "gowsdl sends another body than the SDK")

			// Over TLS each client trusts the test certificate the way the benchmark sets it up.
			for _, impl := range []string{implSDK, implGowsdl, implMin} {
				srv := startServer(t, tg.handlerFor(impl, a), true)
				require.NoError(t, tg.build(t, impl, srv, a)(ctx), impl+" over TLS")
			}
		})
	}
}
