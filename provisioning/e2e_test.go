package provisioning_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
)

func TestE2EConnectAndCookieReuse(t *testing.T) {
	for _, version := range []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12} {
		t.Run(version.String(), func(t *testing.T) {
			provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
				s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "alice"}}})

				require.NoError(t, c.Login(ctx))
				for range 3 {
					n, err := c.TaskCount(ctx, org)
					require.NoError(t, err)
					assert.Equal(t, 1, n)
				}
				assert.Equal(t, 1, s.Logins())

				reqs := s.Requests()
				require.Len(t, reqs, 4)
				assert.Empty(t, reqs[0].SessionID)
				sid := reqs[1].SessionID
				assert.Len(t, sid, 24, "an ASP.NET-shaped session id")
				for _, r := range reqs {
					assert.Equal(t, version, r.Version)
					assert.Equal(t, "http://www.cryptocard.com/blackshield/"+r.Operation, r.Action)
				}
				for _, r := range reqs[1:] {
					assert.Equal(t, sid, r.SessionID, "the session cookie is reused")
				}
				assert.Equal(t, "Connect", reqs[0].Operation)
				assert.Equal(t, provisioningtest.TestOperator, reqs[0].Params["OperatorEmail"])
			}, provisioning.WithSOAPVersion(version))
		})
	}
}

func TestE2ELazyConnectAndPing(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		alive, err := c.PingConnection(ctx)
		require.NoError(t, err)
		assert.False(t, alive)
		assert.Zero(t, s.Logins(), "PingConnection does not connect")

		_, err = c.TaskCount(ctx, org)
		require.NoError(t, err)
		assert.Equal(t, 1, s.Logins(), "the first call connects")
		alive, err = c.PingConnection(ctx)
		require.NoError(t, err)
		assert.True(t, alive)

		s.ExpireSessions()
		alive, err = c.PingConnection(ctx)
		require.NoError(t, err)
		assert.False(t, alive)
		// The Client now knows the session is gone and connects before the next call,
		// without a failed call first.
		_, err = c.TaskCount(ctx, org)
		require.NoError(t, err)
		assert.Equal(t, 2, s.Logins())
		reqs := s.Requests()
		assert.Equal(t, "Connect", reqs[len(reqs)-2].Operation)
	})
}

func TestE2EChallenge(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{
		Authenticate: func(email, otp string) (provisioning.ConnectResult, string) {
			return provisioning.ConnectChallenge, "Enter the response for 4711"
		},
	})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c := s.NewClient(t)

	err := c.Login(t.Context())
	var ce0 *provisioning.ConnectError
	require.ErrorAs(t, err, &ce0)
	assert.Equal(t, provisioning.ConnectChallenge, ce0.Result)
	var ce *provisioning.ConnectError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, provisioning.ConnectChallenge, ce.Result)
	assert.Equal(t, "Enter the response for 4711", ce.Challenge)
	require.ErrorIs(t, err, provisioning.ErrAuthentication)

	// The refusal is remembered: the next call reports it without spending another OTP.
	_, err = c.TasksForUser(t.Context(), org, "alice", 0, 10)
	require.ErrorAs(t, err, &ce)
	var re *provisioning.RefusedError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, s.Logins())
	for _, r := range s.Requests() {
		assert.Equal(t, "Connect", r.Operation, "nothing but Connect is sent without a session")
	}
}

func TestE2EAuthFailure(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: "intruder@example.com", OTP: s.Credentials().OTP})
	require.NoError(t, err)
	err = c.Login(t.Context())
	var ce0 *provisioning.ConnectError
	require.ErrorAs(t, err, &ce0)
	assert.Equal(t, provisioning.ConnectAuthFailure, ce0.Result)
	require.ErrorIs(t, err, provisioning.ErrAuthentication)
}

// TestE2EReconnectUnderConcurrency expires the session under 32 concurrent callers: they
// share exactly one reconnect, with one fresh single-use OTP, and every call succeeds.
func TestE2EReconnectUnderConcurrency(t *testing.T) {
	s := provisioningtest.NewServer(provisioningtest.Options{SingleUseOTPs: true})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	var otps atomic.Int32
	mint := s.Credentials().OTP
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(ctx context.Context) (string, error) {
		otps.Add(1)
		return mint(ctx)
	}})
	require.NoError(t, err)
	id := s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{{UserName: "alice"}}})

	_, err = c.TaskCount(t.Context(), org)
	require.NoError(t, err)
	require.Equal(t, 1, s.Logins())
	s.ExpireSessions()

	const callers = 32
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			switch i % 3 {
			case 0:
				_, err = c.TaskCount(t.Context(), org)
			case 1:
				_, err = c.TasksForUser(t.Context(), org, "alice", 0, 10)
			default:
				_, err = c.TaskUsers(t.Context(), org, id)
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 2, s.Logins(), "exactly one reconnect")
	assert.Equal(t, int32(2), otps.Load(), "one fresh OTP for the reconnect")
}

