package provisioning_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/offboard-go/offboard/provisioning"
)

const org = "Example Org"

// utc makes decoded times comparable with require.Equal (a fixed zone is a distinct
// *time.Location from the expected one).
func utcTasks(tasks []provisioning.Task) []provisioning.Task {
	for i := range tasks {
		tasks[i].StartDate, tasks[i].StopDate = tasks[i].StartDate.UTC(), tasks[i].StopDate.UTC()
	}
	return tasks
}

func utcUsers(users []provisioning.TaskUser) []provisioning.TaskUser {
	for i := range users {
		users[i].StartDate, users[i].StopDate = users[i].StartDate.UTC(), users[i].StopDate.UTC()
	}
	return users
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// wantTasks is testdata/tasks-result.xml decoded.
var wantTasks = []provisioning.Task{
	{TaskID: 1042, Operator: "operator@example.com", StartDate: date("2024-03-01T08:30:00Z"), Count: 3,
		TokenOption: "MobilePASS", StopDate: date("2024-03-15T08:30:00.1234567Z"), Status: "Active"},
	// NULL operator and stop date are omitted on the wire; a zone-less date is UTC.
	{TaskID: 1043, StartDate: date("2024-04-02T08:00:00Z"), Count: 1, TokenOption: "GrIDsure"},
}

// wantUsers is testdata/details-result.xml decoded.
var wantUsers = []provisioning.TaskUser{
	{UserID: "u-17", UserName: "alice", StartDate: date("2024-03-01T09:30:00.5Z"), StopDate: date("2024-03-15T00:00:00Z"),
		Status: "Pending", SerialNumber: "1234567890", Description: "MobilePASS for alice & co"},
	{UserID: "u-18", UserName: "bob", StartDate: date("2024-03-01T09:30:00.5Z"), Status: "Enrolled"},
}

// TestOperationRequests checks, for every operation and both SOAP versions, the exact request
// sent (method, URL, headers, session cookie, body) and the decoded answer.
func TestOperationRequests(t *testing.T) {
	tests := []struct {
		op     string
		answer func(t *testing.T) answer
		call   func(ctx context.Context, c *provisioning.Client) (any, error)
		body   string
		want   any
	}{
		{
			op:     "GetProvisioningTaskCount",
			answer: func(*testing.T) answer { return result("GetProvisioningTaskCount", "7") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.TaskCount(ctx, org)
			},
			body: `<GetProvisioningTaskCount xmlns="http://www.cryptocard.com/blackshield/"><organization>Example Org</organization></GetProvisioningTaskCount>`,
			want: 7,
		},
		{
			op:     "GetProvisioningTasksForUserCount",
			answer: func(*testing.T) answer { return result("GetProvisioningTasksForUserCount", "2") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return c.TaskCountForUser(ctx, org, "alice")
			},
			body: `<GetProvisioningTasksForUserCount xmlns="http://www.cryptocard.com/blackshield/"><user>alice</user><organization>Example Org</organization></GetProvisioningTasksForUserCount>`,
			want: 2,
		},
		{
			op:     "GetProvisioningTasks",
			answer: func(t *testing.T) answer { return result("GetProvisioningTasks", testdata(t, "tasks-result.xml")) },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				tasks, err := c.Tasks(ctx, org, 0, 25)
				return utcTasks(tasks), err
			},
			// startRecord 0 is required, so it is sent.
			body: `<GetProvisioningTasks xmlns="http://www.cryptocard.com/blackshield/"><organization>Example Org</organization><startRecord>0</startRecord><numberOfRecords>25</numberOfRecords></GetProvisioningTasks>`,
			want: wantTasks,
		},
		{
			op: "GetProvisioningTasksForUser",
			answer: func(t *testing.T) answer {
				return result("GetProvisioningTasksForUser", testdata(t, "tasks-result.xml"))
			},
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				tasks, err := c.TasksForUser(ctx, org, "alice", 10, 5)
				return utcTasks(tasks), err
			},
			body: `<GetProvisioningTasksForUser xmlns="http://www.cryptocard.com/blackshield/"><user>alice</user><organization>Example Org</organization><startRecord>10</startRecord><numberOfRecords>5</numberOfRecords></GetProvisioningTasksForUser>`,
			want: wantTasks,
		},
		{
			op: "GetProvisioningTaskDetails",
			answer: func(t *testing.T) answer {
				return result("GetProvisioningTaskDetails", testdata(t, "details-result.xml"))
			},
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				users, err := c.TaskUsers(ctx, org, 1042)
				return utcUsers(users), err
			},
			body: `<GetProvisioningTaskDetails xmlns="http://www.cryptocard.com/blackshield/"><taskID>1042</taskID><organization>Example Org</organization></GetProvisioningTaskDetails>`,
			want: wantUsers,
		},
		{
			op: "RemoveProvisioningTask",
			answer: func(*testing.T) answer {
				return answer{body: `<RemoveProvisioningTaskResponse xmlns="http://www.cryptocard.com/blackshield/" />`}
			},
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return nil, c.RemoveTask(ctx, org, 1042, false)
			},
			// sendNotificationEmail false is required, so it is sent.
			body: `<RemoveProvisioningTask xmlns="http://www.cryptocard.com/blackshield/"><taskID>1042</taskID><sendNotificationEmail>false</sendNotificationEmail><organization>Example Org</organization></RemoveProvisioningTask>`,
		},
		{
			op:     "RemoveUsersFromProvisioningTask",
			answer: func(*testing.T) answer { return result("RemoveUsersFromProvisioningTask", "true") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				return nil, c.RemoveUsersFromTask(ctx, org, 1042, []string{"alice", "bob"}, true)
			},
			body: `<RemoveUsersFromProvisioningTask xmlns="http://www.cryptocard.com/blackshield/"><taskID>1042</taskID><userNames><string>alice</string><string>bob</string></userNames><sendNotificationEmail>true</sendNotificationEmail><organization>Example Org</organization></RemoveUsersFromProvisioningTask>`,
		},
		{
			op:     "UpdateProvisioningStopDate",
			answer: func(*testing.T) answer { return result("UpdateProvisioningStopDate", "true") },
			call: func(ctx context.Context, c *provisioning.Client) (any, error) {
				stop := time.Date(2024, 7, 1, 0, 0, 0, 0, time.FixedZone("CEST", 2*3600))
				return nil, c.UpdateStopDate(ctx, org, 1042, []string{"alice"}, stop)
			},
			// The instant goes out in UTC.
			body: `<UpdateProvisioningStopDate xmlns="http://www.cryptocard.com/blackshield/"><taskID>1042</taskID><userNames><string>alice</string></userNames><newStopDate>2024-06-30T22:00:00.000Z</newStopDate><organization>Example Org</organization></UpdateProvisioningStopDate>`,
		},
	}
	for _, version := range []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12} {
		for _, tt := range tests {
			t.Run(version.String()+"/"+tt.op, func(t *testing.T) {
				m, c, _ := newMock(t, version)
				m.on(tt.op, tt.answer(t))

				got, err := tt.call(t.Context(), c)
				require.NoError(t, err)
				if tt.want != nil {
					assert.Equal(t, tt.want, got)
				}
				require.Equal(t, []string{"Connect", tt.op}, m.ops())

				connect := m.requests()[0]
				assertRequest(t, version, "Connect", connect)
				assert.Empty(t, connect.Header.Get("Cookie"), "Connect is sent without a session")
				assertBody(t, `<Connect xmlns="http://www.cryptocard.com/blackshield/"><OperatorEmail>operator@example.com</OperatorEmail><OTP>otp-1</OTP></Connect>`, connect.Body)

				req := m.requests()[1]
				assertRequest(t, version, tt.op, req)
				assert.Equal(t, "ASP.NET_SessionId=sess1", req.Header.Get("Cookie"))
				assertBody(t, tt.body, req.Body)
			})
		}
	}
}

