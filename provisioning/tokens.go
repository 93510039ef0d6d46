package provisioning

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/provisioning/internal/provisioningwsdl"
)

// The token operations' shapes come from other clients' code, not from the vendor
// (from other clients' code, not the vendor); wsdl/provisioning.wsdl is the one place they are written down.

// Token is a row of the table GetTokens answers (rows named Named_Tokens_Table). Columns are
// matched by name, ignoring case; a column the server leaves NULL (omitted) is the zero value.
// The first column is the serial.
type Token struct {
	Serial       string    `dataset:"serialnumber"`
	State        string    `dataset:"state"` // for example "Active"; values are not documented
	StateSetDate time.Time `dataset:"stateSetDate"`
	UserID       string    `dataset:"userid"` // the owner, empty for a token in inventory
	Organization string    `dataset:"orgName"`
	Type         TokenType `dataset:"type"`
	Container    string    `dataset:"container"`
	Rented       string    `dataset:"rented"`
	HardwareInit bool      `dataset:"hardwareInit"`
	Assignable   bool      `dataset:"assignable"`
	ICE          string    `dataset:"ice"`
	StateInt     int       `dataset:"stateInt"`
	TokenAllowed int       `dataset:"tokenAllowed"`
}

// TokenType is the wire enum TokenType, as the server spells it. Values this package does not
// name are kept as they came.
type TokenType string

// The TokenType values of the vendor's AllocateHardware sample.
const (
	TokenKT                  TokenType = "KT"
	TokenRB                  TokenType = "RB"
	TokenMP                  TokenType = "MP"
	TokenLegacy              TokenType = "LEGACY"
	TokenSMS                 TokenType = "SMS"
	TokenOATH                TokenType = "OATH"
	TokenCustom              TokenType = "CUSTOM"
	TokenGold                TokenType = "GOLD"
	TokenEToken              TokenType = "eToken"
	TokenMobilePASS          TokenType = "MobilePASS"
	TokenGoogleAuthenticator TokenType = "GoogleAuthenticator"
)

func (t TokenType) valid() bool {
	switch t {
	case TokenKT, TokenRB, TokenMP, TokenLegacy, TokenSMS, TokenOATH, TokenCustom, TokenGold, TokenEToken,
		TokenMobilePASS, TokenGoogleAuthenticator:
		return true
	}
	return false
}

// RevokeMode is what becomes of a revoked token: the wire enum RevokeSelection (revokeMode of
// RevokeToken, tokenOption of RemoveUser).
type RevokeMode string

const (
	// RevokeToInventory returns the token to inventory, still initialized, ready for another
	// user. It is the default.
	RevokeToInventory RevokeMode = "ReturntoInventory_Initialized"
	// RevokeToInventoryNotInitialized returns the token to inventory, to be initialized again.
	RevokeToInventoryNotInitialized RevokeMode = "ReturntoInventory_NotInitialized"
	// RevokeFaulty marks the token faulty.
	RevokeFaulty RevokeMode = "Faulty"
	// RevokeLost marks the token lost.
	RevokeLost RevokeMode = "Lost"
)

func (m RevokeMode) valid() bool {
	return m == RevokeToInventory || m == RevokeToInventoryNotInitialized || m == RevokeFaulty || m == RevokeLost
}

// RevokeResult is the wire enum RevokeResult, as the server spells it.
type RevokeResult string

const (
	RevokeSuccess           RevokeResult = "Success"           // the token was revoked
	RevokeBothSuccess       RevokeResult = "BothSuccess"       // the token and the static password
	RevokeSuccessRevokeTemp RevokeResult = "successRevokeTemp" // the temporary code was revoked
	RevokeFailRevokeTemp    RevokeResult = "failRevokeTemp"    // revoking the temporary code failed
	RevokeSuccessFail       RevokeResult = "SuccessFail"       // one of token and static password failed
	RevokeFail              RevokeResult = "Fail"              // nothing was revoked
	// RevokeLastAuth: "User is an operator or account manager. Their last authentication
	// method cannot be removed."
	RevokeLastAuth RevokeResult = "LastAuth"
)

