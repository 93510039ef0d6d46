package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/castest"
	"github.com/offboard-go/offboard/internal/observe"
	"github.com/offboard-go/offboard/projector"
	"github.com/offboard-go/offboard/projector/projectortest"
	"github.com/offboard-go/offboard/provisioning"
	"github.com/offboard-go/offboard/provisioning/provisioningtest"
	"github.com/offboard-go/offboard/uds"
	"github.com/offboard-go/offboard/uds/udstest"
)

// step is one call of the scripted run: what it shows, and whether it must fail.
type step struct {
	name     string
	do       func(context.Context) error
	wantFail bool
}

// scenario runs, against the four built-in fakes, for each service: a call that logs in
// first, a call after the server dropped the session (a renewal; cas has no session, so its
// second call is a plain success), a call the server answers with a fault, and a success. It
// reports each call to w, one line each. hc, when not nil, is the HTTP client the clients use
// (an otelhttp-instrumented transport, say).
func scenario(ctx context.Context, o observe.Observer, hc *http.Client, w io.Writer) error {
	casSrv := castest.NewServer(castest.Options{Households: []castest.Household{{ID: 42, Users: []string{"alice", "bob", "carol"}, MasterUsers: []string{"alice"}}}})
	defer casSrv.Close()
	udsSrv := udstest.NewServer(udstest.Options{AnA: true})
	defer udsSrv.Close()
	udsSrv.AddUser("ACME", "jdoe", uds.StatusActive)
	pwsSrv := projectortest.NewServer(projectortest.Options{Users: []projectortest.User{{ReferenceSystemID: "jdoe"}, {ReferenceSystemID: "mroe"}}})
	defer pwsSrv.Close()
	provSrv := provisioningtest.NewServer(provisioningtest.Options{})
	defer provSrv.Close()
	task := provSrv.AddTask("Example Org", provisioningtest.Task{Users: []provisioningtest.TaskUser{{UserName: "alice"}, {UserName: "bob"}}})

	if hc == nil {
		hc = &http.Client{}
	}
	casc, err := cas.New(casSrv.URL, casSrv.Credentials(), cas.WithObserver(o), cas.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	udsc, err := uds.New(udsSrv.URL, udsSrv.Credentials(), uds.WithObserver(o), uds.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	pwsc, err := projector.New(pwsSrv.URL, pwsSrv.Credentials(), projector.WithObserver(o), projector.WithHTTPClient(hc))
	if err != nil {
		return err
	}
	provc, err := provisioning.New(provSrv.URL, provSrv.Credentials(), provisioning.WithObserver(o), provisioning.WithHTTPClient(hc))
	if err != nil {
		return err
	}

	jdoe := uds.UserID{OrgName: "ACME", UserName: "jdoe"}
	steps := []step{
		{"cas: first request (the credentials' verdict)", func(ctx context.Context) error { _, err := casc.DeleteUser(ctx, 42, "bob"); return err }, false},
		{"cas: a second request", func(ctx context.Context) error { _, err := casc.DeleteUser(ctx, 42, "carol"); return err }, false},
		{"cas: a status code (2001 UserSuspended)", func(ctx context.Context) error {
			casSrv.FailNext(castest.Failure{Code: cas.CodeUserSuspended})
			_, err := casc.DeleteUser(ctx, 42, "alice")
			return err
		}, true},
		{"cas: success", func(ctx context.Context) error { _, err := casc.DeleteHouseholdRecordings(ctx, 42); return err }, false},

		{"uds: authentication with the credentials", func(ctx context.Context) error { _, err := udsc.GetUserStatus(ctx, jdoe, nil); return err }, false},
		{"uds: a rejected token is renewed", func(ctx context.Context) error {
			udsSrv.ExpireTokens()
			_, err := udsc.GetUserStatus(ctx, jdoe, nil)
			return err
		}, false},
		{"uds: a Fault (user not found)", func(ctx context.Context) error {
			_, err := udsc.GetUserStatus(ctx, uds.UserID{OrgName: "ACME", UserName: "nobody"}, nil)
			return err
		}, true},
		{"uds: success", func(ctx context.Context) error {
			_, err := udsc.UpdateUserStatus(ctx, []uds.UserID{jdoe}, uds.StatusInactive, nil)
			return err
		}, false},

		{"projector: PwsAuthenticate first", func(ctx context.Context) error {
			_, err := pwsc.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "jdoe"}, nil)
			return err
		}, false},
		{"projector: a rejected ticket is renewed", func(ctx context.Context) error {
			pwsSrv.ExpireTickets()
			_, err := pwsc.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "mroe"}, nil)
			return err
		}, false},
		{"projector: a failed answer (50024 EntityNotFound)", func(ctx context.Context) error {
			_, err := pwsc.DeleteUser(ctx, projector.UserRef{UserReferenceSystemID: "nobody"}, nil)
			return err
		}, true},
		{"projector: success (Close)", func(ctx context.Context) error { return pwsc.Close(ctx) }, false},

		{"provisioning: Connect first", func(ctx context.Context) error { _, err := provc.TaskCount(ctx, "Example Org"); return err }, false},
		{"provisioning: a lost session is renewed", func(ctx context.Context) error {
			provSrv.ExpireSessions()
			_, err := provc.TaskUsers(ctx, "Example Org", task)
			return err
		}, false},
		{"provisioning: a Fault", func(ctx context.Context) error {
			provSrv.FailNext(provisioningtest.Failure{Message: "Organization is locked"})
			_, err := provc.TaskCount(ctx, "Example Org")
			return err
		}, true},
		{"provisioning: success", func(ctx context.Context) error {
			return provc.RemoveUsersFromTask(ctx, "Example Org", task, []string{"alice"}, false)
		}, false},
	}
	var errs []error
	for _, s := range steps {
		err := s.do(ctx)
		switch {
		case err != nil && s.wantFail:
			fmt.Fprintf(w, "%-50s failed as scripted: %v\n", s.name, err)
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
			fmt.Fprintf(w, "%-50s FAILED: %v\n", s.name, err)
		case s.wantFail:
			errs = append(errs, fmt.Errorf("%s: succeeded, but the fake was scripted to fail it", s.name))
		default:
			fmt.Fprintf(w, "%-50s ok\n", s.name)
		}
	}
	return errors.Join(errs...)
}