// assertRequest checks the HTTP side of a SOAP request of op.
func assertRequest(t *testing.T, version provisioning.SOAPVersion, op string, r mockReq) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, endpoint, r.URL)
	if version == provisioning.SOAP11 {
		assert.Equal(t, "text/xml; charset=utf-8", r.Header.Get("Content-Type"))
		assert.Equal(t, `"`+ns+op+`"`, r.Header.Get("SOAPAction"))
	} else {
		assert.Equal(t, `application/soap+xml; charset=utf-8; action="`+ns+op+`"`, r.Header.Get("Content-Type"))
		assert.Empty(t, r.Header.Values("SOAPAction"))
	}
}

// assertBody compares the SOAP Body of envelope with want, namespace-aware.
func assertBody(t *testing.T, want string, envelope []byte) {
	t.Helper()
	got, err := xmltest.Body(envelope)
	require.NoError(t, err)
	w, err := xmltest.Canonical([]byte(want))
	require.NoError(t, err)
	assert.Equal(t, w, got)
}

func TestPingConnection(t *testing.T) {
	m, c, otp := newMock(t, provisioning.SOAP11)
	m.on("PingConnection", pingAnswer(false), pingAnswer(true))

	alive, err := c.PingConnection(t.Context())
	require.NoError(t, err)
	assert.False(t, alive)
	assert.Equal(t, []string{"PingConnection"}, m.ops(), "PingConnection never connects")
	assert.Zero(t, otp.calls())
	assertBody(t, `<PingConnection xmlns="http://www.cryptocard.com/blackshield/" />`, m.last("PingConnection").Body)

	require.NoError(t, c.Login(t.Context()))
	alive, err = c.PingConnection(t.Context())
	require.NoError(t, err)
	assert.True(t, alive)
	assert.Equal(t, "ASP.NET_SessionId=sess1", m.last("PingConnection").Header.Get("Cookie"))
}