// resultError is the *ServiceError of a result-typed operation answered with a failure result.
func resultError(op, result, serial, userName string) *ServiceError {
	msg := "the user was not removed"
	if op == opRevokeToken {
		msg = RevokeResult(result).describe()
	}
	return &ServiceError{Operation: op, Code: result, Message: msg, HTTPStatus: http.StatusOK, Serial: serial, UserName: userName}
}

// describe says what a result means, for ServiceError.Message.
func (r RevokeResult) describe() string {
	switch r {
	case RevokeSuccess:
		return "the token was revoked"
	case RevokeBothSuccess:
		return "the token and the static password were revoked"
	case RevokeSuccessRevokeTemp:
		return "the temporary code was revoked"
	case RevokeFailRevokeTemp:
		return "revoking the temporary code failed"
	case RevokeSuccessFail:
		return "one of token and static password was not revoked"
	case RevokeFail:
		return "nothing was revoked"
	case RevokeLastAuth:
		return "User is an operator or account manager. Their last authentication method cannot be removed."
	}
	return "the token was not revoked (a result this client does not know)"
}

func (r RevokeResult) succeeded() bool {
	return r == RevokeSuccess || r == RevokeBothSuccess || r == RevokeSuccessRevokeTemp
}

// UserDeleteResult is RemoveUser's answer, the wire enum UserDeleteResult. Only UserDeleted is
// known (third-party code checks for it); any other value is kept as it came and is a failure.
type UserDeleteResult string

// UserDeleted: the user was removed.
const UserDeleted UserDeleteResult = "Deleted"

// Sentinels of the token operations.
var (
	// ErrRevokeFailed: RevokeToken answered Fail, failRevokeTemp or SuccessFail. For a token
	// the user does not own (any more) that is also the answer (inferred), so for offboarding
	// check TokensByOwner: a serial absent there is revoked.
	ErrRevokeFailed = errors.New("provisioning: the token was not revoked")
	// ErrLastAuthenticator: RevokeToken answered LastAuth, the user is an operator or account
	// manager whose last authentication method cannot be removed. It is also ErrPermissionDenied.
	ErrLastAuthenticator = errors.New("provisioning: the user's last authentication method cannot be removed (LastAuth)")
	// ErrUserNotRemoved: RemoveUser answered something else than Deleted.
	ErrUserNotRemoved = errors.New("provisioning: the user was not removed")
)

// TokenNotFoundError: GetTokens has no token with the serial. It is ErrNotFound.
type TokenNotFoundError struct {
	Serial string
}

func (e *TokenNotFoundError) Error() string {
	return fmt.Sprintf("provisioning: GetTokens: no token with serial %q", e.Serial)
}

// Is reports ErrNotFound.
func (e *TokenNotFoundError) Is(target error) bool { return target == ErrNotFound }

const (
	opGetTokensByOwner = "GetTokensByOwner"
	opGetTokens        = "GetTokens"
	opRevokeToken      = "RevokeToken"
	opRemoveUser       = "RemoveUser"
)

