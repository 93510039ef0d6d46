package provisioning_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
)

func faultFor(version provisioning.SOAPVersion, message string) answer {
	if version == provisioning.SOAP12 {
		return fault12(message)
	}
	return fault11(message)
}

func TestReconnectOnNotConnected(t *testing.T) {
	for _, version := range []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12} {
		t.Run(version.String(), func(t *testing.T) {
			m, c, otp := newMock(t, version)
			m.on("GetProvisioningTaskCount", faultFor(version, "You are not connected."), result("GetProvisioningTaskCount", "3"))

			n, err := c.TaskCount(t.Context(), org)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
			assert.Equal(t, []string{"Connect", "GetProvisioningTaskCount", "Connect", "GetProvisioningTaskCount"}, m.ops())
			assert.Equal(t, 2, otp.calls(), "a fresh OTP for the new session")
			reqs := m.requests()
			assertBody(t, `<Connect xmlns="http://www.cryptocard.com/blackshield/"><OperatorEmail>operator@example.com</OperatorEmail><OTP>otp-2</OTP></Connect>`, reqs[2].Body)
			assert.Equal(t, "ASP.NET_SessionId=sess2", reqs[3].Header.Get("Cookie"))
			assertBody(t, `<GetProvisioningTaskCount xmlns="http://www.cryptocard.com/blackshield/"><organization>Example Org</organization></GetProvisioningTaskCount>`, reqs[3].Body)
		})
	}
}

func TestSessionExpiredAfterOneRetry(t *testing.T) {
	m, c, otp := newMock(t, provisioning.SOAP11)
	m.on("GetProvisioningTasks", fault11("Not connected."))

	_, err := c.Tasks(t.Context(), org, 0, 10)
	require.ErrorIs(t, err, provisioning.ErrSessionExpired)
	var pe *provisioning.ServiceError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "GetProvisioningTasks", pe.Operation)
	assert.Equal(t, "Not connected.", pe.Message)
	assert.Equal(t, []string{"Connect", "GetProvisioningTasks", "Connect", "GetProvisioningTasks"}, m.ops(),
		"exactly one reconnect and one retry")
	assert.Equal(t, 2, otp.calls())
}

func TestServerFault(t *testing.T) {
	for _, version := range []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12} {
		t.Run(version.String(), func(t *testing.T) {
			m, c, _ := newMock(t, version)
			m.on("RemoveProvisioningTask", faultFor(version, "Provisioning task 9 was not found."))

			err := c.RemoveTask(t.Context(), org, 9, true)
			var pe *provisioning.ServiceError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "RemoveProvisioningTask", pe.Operation)
			assert.Equal(t, "Provisioning task 9 was not found.", pe.Message)
			assert.Equal(t, http.StatusInternalServerError, pe.HTTPStatus)
			wantCode := map[provisioning.SOAPVersion]string{provisioning.SOAP11: "Server", provisioning.SOAP12: "Receiver"}[version]
			assert.Empty(t, pe.Code, "a Fault has no result code")
			require.NotNil(t, pe.Fault)
			assert.Equal(t, wantCode, pe.Fault.Code)
			assert.Contains(t, err.Error(), "RemoveProvisioningTask")
			assert.Contains(t, err.Error(), "Provisioning task 9 was not found.")
			assert.NotErrorIs(t, err, provisioning.ErrSessionExpired)
			var f *provisioning.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, "Server was unable to process request. ---> Provisioning task 9 was not found.", f.Reason)
			assert.Equal(t, []string{"Connect", "RemoveProvisioningTask"}, m.ops(), "no reconnect for other faults")
		})
	}
}

func TestTransportAndProtocolErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		is     error
	}{
		{"HTML 502", answer{status: http.StatusBadGateway, contentType: "text/html", body: "<html><body>Bad Gateway</body></html>"}, provisioning.ErrUnavailable},
		{"JSON 200", answer{contentType: "application/json", body: `{"error":"nope"}`}, provisioning.ErrProtocol},
		{"truncated", answer{body: soap11(`<GetProvisioningTasksResponse xmlns="http://www.cryptocard.com/blackshield/"><GetProvisioningTasksResult>`)[:180]}, provisioning.ErrProtocol},
		{"wrong response element", result("GetProvisioningTaskCount", testdata(t, "tasks-result.xml")), provisioning.ErrProtocol},
		{"bad value", result("GetProvisioningTasks", strings.Replace(testdata(t, "tasks-result.xml"), "<taskid>1043</taskid>", "<taskid>x1043</taskid>", 1)), provisioning.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c, _ := newMock(t, provisioning.SOAP11)
			m.on("GetProvisioningTasks", tt.answer)
			tasks, err := c.Tasks(t.Context(), org, 0, 10)
			require.ErrorIs(t, err, tt.is)
			assert.Nil(t, tasks)
			assert.Contains(t, err.Error(), "GetProvisioningTasks")
			assert.Equal(t, []string{"Connect", "GetProvisioningTasks"}, m.ops())
		})
	}
}

