package cas

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/cas/internal/caswsdl"
	"github.com/offboard-go/offboard/internal/scrub"
	"github.com/offboard-go/offboard/internal/soapx"
)

// opHandleUserTask is the wire operation every method of this package calls.
const opHandleUserTask = "HandleUserTask"

// Action is the task HandleUserTask performs: the wire enum UserTaskType, sent by name.
type Action string

const (
	// ActionDelete removes a user from a household: the server moves the user's series and
	// scheduled recordings to the household's first master user.
	ActionDelete Action = "Delete"
	// ActionDeleteDomain deletes a household's recordings (recorded, recording and
	// scheduled), cancels its series recordings and deletes its recording quota. Despite its
	// name it does not delete the household itself.
	ActionDeleteDomain Action = "DeleteDomain"
)

func (a Action) valid() bool { return a == ActionDelete || a == ActionDeleteDomain }

// KeyValue is one entry of Status.Args (the wire KeyValuePair{key, value}).
type KeyValue struct {
	Key   string
	Value string
}

// Result is the server's answer to a task that succeeded (Code 0).
type Result struct {
	Code       Code       // always CodeOK in a Result; any other code is a *ServiceError
	Message    string     // Status.Message, "OK" from current servers
	Args       []KeyValue // Status.Args (empty from current servers; xsi:nil entries left out)
	HTTPStatus int        // HTTP status of the answer
}

// HandleUserTask runs one user task on the server: wire operation HandleUserTask of
// ws_cas_module.asmx, SOAPAction "http://ca.tvinci.com/HandleUserTask" (or the HTTP POST
// form, see WithHTTPPost).
//
// domainID is the household id and must be positive. userID is required by ActionDelete; for
// ActionDeleteDomain it may be empty and is sent as given (the server ignores it). Bad input
// is refused with an *InputError before anything is sent.
//
// A Status with Code 0 is returned as a *Result. Any other code is a *ServiceError; bad
// web-service credentials are a *ServiceError that is ErrAuthentication; a 404 without a SOAP
// body is an *EndpointError. Nothing is retried: a failed Delete may have been done.
func (c *Client) HandleUserTask(ctx context.Context, domainID int, userID string, action Action) (*Result, error) {
	if err := validate(domainID, userID, action); err != nil {
		return nil, err
	}
	at := caswsdl.UserTaskType(action)
	req := &caswsdl.HandleUserTask{
		SWSUserName: c.creds().WSUserName,
		SWSPassword: c.creds().WSPassword,
		DomainId:    int32(domainID),
		UserId:      userID,
		ActionType:  &at,
	}
	res, err := c.guarded(ctx, func(ctx context.Context) (*Result, error) {
		st, status, err := c.send(ctx, req)
		if err != nil {
			return nil, c.wrap(err)
		}
		return result(st, status, c.secrets)
	})
	if err != nil {
		return nil, c.secrets.Error(err)
	}
	return res, nil
}

// DeleteUser removes userID from household domainID: wire operation HandleUserTask
// (SOAPAction "http://ca.tvinci.com/HandleUserTask") with actionType Delete.
// The user's recordings go to the household's first master user; a household without one
// answers 1 Error (ErrTaskFailed).
func (c *Client) DeleteUser(ctx context.Context, domainID int, userID string) (*Result, error) {
	return c.HandleUserTask(ctx, domainID, userID, ActionDelete)
}

// DeleteHouseholdRecordings deletes the recordings of household domainID (recorded,
// recording and scheduled), cancels its series recordings and deletes its quota: wire
// operation HandleUserTask (SOAPAction "http://ca.tvinci.com/HandleUserTask") with
// actionType DeleteDomain. The household itself and its users stay. The server code does
// not appear to check that the household exists, so an unknown id may also answer OK.
func (c *Client) DeleteHouseholdRecordings(ctx context.Context, domainID int) (*Result, error) {
	return c.HandleUserTask(ctx, domainID, "", ActionDeleteDomain)
}

func validate(domainID int, userID string, action Action) error {
	switch {
	case !action.valid():
		return &soapx.InputError{Field: "action", Reason: "must be ActionDelete or ActionDeleteDomain, got " + strconv.Quote(string(action))}
	case domainID <= 0:
		return &soapx.InputError{Field: "domainID", Reason: "must be a positive household id, got " + strconv.Itoa(domainID)}
	case domainID > math.MaxInt32:
		// The wire type is s:int.
		return &soapx.InputError{Field: "domainID", Reason: "must fit in 32 bits, got " + strconv.Itoa(domainID)}
	case action == ActionDelete && strings.TrimSpace(userID) == "":
		return &soapx.InputError{Field: "userID", Reason: "must not be empty for ActionDelete"}
	}
	return soapx.CheckText("userID", userID)
}

// result turns the server's Status into a Result or a *ServiceError. A Status that arrives
// with a non-2xx HTTP status is an error even if its code is 0: the server sets 404 only
// when it rejected the credentials.
func result(st *caswsdl.Status, httpStatus int, secrets *scrub.Set) (*Result, error) {
	// What the server says is free text that may echo a secret: scrubbed before it reaches a
	// Result or a ServiceError.
	msg := secrets.String(st.Message)
	var args []KeyValue
	if st.Args != nil {
		for _, kv := range st.Args.KeyValuePair {
			// KeyValuePair is nillable: the runtime leaves out entries sent as xsi:nil, and
			// an entry with neither key nor value says nothing either.
			if kv != nil && (kv.Key != "" || kv.Value != "") {
				args = append(args, KeyValue{Key: secrets.String(kv.Key), Value: secrets.String(kv.Value)})
			}
		}
	}
	code := Code(st.Code)
	if code != CodeOK || httpStatus < 200 || httpStatus > 299 {
		return nil, &ServiceError{Operation: opHandleUserTask, Code: code, Message: msg, Args: args, HTTPStatus: httpStatus}
	}
	return &Result{Code: code, Message: msg, Args: args, HTTPStatus: httpStatus}, nil
}
