package uds

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/uds/internal/udswsdl"
)

// AccountStatus is an account's accountStatus number (UserAccountType). The number's range is
// its state (ArcotUserSchema.xsd): see State.
type AccountStatus int32

// AccountState is the state an AccountStatus range stands for, spelled as the schema's
// documentation spells it.
type AccountState string

// The account states of the accountStatus ranges. The Broadcom "Fetch a User Account Details"
// page calls 20-29 INACTIVE; the schema says DISABLED.
const (
	AccountInitial  AccountState = "INITIAL"  // 0-9
	AccountActive   AccountState = "ACTIVE"   // 10-19
	AccountDisabled AccountState = "DISABLED" // 20-29
	AccountDeleted  AccountState = "DELETED"  // 30-39
	AccountUnknown  AccountState = "UNKNOWN"  // above 39, or negative
)

// Common accountStatus values: the first of each range.
const (
	AccountStatusInitial  AccountStatus = 0
	AccountStatusActive   AccountStatus = 10
	AccountStatusDisabled AccountStatus = 20
	AccountStatusDeleted  AccountStatus = 30
)

// State is the state of s's range.
func (s AccountStatus) State() AccountState {
	switch {
	case s < 0 || s > 39:
		return AccountUnknown
	case s < 10:
		return AccountInitial
	case s < 20:
		return AccountActive
	case s < 30:
		return AccountDisabled
	}
	return AccountDeleted
}

func (s AccountStatus) String() string { return fmt.Sprintf("%d (%s)", int32(s), s.State()) }

// Account is a user account (UserAccountType): an alternate identity of the user of some type.
type Account struct {
	// Type is accountType, the account's type as configured (e.g. "RADIUS_ID"). It is what
	// identifies the account to DeleteUserAccount.
	Type string
	// ID is accountID; empty when the server sent none.
	ID string
	// Status is accountStatus. The element is optional and the generated wire type cannot
	// tell an absent one from 0, so an account without accountStatus reads as 0 (INITIAL).
	Status AccountStatus
	// IDAttributes are the accountIDAttribute values.
	IDAttributes []AccountIDAttribute
	// Created and Modified are dateCreated and dateModified; zero when the server sent none.
	Created, Modified time.Time
	// CustomAttributes are the accountCustomAttribute values.
	CustomAttributes []CustomAttribute
}

// AccountIDAttribute is an accountIDAttribute: an alternate account id with its key.
type AccountIDAttribute struct {
	// Key is the key attribute: 1 when the server sent none (the schema's default); a key of
	// 0 cannot be told from an absent one and reads as 1 too.
	Key   int32
	Value string
}

// CustomAttribute is a name with a nillable value (customAttribute, accountCustomAttribute).
type CustomAttribute struct {
	Name  string
	Value *string // nil when the server sent xsi:nil
}

// Qualified is a value with its qualifier (emailId, telephoneNumber).
type Qualified struct {
	Value     string
	Qualifier string
}

// User is a user's details as retrieveUser answers them (UserDetailsTypeEx).
type User struct {
	ID                UserID
	Created, Modified time.Time // in UTC; zero when the server sent none
	Emails            []Qualified
	Phones            []Qualified
	FirstName         string
	MiddleName        string
	LastName          string
	PAM               string
	PAMImageURL       string
	Image             []byte // with RetrieveOptions.IncludeImage
	// Status is the user's status; nil when the server sent none. It is as the server sent
	// it, even if it is not one of the four known values.
	Status           *Status
	CustomAttributes []CustomAttribute
	// StartLockTime and EndLockTime are the lock window; zero when the server sent none.
	StartLockTime, EndLockTime time.Time
	// Accounts are the user's accounts (with RetrieveOptions.IncludeAccounts).
	Accounts []Account
	// TransactionID is the udsTransactionID response header: quote it to CA support.
	TransactionID string
	// NewAuthToken reports whether the response carried a new AnA authToken.
	NewAuthToken bool
}

// Deleted reports whether the server says the user is DELETED.
func (u *User) Deleted() bool { return u.Status != nil && *u.Status == StatusDeleted }

// RetrieveOptions are the optional inputs of RetrieveUser.
type RetrieveOptions struct {
	// IncludeAccounts asks for the user's accounts (filter/includeAccounts).
	IncludeAccounts bool
	// IncludeImage asks for the user's image (filter/includeImage).
	IncludeImage bool
	// DeepSearch looks the identifier up as a user name, then as an account id, then as an
	// account id attribute (filter/deepSearch).
	DeepSearch bool
	// AccountType is the request's accountType: the account type a deep search looks in.
	AccountType string
	// ClientTxID is the caller's own transaction id, echoed in the server's logs.
	ClientTxID string
}

