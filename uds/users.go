package uds

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// Status is a user's status in AuthMinder (UserStatusType).
type Status string

// The four statuses of UserStatusType.
const (
	StatusInitial  Status = "INITIAL"
	StatusActive   Status = "ACTIVE"
	StatusInactive Status = "INACTIVE"
	StatusDeleted  Status = "DELETED"
)

// Valid reports whether s is one of the four statuses the service knows.
func (s Status) Valid() bool {
	switch s {
	case StatusInitial, StatusActive, StatusInactive, StatusDeleted:
		return true
	}
	return false
}

// UserID identifies a user (UserIdentifierType).
type UserID struct {
	// OrgName is the user's organisation; empty means the server's default organisation.
	OrgName string
	// UserName is the user's unique name in the organisation. Required.
	UserName string
	// UserRefID is the server's reference id of the user, unique across organisations.
	// Requests may leave it 0 (not sent; the server ignores it); responses fill it in.
	UserRefID int32
}

// UpdateOptions are the optional inputs of UpdateUserStatus.
type UpdateOptions struct {
	// StartLockTime is when the user is to be deactivated; zero: not sent.
	StartLockTime time.Time
	// EndLockTime is when the deactivated user is to be activated again; zero: not sent.
	// When both are set it must be after StartLockTime.
	EndLockTime time.Time
	// ClientTxID is the caller's own transaction id, echoed in the server's logs.
	ClientTxID string
}

// GetOptions are the optional inputs of GetUserStatus.
type GetOptions struct {
	// ClientTxID is the caller's own transaction id, echoed in the server's logs.
	ClientTxID string
}

// UpdateResult is the answer of UpdateUserStatus.
type UpdateResult struct {
	// Message is the server's success message, normally "The operation was successful!".
	Message string
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// NewAuthToken reports whether the response carried a new AnA authToken (which the
	// client keeps for later calls; the token itself is never exposed).
	NewAuthToken bool
}

// UserStatus is the answer of GetUserStatus.
type UserStatus struct {
	User   UserID
	Status Status // as the server sent it, even if it is not one of the four known values
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// NewAuthToken reports whether the response carried a new AnA authToken.
	NewAuthToken bool
}

// UpdateUserStatus sets the status of one or more users in a single call: wire operation
// updateUserStatus, SOAP 1.2 action "urn:UDS.UpdateUserStatus". opts may be nil.
//
// Bad input (no users, an empty UserName, an unknown status, an EndLockTime not after
// StartLockTime) is refused with a *soapx.InputError (errors.Is(err, ErrInvalidInput))
// before anything is sent. A Fault from the server is a *ServiceError.
func (c *Client) UpdateUserStatus(ctx context.Context, users []UserID, status Status, opts *UpdateOptions) (*UpdateResult, error) {
	if opts == nil {
		opts = &UpdateOptions{}
	}
	if err := checkUpdate(users, status, opts); err != nil {
		return nil, err
	}
	st := udswsdl.UserStatusType(status)
	req := &udswsdl.UpdateUserStatusRequest{Status: &st, ClientTxId: opts.ClientTxID}
	for i := range users {
		req.UserId = append(req.UserId, wireUser(users[i]))
	}
	if !opts.StartLockTime.IsZero() {
		req.StartLockTime = soapx.DateTime{Time: opts.StartLockTime}
	}
	if !opts.EndLockTime.IsZero() {
		req.EndLockTime = soapx.DateTime{Time: opts.EndLockTime}
	}

	const op = "updateUserStatus"
	ctx, call := c.obs.Start(ctx, op, udswsdl.ActionUpdateUserStatus)
	var resp *udswsdl.UpdateUserStatusResponse
	meta, err := c.call(ctx, op, c.exchange(op, func(ctx context.Context) error {
		var err error
		resp, err = c.port.UpdateUserStatus(ctx, req)
		return err
	}))
	if err != nil {
		err = c.secrets.Error(err)
		endCall(call, err)
		return nil, err
	}
	endCall(call, nil)
	res := &UpdateResult{TransactionID: meta.transactionID, NewAuthToken: meta.authToken != ""}
	if resp.Return_ != nil {
		res.Message = c.secrets.String(resp.Return_.Message)
	}
	return res, nil
}

