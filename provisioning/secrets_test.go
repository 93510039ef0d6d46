package provisioning_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSecretsNeverLeak runs connects, a reconnect, calls and failures with a debug logger,
// then looks for every OTP and session cookie the server saw in the log, in the errors and in
// the formatted client.
func TestSecretsNeverLeak(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const challenge = "server-pin-8812"
	var refuse bool
	var mu sync.Mutex
	s := provisioningtest.NewServer(provisioningtest.Options{
		Authenticate: func(email, otp string) (provisioning.ConnectResult, string) {
			mu.Lock()
			defer mu.Unlock()
			if refuse {
				return provisioning.ConnectServerPINProvided, challenge
			}
			return provisioning.ConnectAuthSuccess, ""
		},
	})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c := s.NewClient(t, provisioning.WithLogger(logger))
	ctx := t.Context()
	id := s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "alice"}}})

	var errs []error
	_, err := c.TasksForUser(ctx, org, "alice", 0, 10)
	require.NoError(t, err)
	s.ExpireSessions()
	require.NoError(t, c.RemoveUsersFromTask(ctx, org, id, []string{"alice"}, false))
	errs = append(errs, c.RemoveUsersFromTask(ctx, org, id, []string{"alice"}, false))
	s.FailNext(provisioningtest.Failure{Message: "boom"})
	_, err = c.TaskCount(ctx, org)
	errs = append(errs, err)
	mu.Lock()
	refuse = true
	mu.Unlock()
	s.ExpireSessions()
	_, err = c.TaskCount(ctx, org)
	errs = append(errs, err)
	err = c.Login(ctx)
	errs = append(errs, err)

	var secrets []string
	for _, r := range s.Requests() {
		if r.Operation == "Connect" {
			secrets = append(secrets, r.Params["OTP"])
		}
		if r.SessionID != "" {
			secrets = append(secrets, r.SessionID)
		}
	}
	require.GreaterOrEqual(t, len(secrets), 6, "OTPs and session ids were used")
	secrets = append(secrets, challenge)

	out := logs.String()
	require.Contains(t, out, "http://www.cryptocard.com/blackshield/Connect", "the exchanges were logged")
	require.Contains(t, out, "Cookie", "the cookie headers were logged…")
	require.Contains(t, out, "[REDACTED]", "…redacted")
	var texts []string
	texts = append(texts, out, fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c))
	for _, err := range errs {
		require.Error(t, err)
		texts = append(texts, err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err))
	}
	for _, text := range texts {
		for _, secret := range secrets {
			assert.NotContains(t, text, secret)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", c), s.URL)
}

func TestClientFormatting(t *testing.T) {
	otp := func(context.Context) (string, error) { return "s3cret-otp", nil }
	c, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp}, provisioning.WithSOAPVersion(provisioning.SOAP12))
	require.NoError(t, err)
	want := `provisioning.Client{endpoint: "https://bsidca.example.test/bsidca/BSIDCA.asmx", operator: "operator@example.com", SOAP 1.2}`
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.Equal(t, want, fmt.Sprintf(verb, c), verb)
	}
	// User info in the endpoint is refused, and the refusal does not repeat it.
	_, err = provisioning.New("https://admin:hunter2@bsidca.example.test/bsidca/BSIDCA.asmx", provisioning.Credentials{OperatorEmail: operator, OTP: otp})
	require.ErrorIs(t, err, provisioning.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "hunter2")
	var nilClient *provisioning.Client
	assert.Equal(t, "provisioning.Client(nil)", fmt.Sprint(nilClient))
}