func TestE2EPagingIterator(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		const total = 23
		for i := range total {
			users := []provisioningtest.TaskUser{{UserName: fmt.Sprintf("user%d", i)}}
			if i%2 == 0 {
				users = append(users, provisioningtest.TaskUser{UserName: "alice"})
			}
			s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Operator: "op@example.com", Users: users})
		}
		s.AddTask("Other Org", provisioningtest.Task{TokenOption: "GrIDsure"})

		var ids []int
		for task, err := range c.AllTasks(ctx, org) {
			require.NoError(t, err)
			ids = append(ids, task.TaskID)
		}
		want := make([]int, total)
		for i := range want {
			want[i] = i + 1
		}
		assert.Equal(t, want, ids)

		var starts []string
		for _, r := range s.Requests() {
			if r.Operation == "GetProvisioningTasks" {
				assert.Equal(t, "5", r.Params["numberOfRecords"])
				starts = append(starts, r.Params["startRecord"])
			}
		}
		assert.Equal(t, []string{"0", "5", "10", "15", "20", "23"}, starts, "pages until an empty one")

		var mine []int
		for task, err := range c.AllTasksForUser(ctx, org, "alice") {
			require.NoError(t, err)
			mine = append(mine, task.TaskID)
			assert.Equal(t, 2, task.Count)
		}
		assert.Equal(t, []int{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}, mine)

		// Stopping early fetches no further page.
		before := len(s.Requests())
		n := 0
		for _, err := range c.AllTasks(ctx, org) {
			require.NoError(t, err)
			if n++; n == 3 {
				break
			}
		}
		assert.Equal(t, before+1, len(s.Requests()))
	}, provisioning.WithPageSize(5))
}

func TestE2EIteratorSurvivesExpiry(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		for range 6 {
			s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS"})
		}
		n := 0
		for _, err := range c.AllTasks(ctx, org) {
			require.NoError(t, err)
			if n++; n == 2 {
				s.ExpireSessions() // between pages
			}
		}
		assert.Equal(t, 6, n)
		assert.Equal(t, 2, s.Logins())
	}, provisioning.WithPageSize(2))
}