func TestConnectResults(t *testing.T) {
	results := []provisioning.ConnectResult{
		provisioning.ConnectAuthFailure, provisioning.ConnectChallenge, provisioning.ConnectServerPINProvided,
		provisioning.ConnectUserPINChange, provisioning.ConnectOuterWindowAuth, provisioning.ConnectChangeStaticPassword,
		provisioning.ConnectStaticChangeFailed, provisioning.ConnectPINChangeFailed,
		"SOMETHING_NEW", // an unknown value is kept
	}
	for _, want := range results {
		t.Run(string(want), func(t *testing.T) {
			m, c, _ := newMock(t, provisioning.SOAP11)
			m.on("Connect", connectAnswer(string(want), "secret-challenge-4711"))

			err := c.Login(t.Context())
			var ce *provisioning.ConnectError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, want, ce.Result)
			assert.Equal(t, "secret-challenge-4711", ce.Challenge)
			assert.ErrorIs(t, err, provisioning.ErrAuthentication)
			assert.Contains(t, err.Error(), string(want))
			assert.NotContains(t, err.Error(), "4711", "the challenge may be secret")
			assert.NotContains(t, ce.GoString(), "4711")

			// The refusal is remembered: an operation needing the session reports it and
			// nothing is sent, not even another Connect (each would spend an OTP).
			_, err = c.TaskCount(t.Context(), org)
			require.ErrorAs(t, err, &ce)
			var re *provisioning.RefusedError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, err.Error(), "not sent")
			assert.Equal(t, []string{"Connect"}, m.ops())
		})
	}
}

