package uds

import (
	"context"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// ListAccountsOptions are the optional inputs of ListUserAccounts.
type ListAccountsOptions struct {
	// AccountType lists only the accounts of this type (the request's account/accountType);
	// empty lists them all.
	AccountType string
	// ClientTxID is the caller's own transaction id, echoed in the server's logs.
	ClientTxID string
}

// AccountList is the answer of ListUserAccounts.
type AccountList struct {
	Accounts []Account // none when the user has no account
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// NewAuthToken reports whether the response carried a new AnA authToken.
	NewAuthToken bool
}

// ListUserAccounts lists a user's accounts: wire operation listUserAccounts, SOAP 1.2 action
// "urn:UDS.ListUserAccounts" (its request and response elements are singular:
// listUserAccountRequest, listUserAccountResponse). The service does not page: the answer
// holds every account. opts may be nil.
//
// An empty UserName is refused before sending. A user that does not exist is ErrNotFound;
// any other Fault is a *ServiceError keeping the server's number, message and transaction id.
func (c *Client) ListUserAccounts(ctx context.Context, user UserID, opts *ListAccountsOptions) (*AccountList, error) {
	if opts == nil {
		opts = &ListAccountsOptions{}
	}
	if err := checkOneUser(user, opts.ClientTxID); err != nil {
		return nil, err
	}
	if err := soapx.CheckText("opts.AccountType", opts.AccountType); err != nil {
		return nil, err
	}
	req := &udswsdl.ListUserAccountRequest{UserId: wireUser(user), ClientTxId: opts.ClientTxID}
	if opts.AccountType != "" {
		req.Account = &udswsdl.UserAccountType{AccountType: opts.AccountType}
	}
	var resp *udswsdl.ListUserAccountResponse
	meta, err := c.invoke(ctx, "listUserAccounts", udswsdl.ActionListUserAccounts, func(ctx context.Context) error {
		var err error
		resp, err = c.port.ListUserAccounts(ctx, req)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return &AccountList{
		Accounts:      c.accountsFromWire(resp.Account),
		TransactionID: meta.transactionID,
		NewAuthToken:  meta.authToken != "",
	}, nil
}

// DeleteUserAccount deletes one of a user's accounts: wire operation deleteUserAccount, SOAP
// 1.2 action "urn:UDS.DeleteUserAccount". The account is identified by its type alone: the
// service ignores every other account member for this operation (accountID included), so
// only accountType is sent. opts may be nil.
//
// An empty UserName or accountType is refused before sending. A user or account that does not
// exist is ErrNotFound (for offboarding: already done); any other Fault is a *ServiceError
// keeping the server's number, message and transaction id.
func (c *Client) DeleteUserAccount(ctx context.Context, user UserID, accountType string, opts *DeleteOptions) (*DeleteResult, error) {
	if opts == nil {
		opts = &DeleteOptions{}
	}
	if err := checkOneUser(user, opts.ClientTxID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(accountType) == "" {
		return nil, &soapx.InputError{Field: "accountType", Reason: "must not be empty"}
	}
	if err := soapx.CheckText("accountType", accountType); err != nil {
		return nil, err
	}
	req := &udswsdl.DeleteUserAccountRequest{
		UserId:     wireUser(user),
		Account:    &udswsdl.UserAccountType{AccountType: accountType},
		ClientTxId: opts.ClientTxID,
	}
	var resp *udswsdl.DeleteUserAccountResponse
	meta, err := c.invoke(ctx, "deleteUserAccount", udswsdl.ActionDeleteUserAccount, func(ctx context.Context) error {
		var err error
		resp, err = c.port.DeleteUserAccount(ctx, req)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return c.deleteResult(meta, resp.Return_), nil
}