// GetUserStatus reads the status of one user: wire operation getUserStatus, SOAP 1.2 action
// "urn:UDS.GetUserStatus". opts may be nil. An empty UserName is refused before sending.
func (c *Client) GetUserStatus(ctx context.Context, user UserID, opts *GetOptions) (*UserStatus, error) {
	if opts == nil {
		opts = &GetOptions{}
	}
	if strings.TrimSpace(user.UserName) == "" {
		return nil, &soapx.InputError{Field: "user.UserName", Reason: "must not be empty"}
	}
	if err := soapx.CheckTexts("user.OrgName", user.OrgName, "user.UserName", user.UserName); err != nil {
		return nil, err
	}
	if err := soapx.CheckText("opts.ClientTxID", opts.ClientTxID); err != nil {
		return nil, err
	}
	req := &udswsdl.GetUserStatusRequest{UserId: wireUser(user), ClientTxId: opts.ClientTxID}

	const op = "getUserStatus"
	ctx, call := c.obs.Start(ctx, op, udswsdl.ActionGetUserStatus)
	var resp *udswsdl.GetUserStatusResponse
	meta, err := c.call(ctx, op, c.exchange(op, func(ctx context.Context) error {
		var err error
		resp, err = c.port.GetUserStatus(ctx, req)
		return err
	}))
	if err != nil {
		err = c.secrets.Error(err)
		endCall(call, err)
		return nil, err
	}
	if resp.UserId == nil || resp.Status == nil {
		err := fmt.Errorf("uds: %s: %w", op, &soapx.ProtocolError{
			Reason: "getUserStatusResponse lacks userId or status (both are required)",
		})
		endCall(call, err)
		return nil, err
	}
	endCall(call, nil)
	return &UserStatus{
		User: UserID{
			OrgName:   resp.UserId.OrgName,
			UserName:  resp.UserId.UserName,
			UserRefID: resp.UserId.UserRefId,
		},
		Status:        Status(strings.TrimSpace(string(*resp.Status))),
		TransactionID: meta.transactionID,
		NewAuthToken:  meta.authToken != "",
	}, nil
}

func checkUpdate(users []UserID, status Status, opts *UpdateOptions) error {
	if len(users) == 0 {
		return &soapx.InputError{Field: "users", Reason: "at least one user is required"}
	}
	for i, u := range users {
		if strings.TrimSpace(u.UserName) == "" {
			return &soapx.InputError{Field: fmt.Sprintf("users[%d].UserName", i), Reason: "must not be empty"}
		}
		if p := soapx.TextProblem(u.OrgName); p != "" {
			return &soapx.InputError{Field: fmt.Sprintf("users[%d].OrgName", i), Reason: p}
		}
		if p := soapx.TextProblem(u.UserName); p != "" {
			return &soapx.InputError{Field: fmt.Sprintf("users[%d].UserName", i), Reason: p}
		}
	}
	if err := soapx.CheckText("opts.ClientTxID", opts.ClientTxID); err != nil {
		return err
	}
	if err := soapx.CheckDateTime("opts.StartLockTime", opts.StartLockTime); err != nil {
		return err
	}
	if err := soapx.CheckDateTime("opts.EndLockTime", opts.EndLockTime); err != nil {
		return err
	}
	if !status.Valid() {
		return &soapx.InputError{Field: "status", Reason: fmt.Sprintf("unknown status %q (want INITIAL, ACTIVE, INACTIVE or DELETED)", string(status))}
	}
	if !opts.StartLockTime.IsZero() && !opts.EndLockTime.IsZero() && !opts.EndLockTime.After(opts.StartLockTime) {
		return &soapx.InputError{Field: "opts.EndLockTime", Reason: "must be after opts.StartLockTime"}
	}
	return nil
}

func wireUser(u UserID) *udswsdl.UserIdentifierType {
	return &udswsdl.UserIdentifierType{OrgName: u.OrgName, UserName: u.UserName, UserRefId: u.UserRefID}
}
