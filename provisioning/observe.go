package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// WithObserver reports every call of the client to o: service "provisioning", the wire
// operation (one per page for AllTasks and AllTasksForUser), its outcome, the BSIDCA result as
// the observation's Code (the ConnectResult of a Connect, "AUTH_SUCCESS" or "AUTH_FAILURE"…; the
// boolean a change or PingConnection answered, "true" or "false"; the result of RevokeToken or
// RemoveUser, "Success", "LastAuth", "Deleted"…), each HTTP exchange (the
// PingConnection that double-checks a false answer included), and the session events
// (Connect, reconnection after the session was lost, a refused Connect). A nil o observes
// nothing; without it a call costs nothing more. See CallInfo, CallEvent and CallResult.
func WithObserver(o Observer) Option { return func(c *config) { c.observer = o } }

const (
	opConnect = "Connect"
	opPing    = "PingConnection"
	// actionBase is the namespace of every SOAP action of BSIDCA.asmx.
	actionBase = "http://www.cryptocard.com/blackshield/"
)

// actions are the SOAP actions of the operations, so that a call builds none.
var actions = map[string]string{
	opConnect:                          provisioningwsdl.ActionConnect,
	opPing:                             provisioningwsdl.ActionPingConnection,
	"GetProvisioningTaskCount":         provisioningwsdl.ActionGetProvisioningTaskCount,
	"GetProvisioningTasksForUserCount": provisioningwsdl.ActionGetProvisioningTasksForUserCount,
	"GetProvisioningTasks":             provisioningwsdl.ActionGetProvisioningTasks,
	"GetProvisioningTasksForUser":      provisioningwsdl.ActionGetProvisioningTasksForUser,
	"GetProvisioningTaskDetails":       provisioningwsdl.ActionGetProvisioningTaskDetails,
	"RemoveProvisioningTask":           provisioningwsdl.ActionRemoveProvisioningTask,
	opRemoveUsers:                      provisioningwsdl.ActionRemoveUsersFromProvisioningTask,
	opUpdateStopDate:                   provisioningwsdl.ActionUpdateProvisioningStopDate,
	opGetTokensByOwner:                 provisioningwsdl.ActionGetTokensByOwner,
	opGetTokens:                        provisioningwsdl.ActionGetTokens,
	opRevokeToken:                      provisioningwsdl.ActionRevokeToken,
	opRemoveUser:                       provisioningwsdl.ActionRemoveUser,
}

// changes are the operations that answer a boolean: true when they changed something.
const (
	opRemoveUsers    = "RemoveUsersFromProvisioningTask"
	opUpdateStopDate = "UpdateProvisioningStopDate"
)

// startCall begins the observation of a call of op, if the client has an Observer.
func (c *Client) startCall(ctx context.Context, op string) (context.Context, *soapx.Call) {
	if c.obs == nil {
		return ctx, nil
	}
	action, ok := actions[op]
	if !ok {
		action = actionBase + op
	}
	return c.obs.Start(ctx, op, action)
}

// resultCode records the BSIDCA result of the call under way (RevokeToken's, RemoveUser's) as
// its observation's code.
func (c *Client) resultCode(ctx context.Context, result string) {
	if c.obs != nil {
		soapx.SetCode(ctx, result)
	}
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
	case errors.Is(err, errAnsweredFalse) && (op == opRemoveUsers || op == opUpdateStopDate):
		code = "false"
		err = fmt.Errorf("provisioning: %s: %w", op, ErrNotChanged) // what the method returns
	case errors.Is(err, errAnsweredFalse), // RevokeToken, RemoveUser: a result that is no success
		err == nil && op == opRevokeToken && !RevokeResult(call.Code()).succeeded(),
		err == nil && op == opRemoveUser && UserDeleteResult(call.Code()) != UserDeleted:
		err = resultError(op, call.Code(), "", "") // what the method returns, less its inputs
	case err == nil && (op == opRemoveUsers || op == opUpdateStopDate):
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
