package uds

import (
	"context"
	"errors"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// CodeAccountNotFound: the user has no account of the type named. Inferred: no public material
// gives the number (open items); it is the number the fake udstest sends and the
// single place to correct. It is ClassNotFound in DefaultErrorClasses (ErrNotFound).
const CodeAccountNotFound = "31303"

// DeleteOptions are the optional inputs of DeleteUser and DeleteUserAccount.
type DeleteOptions struct {
	// ClientTxID is the caller's own transaction id, echoed in the server's logs.
	ClientTxID string
}

// DeleteResult is the answer of DeleteUser and DeleteUserAccount (UdsRegistrySuccessType).
type DeleteResult struct {
	// Message is the server's success message, normally "The operation was successful!".
	Message string
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// NewAuthToken reports whether the response carried a new AnA authToken.
	NewAuthToken bool
}

// NotFoundError is a *ServiceError whose error number the client's classes call ClassNotFound
// (see WithErrorClasses) while the package's own constants do not: errors.Is(err, ErrNotFound)
// holds, and errors.As still finds the *ServiceError with everything the server said.
type NotFoundError struct{ Err *ServiceError }

func (e *NotFoundError) Error() string { return e.Err.Error() }

// Is reports ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Unwrap gives the *ServiceError.
func (e *NotFoundError) Unwrap() error { return e.Err }

// notFound makes err ErrNotFound when its error number is ClassNotFound for this client, so
// that "not found" does not depend on the package's guessed constants alone. Numbers the
// client does not know stay opaque (a *ServiceError that is no category).
func (c *Client) notFound(err error) error {
	var re *ServiceError
	if !errors.As(err, &re) || errors.Is(re, ErrNotFound) || c.classes.of(re.Code) != ClassNotFound {
		return err
	}
	return &NotFoundError{Err: re}
}

// invoke runs one operation with the client's AnA policy (see call), observed (WithObserver):
// do sends the request through the generated stub. The error, if any, has the client's
// secrets scrubbed and is ErrNotFound when the server said "not found". check validates the
// answer (nil: nothing to check); its error ends the call like the server's would.
func (c *Client) invoke(ctx context.Context, op, action string, do func(ctx context.Context) error, check func() error) (respMeta, error) {
	ctx, obs := c.obs.Start(ctx, op, action)
	meta, err := c.call(ctx, op, c.exchange(op, do))
	if err != nil {
		err = c.secrets.Error(c.notFound(err))
	} else if check != nil {
		err = check()
	}
	endCall(obs, err)
	return meta, err
}

// DeleteUser deletes a user: wire operation deleteUser, SOAP 1.2 action "urn:UDS.DeleteUser".
// opts may be nil. The service probably keeps the user with status DELETED (inferred, not
// documented); read it back with RetrieveUser or GetUserStatus to verify.
//
// An empty UserName is refused before sending. A user that does not exist is ErrNotFound (for
// offboarding: already done); any other Fault is a *ServiceError keeping the server's
// number, message and transaction id.
func (c *Client) DeleteUser(ctx context.Context, user UserID, opts *DeleteOptions) (*DeleteResult, error) {
	if opts == nil {
		opts = &DeleteOptions{}
	}
	if err := checkOneUser(user, opts.ClientTxID); err != nil {
		return nil, err
	}
	req := &udswsdl.DeleteUserRequest{UserId: wireUser(user), ClientTxId: opts.ClientTxID}
	var resp *udswsdl.DeleteUserResponse
	meta, err := c.invoke(ctx, "deleteUser", udswsdl.ActionDeleteUser, func(ctx context.Context) error {
		var err error
		resp, err = c.port.DeleteUser(ctx, req)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return c.deleteResult(meta, resp.Return_), nil
}

func (c *Client) deleteResult(meta respMeta, ret *udswsdl.UdsRegistrySuccessType) *DeleteResult {
	res := &DeleteResult{TransactionID: meta.transactionID, NewAuthToken: meta.authToken != ""}
	if ret != nil {
		res.Message = c.secrets.String(ret.Message)
	}
	return res
}

// checkOneUser refuses a user without a name, names that would not reach the server as given,
// a negative reference id and a bad clientTxId. It allocates nothing when the input is good.
func checkOneUser(user UserID, clientTxID string) error {
	if strings.TrimSpace(user.UserName) == "" {
		return &soapx.InputError{Field: "user.UserName", Reason: "must not be empty"}
	}
	if user.UserRefID < 0 {
		return &soapx.InputError{Field: "user.UserRefID", Reason: "must not be negative"}
	}
	if err := soapx.CheckTexts("user.OrgName", user.OrgName, "user.UserName", user.UserName); err != nil {
		return err
	}
	return soapx.CheckText("opts.ClientTxID", clientTxID)
}