func TestConnectErrors(t *testing.T) {
	t.Run("OTP source fails", func(t *testing.T) {
		hc := &http.Client{}
		httpmock.ActivateNonDefault(hc)
		defer httpmock.DeactivateAndReset()
		boom := context.DeadlineExceeded
		c, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: func(context.Context) (string, error) { return "", boom }},
			provisioning.WithHTTPClient(hc))
		require.NoError(t, err)
		_, err = c.TaskCount(t.Context(), org)
		require.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "OTP source")
		assert.Zero(t, httpmock.GetTotalCallCount())
	})
	t.Run("empty OTP", func(t *testing.T) {
		hc := &http.Client{}
		httpmock.ActivateNonDefault(hc)
		defer httpmock.DeactivateAndReset()
		c, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: func(context.Context) (string, error) { return "", nil }},
			provisioning.WithHTTPClient(hc))
		require.NoError(t, err)
		err = c.Login(t.Context())
		var ie *provisioning.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "Credentials.OTP", ie.Field)
		assert.Zero(t, httpmock.GetTotalCallCount())
	})
	t.Run("no ConnectResult", func(t *testing.T) {
		m, c, _ := newMock(t, provisioning.SOAP11)
		m.on("Connect", answer{body: `<ConnectResponse xmlns="http://www.cryptocard.com/blackshield/" />`})
		err := c.Login(t.Context())
		require.ErrorIs(t, err, provisioning.ErrProtocol)
	})
	t.Run("Connect fault", func(t *testing.T) {
		m, c, _ := newMock(t, provisioning.SOAP11)
		m.on("Connect", fault11("Operator is locked."))
		err := c.Login(t.Context())
		var pe *provisioning.ServiceError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "Connect", pe.Operation)
		assert.Equal(t, "Operator is locked.", pe.Message)
		assert.Empty(t, pe.Code, "a Fault has no result code")
		require.NotNil(t, pe.Fault)
		assert.Equal(t, "Server", pe.Fault.Code)
	})
}

func TestNew(t *testing.T) {
	otp := func(context.Context) (string, error) { return "x", nil }
	tests := []struct {
		name     string
		endpoint string
		operator string
		otp      provisioning.OTPSource
		opts     []provisioning.Option
		field    string
	}{
		{"no endpoint", "", operator, otp, nil, "endpoint"},
		{"relative endpoint", "/bsidca/BSIDCA.asmx", operator, otp, nil, "endpoint"},
		{"no operator", endpoint, " ", otp, nil, "Credentials.OperatorEmail"},
		{"operator not sendable", endpoint, "op\x01@example.com", otp, nil, "Credentials.OperatorEmail"},
		{"no OTP source", endpoint, operator, nil, nil, "Credentials.OTP"},
		{"page size", endpoint, operator, otp, []provisioning.Option{provisioning.WithPageSize(0)}, "WithPageSize"},
		{"SOAP version", endpoint, operator, otp, []provisioning.Option{provisioning.WithSOAPVersion(3)}, "WithSOAPVersion"},
		{"body limit", endpoint, operator, otp, []provisioning.Option{provisioning.WithBodyLimit(-1)}, "WithBodyLimit"},
		{"timeout", endpoint, operator, otp, []provisioning.Option{provisioning.WithTimeout(-time.Second)}, "WithTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provisioning.New(tt.endpoint, provisioning.Credentials{OperatorEmail: tt.operator, OTP: tt.otp}, tt.opts...)
			var ie *provisioning.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, provisioning.ErrInvalidInput)
		})
	}
	c, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp})
	require.NoError(t, err)
	assert.Equal(t, endpoint, c.Endpoint())
}

// Login opens a session only when none is open: a second Login sends nothing.
func TestLoginOnce(t *testing.T) {
	m, c, otp := newMock(t, provisioning.SOAP11)
	require.NoError(t, c.Login(t.Context()))
	require.NoError(t, c.Login(t.Context()))
	assert.Equal(t, []string{"Connect"}, m.ops())
	assert.Equal(t, 1, otp.calls())

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c2, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp.source})
	require.NoError(t, err)
	require.ErrorIs(t, c2.Login(ctx), context.Canceled, "an ended context spends no OTP")
	assert.Equal(t, 1, otp.calls())
}

// Credentials never print the OTP source, whatever the verb.
func TestCredentialsPrinting(t *testing.T) {
	creds := provisioning.Credentials{OperatorEmail: operator, OTP: func(context.Context) (string, error) { return "991122", nil }}
	want := `provisioning.Credentials{OperatorEmail:"operator@example.com" OTP:[REDACTED]}`
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.Equal(t, want, fmt.Sprintf(verb, creds), verb)
		assert.Equal(t, want, fmt.Sprintf(verb, &creds), verb+" of a pointer")
	}
	assert.Equal(t, `provisioning.Credentials{OperatorEmail:"" OTP:<empty>}`, provisioning.Credentials{}.String())
}
