package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// renewalCallers is how many goroutines call at once after the session expired.
const renewalCallers = 64

// renewal is a service with a session, served by its real fake: a client that has logged
// in, the fake's expire knob and its login counter.
type renewal struct {
	call   caller
	expire func()
	logins func() int
}

var renewals = []struct {
	name  string
	start func(tb testing.TB) renewal
}{
	{"uds", func(tb testing.TB) renewal {
		s := udstest.NewServer(udstest.Options{AnA: true})
		tb.Cleanup(s.Close)
		s.AddUser("ACME", "jdoe", uds.StatusActive)
		c, err := uds.New(s.URL, s.Credentials())
		must(tb, err)
		return renewal{
			call: func(ctx context.Context) error {
				_, err := c.UpdateUserStatus(ctx, udsUsers, uds.StatusInactive, nil)
				return err
			},
			expire: s.ExpireTokens,
			logins: s.Logins, // accepted and refused
		}
	}},
	{"projector", func(tb testing.TB) renewal {
		s := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{
			{ReferenceSystemID: "jdoe", DisplayName: "J. Doe", InUse: true}}})
		tb.Cleanup(s.Close)
		c := s.NewClient(tb)
		opt := &projector.DeleteUserOptions{EndDateIfInUse: pwsEndDate}
		return renewal{
			call: func(ctx context.Context) error {
				_, err := c.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, opt)
				return err
			},
			expire: s.ExpireTickets,
			logins: s.Logins,
		}
	}},
	{"provisioning", func(tb testing.TB) renewal {
		s := provisioningtest.NewServer(provisioningtest.Options{})
		tb.Cleanup(s.Close)
		s.AddTask(provOrg, provisioningtest.Task{Operator: "operator@example.com", TokenOption: "MobilePASS",
			Users: []provisioningtest.TaskUser{{UserID: "u1", UserName: provUser}}})
		c := s.NewClient(tb)
		return renewal{
			call: func(ctx context.Context) error {
				_, err := c.TasksForUser(ctx, provOrg, provUser, 0, 100)
				return err
			},
			expire: s.ExpireSessions,
			logins: s.Logins,
		}
	}},
}

// BenchmarkSessionRenewal expires the session on the service's fake, then lets 64
// goroutines call the main operation at the same instant, and waits for all of them. Each
// must succeed. Metrics: logins (login requests the fake received per expiry; the client
// must send exactly 1, however many callers found the session gone) and ms-to-all-64 (from
// the start signal to the 64th completed call). The client's first login is made before
// the timer starts.
//
// The projector client runs at most 4 exchanges at once (WithMaxInFlight's default,
// because Projector limits concurrent calls per user), so its 64 callers queue.
//
// Names: BenchmarkSessionRenewal/<uds|projector|provisioning>.
func BenchmarkSessionRenewal(b *testing.B) {
	for _, r := range renewals {
		b.Run(r.name, func(b *testing.B) {
			sv := r.start(b)
			ctx := context.Background()
			must(b, sv.call(ctx)) // the first login
			var logins int
			var elapsed time.Duration
			for b.Loop() {
				sv.expire()
				before := sv.logins()
				d, err := callTogether(ctx, renewalCallers, sv.call)
				if err != nil {
					b.Fatal(err)
				}
				elapsed += d
				logins += sv.logins() - before
			}
			b.ReportMetric(float64(logins)/float64(b.N), "logins")
			b.ReportMetric(elapsed.Seconds()*1e3/float64(b.N), "ms-to-all-64")
		})
	}
}

// callTogether starts n goroutines that each make one call as soon as they are released
// together, and returns the time from the release to the last completion and the first
// error.
func callTogether(ctx context.Context, n int, call caller) (time.Duration, error) {
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	errs := make(chan error, n)
	ready.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			if err := call(ctx); err != nil {
				errs <- err
			}
		}()
	}
	ready.Wait()
	start := time.Now()
	close(release)
	done.Wait()
	d := time.Since(start)
	close(errs)
	return d, <-errs
}
