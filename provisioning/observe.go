package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/observe"
)

// Observer sees every call of the client: the module's one observation hook (package
// observe), the same type in every package.
type Observer = observe.Observer

// WithObserver reports every call of the client to o: service "provisioning", the wire
// operation (one per page for AllTasks and AllTasksForUser), its outcome, the BSIDCA result as
// the observation's Code (the ConnectResult of a Connect, "AUTH_SUCCESS" or "AUTH_FAILURE"…; the
// boolean a change or PingConnection answered, "true" or "false"), each HTTP exchange (the
// PingConnection that double-checks a false answer included), and the session events
// (Connect, reconnection after the session was lost, a refused Connect). A nil o observes
// nothing; without it a call costs nothing more. See package observe.
func WithObserver(o Observer) Option { return func(c *config) { c.observer = o } }

const (
	opConnect = "Connect"
	opPing    = "PingConnection"
	// actionBase is the namespace of every SOAP action of BSIDCA.asmx.
	actionBase = "http://www.cryptocard.com/blackshield/"
)

// startCall begins the observation of a call of op, if the client has an Observer.
func (c *Client) startCall(ctx context.Context, op string) (context.Context, *soapx.Call) {
	if c.obs == nil {
		return ctx, nil
	}
	return c.obs.Start(ctx, op, actionBase+op)
}

// endCall ends the observation of an operation run by run: err is what run returns.
func (c *Client) endCall(call *soapx.Call, op string, err error) {
	if call == nil {
		return
	}
	code := ""
	var ce *ConnectError
	switch {
	case errors.As(err, &ce):
		code = string(ce.Result) // the Connect of the call was refused
	case errors.Is(err, errAnsweredFalse):
		code = "false"
		err = fmt.Errorf("provisioning: %s: %w", op, ErrNotChanged) // what the method returns
	case err == nil && (op == "RemoveUsersFromProvisioningTask" || op == "UpdateProvisioningStopDate"):
		code = "true"
	}
	call.End(err, code)
}

// endConnect ends the observation of Connect with its ConnectResult.
func (c *Client) endConnect(call *soapx.Call, res ConnectResult, err error) {
	if call != nil {
		call.End(c.secrets.Error(err), string(res))
	}
}

// endPing ends the observation of PingConnection with its answer.
func (c *Client) endPing(call *soapx.Call, alive bool, err error) {
	if call == nil {
		return
	}
	code := ""
	if err == nil {
		code = strconv.FormatBool(alive)
	}
	call.End(c.secrets.Error(err), code)
}