// TokensByOwner returns the serial numbers of the tokens userName owns (wire operation
// GetTokensByOwner, SOAPAction "http://www.cryptocard.com/blackshield/GetTokensByOwner").
// None is an empty list: for offboarding, nothing left to revoke.
func (c *Client) TokensByOwner(ctx context.Context, organization, userName string) ([]string, error) {
	if err := checkOrganization(organization); err != nil {
		return nil, err
	}
	if err := checkNamed("userName", userName); err != nil {
		return nil, err
	}
	req := &provisioningwsdl.GetTokensByOwner{UserName: userName, Organization: organization}
	var serials []string
	err := c.run(ctx, opGetTokensByOwner, func(ctx context.Context) error {
		resp, err := c.stub.GetTokensByOwner(ctx, req)
		if err != nil {
			return err
		}
		serials = serials[:0]
		if resp.GetTokensByOwnerResult != nil {
			for _, s := range resp.GetTokensByOwnerResult.Astring {
				if s != nil && *s != "" {
					// What the server says may echo a secret (the OTP): scrubbed.
					serials = append(serials, c.secrets.Value(*s))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return serials, nil
}

// TokenQuery filters GetTokens; the zero value lists every token of the organization.
type TokenQuery struct {
	State     string    // state, for example "Active"; empty: any (the values are not documented)
	Type      TokenType // type; empty: any
	Serial    string    // serial; empty: any
	Container string    // container; empty: any
}

// Tokens returns one page of the organization's tokens matching q: pageSize tokens from
// startRecord on, counted from 0 (wire operation GetTokens, SOAPAction
// "http://www.cryptocard.com/blackshield/GetTokens"). AllTokens walks every page.
func (c *Client) Tokens(ctx context.Context, organization string, q TokenQuery, startRecord, pageSize int) ([]Token, error) {
	if err := checkOrganization(organization); err != nil {
		return nil, err
	}
	if err := checkPage(startRecord, pageSize); err != nil {
		var ie *soapx.InputError
		if errors.As(err, &ie) && ie.Field == "numberOfRecords" {
			ie.Field = "pageSize"
		}
		return nil, err
	}
	if q.Type != "" && !q.Type.valid() {
		return nil, &soapx.InputError{Field: "TokenQuery.Type", Reason: fmt.Sprintf("unknown token type %q", q.Type)}
	}
	if err := soapx.CheckTexts("TokenQuery.State", q.State, "TokenQuery.Serial", q.Serial, "TokenQuery.Container", q.Container); err != nil {
		return nil, err
	}
	req := &provisioningwsdl.GetTokens{
		State: q.State, Serial: q.Serial, Container: q.Container, Organization: organization,
		StartRecord: int32(startRecord), PageSize: int32(pageSize),
	}
	if q.Type != "" {
		t := provisioningwsdl.TokenType(q.Type)
		req.Type_ = &t
	}
	rows, err := callTable[Token](ctx, c, opGetTokens, provisioningwsdl.ActionGetTokens, req)
	for i := range rows {
		r := &rows[i]
		for _, f := range []*string{&r.Serial, &r.State, &r.UserID, &r.Organization, &r.Container, &r.Rented, &r.ICE} {
			*f = c.secrets.Value(*f)
		}
		r.Type = TokenType(c.secrets.Value(string(r.Type)))
	}
	return rows, err
}

// Token returns the details of the token with serial (GetTokens filtered on the serial). No
// such token is a *TokenNotFoundError (ErrNotFound).
func (c *Client) Token(ctx context.Context, organization, serial string) (*Token, error) {
	if err := checkNamed("serial", serial); err != nil {
		return nil, err
	}
	// A few rows, not one: should the server match serials by prefix, the exact one is
	// still found among them.
	rows, err := c.Tokens(ctx, organization, TokenQuery{Serial: serial}, firstRecord, 10)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if strings.EqualFold(rows[i].Serial, serial) {
			return &rows[i], nil
		}
	}
	return nil, &TokenNotFoundError{Serial: serial}
}

// AllTokens iterates over every token of the organization matching q, calling GetTokens for
// one page of WithPageSize tokens at a time as the loop goes on, until a page comes back
// empty. An error is yielded once, with a zero Token, and ends the iteration. Revoking while
// iterating shifts the later pages: collect first, then change.
func (c *Client) AllTokens(ctx context.Context, organization string, q TokenQuery) iter.Seq2[Token, error] {
	return pages(ctx, opGetTokens, c.pageSize, func(t Token) string { return "token " + strconv.Quote(t.Serial) },
		func(ctx context.Context, start, n int) ([]Token, error) {
			return c.Tokens(ctx, organization, q, start, n)
		})
}

// RevokeOptions are the optional parameters of RevokeToken.
type RevokeOptions struct {
	// Mode is what becomes of the token; the default is RevokeToInventory.
	Mode RevokeMode
	// Comment is recorded with the revocation.
	Comment string
	// RevokeStaticPassword also revokes the user's static password (revokeStaticPassword).
	RevokeStaticPassword bool
}

// RevokeToken revokes userName's token serial (wire operation RevokeToken, SOAPAction
// "http://www.cryptocard.com/blackshield/RevokeToken"); by default the token goes back to
// inventory, initialized. opts may be nil. Success, BothSuccess and successRevokeTemp are
// returned as the result; any other answer is a *ServiceError with the raw value in Code (Fail:
// ErrRevokeFailed, LastAuth: ErrLastAuthenticator). A Fail is first checked with
// PingConnection: a lost session is renewed and the call sent once more.
func (c *Client) RevokeToken(ctx context.Context, organization, serial, userName string, opts *RevokeOptions) (RevokeResult, error) {
	if err := checkOrganization(organization); err != nil {
		return "", err
	}
	if err := checkNamed("serial", serial); err != nil {
		return "", err
	}
	if err := checkNamed("userName", userName); err != nil {
		return "", err
	}
	var o RevokeOptions
	if opts != nil {
		o = *opts
	}
	if o.Mode == "" {
		o.Mode = RevokeToInventory
	}
	if !o.Mode.valid() {
		return "", &soapx.InputError{Field: "RevokeOptions.Mode", Reason: fmt.Sprintf("unknown revoke mode %q", o.Mode)}
	}
	if err := soapx.CheckText("RevokeOptions.Comment", o.Comment); err != nil {
		return "", err
	}
	mode := provisioningwsdl.RevokeSelection(o.Mode)
	req := &provisioningwsdl.RevokeToken{
		Serial: serial, UserName: userName, Comment: o.Comment, RevokeMode: &mode,
		RevokeStaticPassword: o.RevokeStaticPassword, Organization: organization,
	}
	var res RevokeResult
	err := c.run(ctx, opRevokeToken, func(ctx context.Context) error {
		resp, err := c.stub.RevokeToken(ctx, req)
		if err != nil {
			return err
		}
		if resp.RevokeTokenResult == nil {
			return &soapx.ProtocolError{Reason: "RevokeTokenResponse has no RevokeTokenResult"}
		}
		res = RevokeResult(c.secrets.Value(string(*resp.RevokeTokenResult)))
		c.resultCode(ctx, string(res))
		if res == RevokeFail {
			return errAnsweredFalse // no session, or really not revoked: do asks PingConnection
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAnsweredFalse) {
		return "", err
	}
	if !res.succeeded() {
		return res, resultError(opRevokeToken, string(res), serial, userName)
	}
	return res, nil
}

// RemoveUserOptions are the optional parameters of RemoveUser.
type RemoveUserOptions struct {
	// TokenMode is what becomes of the user's tokens (tokenOption); the default is
	// RevokeToInventory.
	TokenMode RevokeMode
}

// RemoveUser removes userName from the organization, revoking its tokens with
// opts.TokenMode (wire operation RemoveUser, SOAPAction
// "http://www.cryptocard.com/blackshield/RemoveUser"). opts may be nil. Any answer but Deleted
// is a *ServiceError with the raw value in Code (ErrUserNotRemoved), checked with PingConnection first
// like RevokeToken's Fail.
//
// Inferred, not documented: the member order userName, tokenOption, organization, and what the
// server answers for a user that does not exist (probably a failure value, not a Fault).
func (c *Client) RemoveUser(ctx context.Context, organization, userName string, opts *RemoveUserOptions) error {
	if err := checkOrganization(organization); err != nil {
		return err
	}
	if err := checkNamed("userName", userName); err != nil {
		return err
	}
	var o RemoveUserOptions
	if opts != nil {
		o = *opts
	}
	if o.TokenMode == "" {
		o.TokenMode = RevokeToInventory
	}
	if !o.TokenMode.valid() {
		return &soapx.InputError{Field: "RemoveUserOptions.TokenMode", Reason: fmt.Sprintf("unknown revoke mode %q", o.TokenMode)}
	}
	mode := provisioningwsdl.RevokeSelection(o.TokenMode)
	req := &provisioningwsdl.RemoveUser{UserName: userName, TokenOption: &mode, Organization: organization}
	var res UserDeleteResult
	err := c.run(ctx, opRemoveUser, func(ctx context.Context) error {
		resp, err := c.stub.RemoveUser(ctx, req)
		if err != nil {
			return err
		}
		if resp.RemoveUserResult == nil {
			return &soapx.ProtocolError{Reason: "RemoveUserResponse has no RemoveUserResult"}
		}
		res = UserDeleteResult(c.secrets.Value(string(*resp.RemoveUserResult)))
		c.resultCode(ctx, string(res))
		if res != UserDeleted {
			return errAnsweredFalse
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAnsweredFalse) {
		return err
	}
	if res != UserDeleted {
		return resultError(opRemoveUser, string(res), "", userName)
	}
	return nil
}

// checkNamed refuses an empty or unsendable string argument, naming it.
func checkNamed(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return &soapx.InputError{Field: field, Reason: "is empty"}
	}
	return soapx.CheckText(field, v)
}