// RetrieveUser reads a user's details: wire operation retrieveUser, SOAP 1.2 action
// "urn:UDS.RetrieveUser". The request names the user by user.UserName (userIdentifier) and
// user.OrgName (orgName; empty: the server's default organisation); user.UserRefID cannot be
// sent and is refused. opts may be nil.
//
// A user that does not exist is ErrNotFound (for offboarding: already gone); any other Fault
// is a *ServiceError keeping the server's number, message and transaction id.
func (c *Client) RetrieveUser(ctx context.Context, user UserID, opts *RetrieveOptions) (*User, error) {
	if opts == nil {
		opts = &RetrieveOptions{}
	}
	if err := checkOneUser(user, opts.ClientTxID); err != nil {
		return nil, err
	}
	if user.UserRefID != 0 {
		return nil, &soapx.InputError{Field: "user.UserRefID", Reason: "retrieveUser identifies a user by name only; leave it 0"}
	}
	if err := soapx.CheckText("opts.AccountType", opts.AccountType); err != nil {
		return nil, err
	}
	req := &udswsdl.RetrieveUserRequest{
		UserIdentifier: user.UserName,
		OrgName:        user.OrgName,
		AccountType:    opts.AccountType,
		ClientTxId:     opts.ClientTxID,
	}
	if opts.IncludeAccounts || opts.IncludeImage || opts.DeepSearch {
		req.Filter = &udswsdl.UserFilterType{
			UserBaseFilterType: &udswsdl.UserBaseFilterType{IncludeImage: opts.IncludeImage, IncludeAccounts: opts.IncludeAccounts},
			DeepSearch:         opts.DeepSearch,
		}
	}
	const op = "retrieveUser"
	var resp *udswsdl.RetrieveUserResponse
	var u *User
	meta, err := c.invoke(ctx, op, udswsdl.ActionRetrieveUser, func(ctx context.Context) error {
		var err error
		resp, err = c.port.RetrieveUser(ctx, req)
		return err
	}, func() error {
		ret := resp.Return_
		if ret == nil || ret.UserDetailsType == nil || ret.UserId == nil {
			return fmt.Errorf("uds: %s: %w", op, &soapx.ProtocolError{
				Reason: "retrieveUserResponse lacks return/userId (both are required)",
			})
		}
		var err error
		if u, err = c.userFromWire(ret); err != nil {
			return fmt.Errorf("uds: %s: %w", op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	u.TransactionID, u.NewAuthToken = meta.transactionID, meta.authToken != ""
	return u, nil
}

// userFromWire converts UserDetailsTypeEx. Free texts are scrubbed of the client's secrets,
// like every other text the server sends back.
func (c *Client) userFromWire(w *udswsdl.UserDetailsTypeEx) (*User, error) {
	d := w.UserDetailsType
	s := c.secrets.String
	u := &User{
		ID:            UserID{OrgName: d.UserId.OrgName, UserName: d.UserId.UserName, UserRefID: d.UserId.UserRefId},
		Created:       utc(d.DateCreated.Time),
		Modified:      utc(d.DateModified.Time),
		FirstName:     s(d.FirstName),
		MiddleName:    s(d.MiddleName),
		LastName:      s(d.LastName),
		PAM:           s(d.Pam),
		PAMImageURL:   s(d.PamImageURL),
		StartLockTime: utc(d.StartLockTime.Time),
		EndLockTime:   utc(d.EndLockTime.Time),
	}
	for _, e := range d.EmailId {
		if e != nil {
			u.Emails = append(u.Emails, Qualified{Value: s(strings.TrimSpace(e.Value)), Qualifier: s(e.Qualifier)})
		}
	}
	for _, p := range d.TelephoneNumber {
		if p != nil {
			u.Phones = append(u.Phones, Qualified{Value: s(strings.TrimSpace(p.Value)), Qualifier: s(p.Qualifier)})
		}
	}
	if img := strings.Join(strings.Fields(d.Image), ""); img != "" {
		b, err := base64.StdEncoding.DecodeString(img)
		if err != nil {
			return nil, &soapx.ProtocolError{Reason: "retrieveUserResponse image is not base64Binary"}
		}
		u.Image = b
	}
	if d.Status != nil {
		st := Status(strings.TrimSpace(string(*d.Status)))
		u.Status = &st
	}
	for _, a := range d.CustomAttribute {
		if a != nil {
			u.CustomAttributes = append(u.CustomAttributes, CustomAttribute{Name: s(a.Name), Value: scrubPtr(s, a.Value)})
		}
	}
	u.Accounts = c.accountsFromWire(w.Account)
	return u, nil
}

func (c *Client) accountsFromWire(ws []*udswsdl.UserAccountType) []Account {
	var out []Account
	for _, w := range ws {
		if w == nil {
			continue
		}
		a := Account{
			Type:     c.secrets.Value(strings.TrimSpace(w.AccountType)),
			ID:       c.secrets.Value(w.AccountID),
			Created:  utc(w.DateCreated.Time),
			Modified: utc(w.DateModified.Time),
			Status:   AccountStatus(w.AccountStatus),
		}
		for _, id := range w.AccountIDAttribute {
			if id == nil {
				continue
			}
			key := id.Key
			if key == 0 {
				key = 1 // the schema's default
			}
			a.IDAttributes = append(a.IDAttributes, AccountIDAttribute{Key: key, Value: c.secrets.Value(id.Value)})
		}
		for _, ca := range w.AccountCustomAttribute {
			if ca != nil {
				a.CustomAttributes = append(a.CustomAttributes, CustomAttribute{Name: c.secrets.Value(ca.AttributeName), Value: scrubPtr(c.secrets.Value, ca.AttributeValue)})
			}
		}
		out = append(out, a)
	}
	return out
}

// utc is t in UTC, the zero time left as it is.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func scrubPtr(scrub func(string) string, p *string) *string {
	if p == nil {
		return nil
	}
	v := scrub(*p)
	return &v
}