func TestBodyLimit(t *testing.T) {
	m, c, _ := newMock(t, provisioning.SOAP11, provisioning.WithBodyLimit(2048))
	m.on("GetProvisioningTasks", result("GetProvisioningTasks", testdata(t, "tasks-result.xml")))
	_, err := c.Tasks(t.Context(), org, 0, 10)
	require.ErrorIs(t, err, provisioning.ErrBodyTooLarge)
}

func TestEmptyTables(t *testing.T) {
	m, c, _ := newMock(t, provisioning.SOAP11)
	m.on("GetProvisioningTasks",
		result("GetProvisioningTasks", testdata(t, "empty-result.xml")),
		// A null DataTable: the Result element is left out.
		answer{body: `<GetProvisioningTasksResponse xmlns="http://www.cryptocard.com/blackshield/" />`})
	for range 2 {
		tasks, err := c.Tasks(t.Context(), org, 0, 10)
		require.NoError(t, err)
		assert.Empty(t, tasks)
	}
}

func TestAnsweredFalse(t *testing.T) {
	stop := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	calls := map[string]func(ctx context.Context, c *provisioning.Client) error{
		"RemoveUsersFromProvisioningTask": func(ctx context.Context, c *provisioning.Client) error {
			return c.RemoveUsersFromTask(ctx, org, 5, []string{"carol"}, false)
		},
		"UpdateProvisioningStopDate": func(ctx context.Context, c *provisioning.Client) error {
			return c.UpdateStopDate(ctx, org, 5, []string{"carol"}, stop)
		},
	}
	for op, call := range calls {
		t.Run(op+"/session alive", func(t *testing.T) {
			m, c, _ := newMock(t, provisioning.SOAP11)
			m.on(op, result(op, "false"))
			m.on("PingConnection", pingAnswer(true))

			err := call(t.Context(), c)
			require.ErrorIs(t, err, provisioning.ErrNotChanged)
			var nc *provisioning.NotChangedError
			require.ErrorAs(t, err, &nc)
			assert.Equal(t, op, nc.Operation)
			assert.Equal(t, 5, nc.TaskID)
			assert.Equal(t, []string{"carol"}, nc.UserNames)
			assert.Contains(t, err.Error(), "nothing was changed")
			assert.Equal(t, []string{"Connect", op, "PingConnection"}, m.ops())
		})
		t.Run(op+"/session gone", func(t *testing.T) {
			m, c, otp := newMock(t, provisioning.SOAP11)
			m.on(op, result(op, "false"), result(op, "true"))
			m.on("PingConnection", pingAnswer(false))

			require.NoError(t, call(t.Context(), c))
			assert.Equal(t, []string{"Connect", op, "PingConnection", "Connect", op}, m.ops())
			assert.Equal(t, 2, otp.calls())
		})
	}
}