func TestE2ETaskUsersAndCounts(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		start := time.Date(2024, 3, 1, 9, 30, 0, 500_000_000, time.UTC)
		stop := time.Date(2024, 3, 15, 0, 0, 0, 0, time.FixedZone("", 3600))
		id := s.AddTask(org, provisioningtest.Task{
			Operator: "op@example.com", TokenOption: "MobilePASS", Status: "Active",
			StartDate: start, StopDate: stop,
			Users: []provisioningtest.TaskUser{
				{UserID: "u1", UserName: "alice", StartDate: start, StopDate: stop, Status: "Pending", SerialNumber: "123", Description: "a <b> & c"},
				{UserID: "u2", UserName: "bob"}, // NULL columns
			},
		})
		s.AddTask(org, provisioningtest.Task{TokenOption: "GrIDsure", Users: []provisioningtest.TaskUser{{UserName: "bob"}}})

		users, err := c.TaskUsers(ctx, org, id)
		require.NoError(t, err)
		assert.Equal(t, []provisioning.TaskUser{
			{UserID: "u1", UserName: "alice", StartDate: start, StopDate: stop.UTC(), Status: "Pending", SerialNumber: "123", Description: "a <b> & c"},
			{UserID: "u2", UserName: "bob"},
		}, utcUsers(users))

		users, err = c.TaskUsers(ctx, org, 999)
		require.NoError(t, err)
		assert.Empty(t, users, "an empty diffgram is an empty list")

		tasks, err := c.TasksForUser(ctx, org, "alice", 0, 10)
		require.NoError(t, err)
		assert.Equal(t, []provisioning.Task{{TaskID: id, Operator: "op@example.com", StartDate: start, Count: 2,
			TokenOption: "MobilePASS", StopDate: stop.UTC(), Status: "Active"}}, utcTasks(tasks))

		n, err := c.TaskCount(ctx, org)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		n, err = c.TaskCountForUser(ctx, org, "bob")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		n, err = c.TaskCountForUser(ctx, org, "nobody")
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

func TestE2ERemoveAndUpdate(t *testing.T) {
	for _, version := range []provisioning.SOAPVersion{provisioning.SOAP11, provisioning.SOAP12} {
		t.Run(version.String(), func(t *testing.T) {
			provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
				id := s.AddTask(org, provisioningtest.Task{TokenOption: "MobilePASS", Users: []provisioningtest.TaskUser{
					{UserName: "alice"}, {UserName: "bob"}, {UserName: "carol"},
				}})
				other := s.AddTask(org, provisioningtest.Task{TokenOption: "GrIDsure"})

				newStop := time.Date(2025, 2, 1, 12, 0, 0, 0, time.FixedZone("", -5*3600))
				require.NoError(t, c.UpdateStopDate(ctx, org, id, []string{"bob", "carol"}, newStop))
				task, _ := s.Task(org, id)
				assert.True(t, task.Users[0].StopDate.IsZero())
				assert.True(t, newStop.Equal(task.Users[1].StopDate))
				assert.True(t, newStop.Equal(task.Users[2].StopDate))

				require.NoError(t, c.RemoveUsersFromTask(ctx, org, id, []string{"alice", "carol"}, true))
				task, _ = s.Task(org, id)
				require.Len(t, task.Users, 1)
				assert.Equal(t, "bob", task.Users[0].UserName)
				last := s.Requests()[len(s.Requests())-1]
				assert.Equal(t, "true", last.Params["sendNotificationEmail"])
				assert.Equal(t, []string{"alice", "carol"}, last.UserNames)

				err := c.RemoveUsersFromTask(ctx, org, id, []string{"alice"}, false)
				require.ErrorIs(t, err, provisioning.ErrNotChanged, "alice is no longer in the task")
				err = c.UpdateStopDate(ctx, org, id, []string{"alice"}, newStop)
				require.ErrorIs(t, err, provisioning.ErrNotChanged)

				require.NoError(t, c.RemoveTask(ctx, org, other, false))
				_, ok := s.Task(org, other)
				assert.False(t, ok)
				err = c.RemoveTask(ctx, org, other, false)
				var pe *provisioning.ServiceError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, fmt.Sprintf("Provisioning task %d was not found.", other), pe.Message)
				assert.Equal(t, 1, s.Logins())
			}, provisioning.WithSOAPVersion(version))
		})
	}
}

func TestE2EFaults(t *testing.T) {
	provisioningtest.Test(t, provisioningtest.Options{}, func(ctx context.Context, c *provisioning.Client, s *provisioningtest.Server) {
		s.FailNext(provisioningtest.Failure{Message: "Organization 'Nope' does not exist."})
		_, err := c.TaskCount(ctx, "Nope")
		var pe *provisioning.ServiceError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "GetProvisioningTaskCount", pe.Operation)
		assert.Equal(t, "Organization 'Nope' does not exist.", pe.Message)
		assert.Empty(t, pe.Code)
		require.NotNil(t, pe.Fault)
		assert.Equal(t, "Server", pe.Fault.Code)

		// FailNext fails one call only.
		n, err := c.TaskCount(ctx, "Nope")
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

// TestE2ELeaderCancelled cancels the caller whose call is connecting: it gets its context's
// error, and another caller, whether it was waiting for that connect or came later, still gets
// a session of its own.
func TestE2ELeaderCancelled(t *testing.T) {
	// The caller whose call started the Connect gives up while the operator is still typing
	// the OTP: the Connect goes on (it runs detached from that caller), and the caller that
	// waited for it succeeds with the one session.
	s := provisioningtest.NewServer(provisioningtest.Options{})
	defer s.Close()
	defer func() { assert.Empty(t, s.Violations()) }()
	mint := s.Credentials().OTP
	inOTP, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	c, err := provisioning.New(s.URL, provisioning.Credentials{OperatorEmail: s.Credentials().OperatorEmail, OTP: func(ctx context.Context) (string, error) {
		if first.CompareAndSwap(false, true) {
			close(inOTP)
			<-release
		}
		return mint(ctx)
	}})
	require.NoError(t, err)

	ctxA, cancelA := context.WithCancel(t.Context())
	errA := make(chan error, 1)
	go func() {
		_, err := c.TaskCount(ctxA, org)
		errA <- err
	}()
	<-inOTP
	errB := make(chan error, 1)
	go func() {
		_, err := c.TaskCount(t.Context(), org)
		errB <- err
	}()
	cancelA()
	require.ErrorIs(t, <-errA, context.Canceled, "A honours its own context")
	close(release)
	require.NoError(t, <-errB)
	assert.Equal(t, 1, s.Logins(), "A's Connect served B")
}
