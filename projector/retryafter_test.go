package projector_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/projector"
)

// One HTTP 429 asking for an hour pauses the client no longer than WithMaxRetryAfter.
func TestRetryAfterPauseIsCapped(t *testing.T) {
	var deletes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if strings.Contains(string(b), "PwsAuthenticate") {
			_, _ = io.WriteString(w, authOK("T1").body)
			return
		}
		if deletes.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, deleteOK("").body)
	}))
	defer srv.Close()
	c, err := projector.New(srv.URL+"/PwsProjectorServices.svc", projector.Credentials{AccountCode: "a", UserName: "u", Password: "pass"},
		projector.WithRateLimitWait(time.Millisecond), projector.WithMaxRetryAfter(200*time.Millisecond))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.DeleteUser(t.Context(), projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
	require.NoError(t, err, "retried after the capped pause")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "the pause is honoured up to the cap")
	assert.Equal(t, int64(2), deletes.Load())
}