func TestInputRefusedBeforeSending(t *testing.T) {
	stop := time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		call  func(ctx context.Context, c *provisioning.Client) error
		field string
	}{
		{"TaskCount organization", func(ctx context.Context, c *provisioning.Client) error { _, err := c.TaskCount(ctx, ""); return err }, "organization"},
		{"TaskCountForUser organization", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.TaskCountForUser(ctx, " ", "alice")
			return err
		}, "organization"},
		{"TaskCountForUser user", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.TaskCountForUser(ctx, org, "")
			return err
		}, "user"},
		{"Tasks organization", func(ctx context.Context, c *provisioning.Client) error { _, err := c.Tasks(ctx, "", 0, 10); return err }, "organization"},
		{"Tasks negative start", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.Tasks(ctx, org, -1, 10)
			return err
		}, "startRecord"},
		{"Tasks zero records", func(ctx context.Context, c *provisioning.Client) error { _, err := c.Tasks(ctx, org, 0, 0); return err }, "numberOfRecords"},
		{"Tasks negative records", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.Tasks(ctx, org, 0, -5)
			return err
		}, "numberOfRecords"},
		{"Tasks records over int32", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.Tasks(ctx, org, 0, 1<<31)
			return err
		}, "numberOfRecords"},
		{"TasksForUser user", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.TasksForUser(ctx, org, "", 0, 10)
			return err
		}, "user"},
		{"TasksForUser zero records", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.TasksForUser(ctx, org, "alice", 0, 0)
			return err
		}, "numberOfRecords"},
		{"TaskUsers task", func(ctx context.Context, c *provisioning.Client) error {
			_, err := c.TaskUsers(ctx, org, 0)
			return err
		}, "taskID"},
		{"TaskUsers organization", func(ctx context.Context, c *provisioning.Client) error { _, err := c.TaskUsers(ctx, "", 1); return err }, "organization"},
		{"RemoveTask task", func(ctx context.Context, c *provisioning.Client) error { return c.RemoveTask(ctx, org, -3, false) }, "taskID"},
		{"RemoveTask organization", func(ctx context.Context, c *provisioning.Client) error { return c.RemoveTask(ctx, "", 3, false) }, "organization"},
		{"RemoveUsersFromTask no users", func(ctx context.Context, c *provisioning.Client) error {
			return c.RemoveUsersFromTask(ctx, org, 3, nil, false)
		}, "userNames"},
		{"RemoveUsersFromTask empty user", func(ctx context.Context, c *provisioning.Client) error {
			return c.RemoveUsersFromTask(ctx, org, 3, []string{"alice", ""}, false)
		}, "userNames[1]"},
		{"RemoveUsersFromTask task", func(ctx context.Context, c *provisioning.Client) error {
			return c.RemoveUsersFromTask(ctx, org, 0, []string{"alice"}, false)
		}, "taskID"},
		{"UpdateStopDate zero date", func(ctx context.Context, c *provisioning.Client) error {
			return c.UpdateStopDate(ctx, org, 3, []string{"alice"}, time.Time{})
		}, "newStopDate"},
		{"UpdateStopDate no users", func(ctx context.Context, c *provisioning.Client) error {
			return c.UpdateStopDate(ctx, org, 3, []string{}, stop)
		}, "userNames"},
		{"UpdateStopDate organization", func(ctx context.Context, c *provisioning.Client) error {
			return c.UpdateStopDate(ctx, "", 3, []string{"alice"}, stop)
		}, "organization"},
		{"AllTasks organization", func(ctx context.Context, c *provisioning.Client) error {
			for _, err := range c.AllTasks(ctx, "") {
				return err
			}
			return nil
		}, "organization"},
		{"AllTasksForUser user", func(ctx context.Context, c *provisioning.Client) error {
			for _, err := range c.AllTasksForUser(ctx, org, "") {
				return err
			}
			return nil
		}, "user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, otp := newMock(t, provisioning.SOAP11)
			err := tt.call(t.Context(), c)
			var ie *provisioning.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, provisioning.ErrInvalidInput)
			assert.Zero(t, httpmock.GetTotalCallCount(), "nothing is sent")
			assert.Zero(t, otp.calls(), "no OTP is spent")
		})
	}
}

func TestContextCancelled(t *testing.T) {
	m, c, _ := newMock(t, provisioning.SOAP11)
	err := c.Login(t.Context())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.TaskCount(ctx, org)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"Connect"}, m.ops())
}

func TestInjectedHTTPClientUntouched(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	transport := hc.Transport
	m := &mock{t: t, version: provisioning.SOAP11, answers: map[string][]answer{}}
	httpmock.RegisterResponder(http.MethodPost, endpoint, m.respond)
	m.on("GetProvisioningTaskCount", result("GetProvisioningTaskCount", "1"))

	// Two clients share hc; each has its own session.
	otp := &otpCounter{}
	c1, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp.source}, provisioning.WithHTTPClient(hc))
	require.NoError(t, err)
	c2, err := provisioning.New(endpoint, provisioning.Credentials{OperatorEmail: operator, OTP: otp.source}, provisioning.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = c1.TaskCount(t.Context(), org)
	require.NoError(t, err)
	_, err = c2.TaskCount(t.Context(), org)
	require.NoError(t, err)

	assert.Nil(t, hc.Jar)
	assert.Same(t, transport, hc.Transport)
	reqs := m.requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, "ASP.NET_SessionId=sess1", reqs[1].Header.Get("Cookie"))
	assert.Equal(t, "ASP.NET_SessionId=sess2", reqs[3].Header.Get("Cookie"))
}
