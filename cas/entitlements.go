package cas

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/cas/internal/caswsdl"
	engine "github.com/offboard-go/offboard/internal/session"
	"github.com/offboard-go/offboard/internal/soapx"
)

// The wire operations of the entitlement reads and the cancellations.
const (
	opGetDomainEntitlements           = "GetDomainEntitlements"
	opGetDomainPermittedSubscriptions = "GetDomainPermittedSubscriptions"
	opGetUserPermittedSubscriptions   = "GetUserPermittedSubscriptions"
	opGetUserCAStatus                 = "GetUserCAStatus"
	opCancelSubscriptionRenewal       = "CancelSubscriptionRenewal"
	opCancelServiceNow                = "CancelServiceNow"
)

// TransactionType is what was bought: the wire enum eTransactionType, sent and read by name.
// Values this package does not name are kept as they came.
type TransactionType string

const (
	TransactionPPV          TransactionType = "PPV"          // a single media file
	TransactionSubscription TransactionType = "Subscription" // a subscription (renewing or not)
	TransactionCollection   TransactionType = "Collection"   // a collection
	// TransactionProgramAssetGroupOffer is production's fourth value (its help page and the
	// server's enum have it; the 2020 WSDL snapshot does not).
	TransactionProgramAssetGroupOffer TransactionType = "ProgramAssetGroupOffer"
)

func (t TransactionType) valid() bool {
	switch t {
	case TransactionPPV, TransactionSubscription, TransactionCollection, TransactionProgramAssetGroupOffer:
		return true
	}
	return false
}

// EntitlementOrder is the wire enum EntitlementOrderBy.
type EntitlementOrder string

const (
	PurchaseDateAsc  EntitlementOrder = "PurchaseDateAsc"
	PurchaseDateDesc EntitlementOrder = "PurchaseDateDesc"
)

// PaymentMethod is the wire enum ePaymentMethod, kept as the server spells it ("CreditCard",
// "InApp", "Gift"…); values this package does not know are kept too.
type PaymentMethod string

// CAStatus is a user's conditional-access status, the wire enum UserCAStatus, with the
// server's spellings.
type CAStatus string

const (
	// CAStatusAnonymous is the server's "Annonymus" (sic): no user (an empty or "0" user id).
	// It is also what the server answers, with HTTP 404, to refused web-service credentials;
	// GetUserCAStatus reports that as a *ServiceError (ErrAuthentication), never as this value.
	CAStatusAnonymous      CAStatus = "Annonymus"
	CAStatusNeverPurchased CAStatus = "NeverPurchased" // nothing bought, ever
	CAStatusExPPV          CAStatus = "ExPPV"          // only expired PPV purchases
	CAStatusExSub          CAStatus = "ExSub"          // only expired subscriptions
	CAStatusCurrentPPV     CAStatus = "CurrentPPV"     // a PPV purchase is valid now
	CAStatusCurrentSub     CAStatus = "CurrentSub"     // a subscription is valid now
)

// Current reports whether the status means something is valid now (CurrentSub, CurrentPPV).
func (s CAStatus) Current() bool { return s == CAStatusCurrentSub || s == CAStatusCurrentPPV }

// Entitlement is one purchase of a household as GetDomainEntitlements lists it. Dates are
// read leniently (.NET writes them without a zone; a zone-less value is taken as UTC) and the
// zero time stands for an absent one. A non-renewing purchase has NextRenewalDate at .NET's
// DateTime.MaxValue (9999-12-31T23:59:59.9999999): use Renewing.
type Entitlement struct {
	MediaFileID     int
	Type            TransactionType
	EntitlementID   string // the subscription code for a subscription
	CurrentUses     int
	EndDate         time.Time
	CurrentDate     time.Time
	LastViewDate    time.Time
	PurchaseDate    time.Time
	PurchaseID      int
	PaymentMethod   PaymentMethod
	DeviceUDID      string
	DeviceName      string
	CancelWindow    bool // still inside the cancellation window
	MaxUses         int
	NextRenewalDate time.Time
	// Renewing is recurringStatus: the subscription will charge again. CancelSubscriptionRenewal
	// makes it false.
	Renewing         bool
	Renewable        bool // isRenewable
	PaymentGatewayID int
	PaymentMethodID  int
	InGracePeriod    bool
	// ScheduledSubscriptionID is nillable on the wire: nil when the server sent none.
	ScheduledSubscriptionID *int64
	Suspended               bool
	MediaID                 int
	UnifiedPaymentID        int64
}

// PermittedSubscription is one subscription a household or user may watch, as
// GetDomainPermittedSubscriptions and GetUserPermittedSubscriptions list it (the server's
// PermittedSubscriptionContainer). Dates as in Entitlement.
type PermittedSubscription struct {
	SubscriptionCode string
	MaxUses          int
	CurrentUses      int
	EndDate          time.Time
	CurrentDate      time.Time
	LastViewDate     time.Time
	PurchaseDate     time.Time
	NextRenewalDate  time.Time
	Renewing         bool // m_bRecurringStatus
	Renewable        bool // m_bIsSubRenewable
	PurchaseID       int  // m_nSubscriptionPurchaseID
	PaymentMethod    PaymentMethod
	DeviceUDID       string
	DeviceName       string
	CancelWindow     bool
	InGracePeriod    bool
	PaymentGatewayID int
	PaymentMethodID  int
	// ScheduledSubscriptionID is nillable on the wire: nil when the server sent none.
	ScheduledSubscriptionID *int64
}

// EntitlementQuery selects what GetDomainEntitlements lists. The zero value lists the
// household's current subscriptions, oldest purchase first.
type EntitlementQuery struct {
	Type    TransactionType  // default TransactionSubscription
	Expired bool             // isExpired: list expired purchases instead of current ones
	OrderBy EntitlementOrder // default PurchaseDateAsc
}

// EntitlementPage is one page of GetDomainEntitlements.
type EntitlementPage struct {
	Entitlements []Entitlement
	// TotalItems is the number of entitlements over all pages (totalItems).
	TotalItems int
	// Message is the status message of a successful answer (for an empty household
	// "no permitted items").
	Message string
}

// firstEntitlementPage is the pageIndex of the first page.
//
// Inferred (the vendor does not say): pages are counted from 0, like the module's other
// indexes. AllDomainEntitlements stops on totalItems, an empty page or a repeated page; when
// page 0 comes back empty although totalItems is not 0 (a server that counts from 1) it asks
// for page 1, so that costs one extra request, not a wrong answer.
const firstEntitlementPage = 0

// DomainEntitlements returns one page of household domainID's entitlements: wire operation
// GetDomainEntitlements, SOAPAction "http://ca.tvinci.com/GetDomainEntitlements". pageIndex
// counts from 0; pageSize must be positive.
//
// The server does not check that the household exists: an unknown household answers an empty
// list ("no permitted items"), which for offboarding means nothing is left. A status other
// than 0 inside the answer is a *ServiceError.
func (c *Client) DomainEntitlements(ctx context.Context, domainID int, q EntitlementQuery, pageIndex, pageSize int) (*EntitlementPage, error) {
	if err := c.soapOnly(opGetDomainEntitlements); err != nil {
		return nil, err
	}
	if err := checkDomain("domainID", domainID); err != nil {
		return nil, err
	}
	if q.Type == "" {
		q.Type = TransactionSubscription
	}
	if q.OrderBy == "" {
		q.OrderBy = PurchaseDateAsc
	}
	switch {
	case !q.Type.valid():
		return nil, &soapx.InputError{Field: "EntitlementQuery.Type", Reason: "unknown transaction type " + strconv.Quote(string(q.Type))}
	case q.OrderBy != PurchaseDateAsc && q.OrderBy != PurchaseDateDesc:
		return nil, &soapx.InputError{Field: "EntitlementQuery.OrderBy", Reason: "must be PurchaseDateAsc or PurchaseDateDesc, got " + strconv.Quote(string(q.OrderBy))}
	case pageIndex < 0 || pageIndex > math.MaxInt32:
		return nil, &soapx.InputError{Field: "pageIndex", Reason: "must be between 0 and 2147483647, got " + strconv.Itoa(pageIndex)}
	case pageSize <= 0 || pageSize > math.MaxInt32:
		return nil, &soapx.InputError{Field: "pageSize", Reason: "must be between 1 and 2147483647, got " + strconv.Itoa(pageSize)}
	}
	tt := caswsdl.ETransactionType(q.Type)
	ob := caswsdl.EntitlementOrderBy(q.OrderBy)
	req := &caswsdl.GetDomainEntitlements{
		SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword,
		DomainId: int32(domainID), Type_: &tt, IsExpired: q.Expired,
		PageSize: int32(pageSize), PageIndex: int32(pageIndex), OrderBy: &ob,
	}
	return guardedOp(ctx, c, opGetDomainEntitlements, func(ctx context.Context) (*EntitlementPage, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.GetDomainEntitlements(ctx, req)
		if err != nil {
			return nil, c.wrapOp(opGetDomainEntitlements, err)
		}
		res := resp.GetDomainEntitlementsResult
		var st *caswsdl.Status
		if res != nil {
			st = res.Status
		}
		msg, err := c.checkAnswer(opGetDomainEntitlements, st, res != nil, captured)
		if err != nil {
			return nil, err
		}
		page := &EntitlementPage{TotalItems: int(res.TotalItems), Message: msg}
		if res.Entitelments != nil {
			for _, e := range res.Entitelments.Entitlement {
				if e != nil { // nillable items: xsi:nil entries say nothing
					page.Entitlements = append(page.Entitlements, c.entitlement(e))
				}
			}
		}
		return page, nil
	})
}

// AllDomainEntitlements iterates over every entitlement of household domainID matching q,
// calling GetDomainEntitlements for one page of pageSize entitlements at a time (pageSize ≤ 0
// means 50) as the loop goes on. It stops after totalItems entitlements, at an empty page, or
// with a *ProtocolError at a page that repeats the previous one (a server ignoring pageIndex).
// An error is yielded once, with a zero Entitlement, and ends the iteration.
func (c *Client) AllDomainEntitlements(ctx context.Context, domainID int, q EntitlementQuery, pageSize int) iter.Seq2[Entitlement, error] {
	if pageSize <= 0 {
		pageSize = 50
	}
	return func(yield func(Entitlement, error) bool) {
		seen := 0
		var prevFirst *Entitlement
		for index := firstEntitlementPage; ; index++ {
			page, err := c.DomainEntitlements(ctx, domainID, q, index, pageSize)
			if err != nil {
				yield(Entitlement{}, err)
				return
			}
			if len(page.Entitlements) == 0 {
				if index == firstEntitlementPage && page.TotalItems > 0 {
					continue // a server that counts pages from 1: its first page is the next
				}
				return
			}
			if prevFirst != nil && page.Entitlements[0].PurchaseID == prevFirst.PurchaseID && page.Entitlements[0].EntitlementID == prevFirst.EntitlementID {
				yield(Entitlement{}, fmt.Errorf("cas: %s: %w", opGetDomainEntitlements, &soapx.ProtocolError{
					Reason: fmt.Sprintf("page %d starts with the same entitlement as page %d: the server seems to ignore pageIndex", index, index-1)}))
				return
			}
			for _, e := range page.Entitlements {
				if !yield(e, nil) {
					return
				}
			}
			seen += len(page.Entitlements)
			if seen >= page.TotalItems || index == math.MaxInt32 {
				return
			}
			first := page.Entitlements[0]
			prevFirst = &first
		}
	}
}

// DomainPermittedSubscriptions lists the subscriptions household domainID may watch: wire
// operation GetDomainPermittedSubscriptions, SOAPAction
// "http://ca.tvinci.com/GetDomainPermittedSubscriptions". The server does not check that the
// household exists (an unknown one has none). An answer without a result (the server's null,
// which it gives when it failed) is a *NullResultError.
func (c *Client) DomainPermittedSubscriptions(ctx context.Context, domainID int) ([]PermittedSubscription, error) {
	if err := c.soapOnly(opGetDomainPermittedSubscriptions); err != nil {
		return nil, err
	}
	if err := checkDomain("domainID", domainID); err != nil {
		return nil, err
	}
	req := &caswsdl.GetDomainPermittedSubscriptions{SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword, NDomainID: int32(domainID)}
	return guardedOp(ctx, c, opGetDomainPermittedSubscriptions, func(ctx context.Context) ([]PermittedSubscription, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.GetDomainPermittedSubscriptions(ctx, req)
		if err != nil {
			return nil, c.wrapOp(opGetDomainPermittedSubscriptions, err)
		}
		return c.permitted(opGetDomainPermittedSubscriptions, resp.GetDomainPermittedSubscriptionsResult, captured)
	})
}

// UserPermittedSubscriptions lists the subscriptions user userID (the site GUID, a number)
// may watch: wire operation GetUserPermittedSubscriptions, SOAPAction
// "http://ca.tvinci.com/GetUserPermittedSubscriptions". The server answers without a result
// when the id is not a number or not a valid user: that is a *NullResultError that is
// ErrNotFound (for offboarding: nothing left).
func (c *Client) UserPermittedSubscriptions(ctx context.Context, userID string) ([]PermittedSubscription, error) {
	if err := c.soapOnly(opGetUserPermittedSubscriptions); err != nil {
		return nil, err
	}
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	req := &caswsdl.GetUserPermittedSubscriptions{SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword, SSiteGUID: userID}
	return guardedOp(ctx, c, opGetUserPermittedSubscriptions, func(ctx context.Context) ([]PermittedSubscription, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.GetUserPermittedSubscriptions(ctx, req)
		if err != nil {
			return nil, c.wrapOp(opGetUserPermittedSubscriptions, err)
		}
		return c.permitted(opGetUserPermittedSubscriptions, resp.GetUserPermittedSubscriptionsResult, captured)
	})
}

// UserCAStatus returns user userID's conditional-access status: wire operation
// GetUserCAStatus, SOAPAction "http://ca.tvinci.com/GetUserCAStatus". After offboarding a
// user who had bought something reads ExSub or ExPPV, never CurrentSub or CurrentPPV.
func (c *Client) UserCAStatus(ctx context.Context, userID string) (CAStatus, error) {
	if err := c.soapOnly(opGetUserCAStatus); err != nil {
		return "", err
	}
	if err := checkUserID(userID); err != nil {
		return "", err
	}
	req := &caswsdl.GetUserCAStatus{SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword, SSiteGUID: userID}
	return guardedOp(ctx, c, opGetUserCAStatus, func(ctx context.Context) (CAStatus, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.GetUserCAStatus(ctx, req)
		if err != nil {
			return "", c.wrapOp(opGetUserCAStatus, err)
		}
		// Refused credentials: HTTP 404 with "Annonymus"; a missing result (minOccurs 1).
		if _, err := c.checkAnswer(opGetUserCAStatus, nil, resp.GetUserCAStatusResult != nil, captured); err != nil {
			return "", err
		}
		return CAStatus(c.secrets.Value(string(*resp.GetUserCAStatusResult))), nil
	})
}

// RenewalCancelOptions are the optional trailing parameters of CancelSubscriptionRenewal that
// current servers take (userId, udid, userIp). Older servers skip them.
type RenewalCancelOptions struct {
	// UserID is the acting user, best the household's master user. Without it a current
	// server answers 1 "Unexpected error occurred" for a suspended household instead of 1009
	// (it parses the id to check the suspension).
	UserID string
	UDID   string // the device
	UserIP string
}

// CancelSubscriptionRenewal stops the future charges of household domainID's renewing
// subscription subscriptionCode: wire operation CancelSubscriptionRenewal, SOAPAction
// "http://ca.tvinci.com/CancelSubscriptionRenewal". The subscription stays valid until its
// end date; nothing is refunded. opts may be nil.
//
// "Already done" answers, for offboarding: 3002 SubscriptionNotRenewable (ErrNotRenewing:
// it does not renew any more), 3000 InvalidPurchase (ErrNotFound: the household has no such
// purchase), 3081 SubscriptionDoesNotExist and 1006 DomainNotExists (ErrNotFound). 3074
// (blocked) and 3069 (a downgrade is pending) are ErrCancellationRefused; 1009 is
// ErrPermissionDenied. Every other code is a *ServiceError with the server's code and message.
func (c *Client) CancelSubscriptionRenewal(ctx context.Context, domainID int, subscriptionCode string, opts *RenewalCancelOptions) (*Result, error) {
	if err := c.soapOnly(opCancelSubscriptionRenewal); err != nil {
		return nil, err
	}
	if err := checkDomain("domainID", domainID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(subscriptionCode) == "" {
		return nil, &soapx.InputError{Field: "subscriptionCode", Reason: "must not be empty"}
	}
	var o RenewalCancelOptions
	if opts != nil {
		o = *opts
	}
	if err := soapx.CheckTexts("subscriptionCode", subscriptionCode, "RenewalCancelOptions.UserID", o.UserID,
		"RenewalCancelOptions.UDID", o.UDID, "RenewalCancelOptions.UserIP", o.UserIP); err != nil {
		return nil, err
	}
	req := &caswsdl.CancelSubscriptionRenewal{
		SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword,
		NDomainId: int32(domainID), SSubscriptionCode: subscriptionCode,
		UserId: o.UserID, Udid: o.UDID, UserIp: o.UserIP,
	}
	return guardedOp(ctx, c, opCancelSubscriptionRenewal, func(ctx context.Context) (*Result, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.CancelSubscriptionRenewal(ctx, req)
		if err != nil {
			return nil, c.wrapOp(opCancelSubscriptionRenewal, err)
		}
		return c.statusResult(opCancelSubscriptionRenewal, resp.CancelSubscriptionRenewalResult, captured)
	})
}

// CancelServiceOptions are the optional parameters of CancelServiceNow.
type CancelServiceOptions struct {
	// Force is bIsForce: cancel even outside the cancellation window, after the content was
	// consumed, or when the subscription blocks cancellation.
	Force bool
	// UDID is the device, a trailing parameter only current servers take.
	UDID string
}

// CancelServiceNow ends household domainID's purchase of assetID now: wire operation
// CancelServiceNow, SOAPAction "http://ca.tvinci.com/CancelServiceNow". For a PPV assetID is
// the media file id; for a subscription or collection it is the numeric subscription or
// collection code. opts may be nil.
//
// This is a financial decision: the server terminates the service and may refund it. Nothing
// in this module calls it by default; offboarding stops future charges with
// CancelSubscriptionRenewal instead.
//
// Errors: 3000 InvalidPurchase (no valid purchase: ErrNotFound, already done), 1006
// (ErrNotFound), 1009 (ErrPermissionDenied), 3001 outside the cancellation window, 3005
// content already consumed, 3068 a downgrade is pending, 3074 blocked (also the server's
// answer for an unknown subscription): ErrCancellationRefused; every other code is a
// *ServiceError with the server's code and message.
func (c *Client) CancelServiceNow(ctx context.Context, domainID, assetID int, t TransactionType, opts *CancelServiceOptions) (*Result, error) {
	if err := c.soapOnly(opCancelServiceNow); err != nil {
		return nil, err
	}
	if err := checkDomain("domainID", domainID); err != nil {
		return nil, err
	}
	if err := checkDomain("assetID", assetID); err != nil {
		return nil, err
	}
	if !t.valid() {
		return nil, &soapx.InputError{Field: "transactionType", Reason: "unknown transaction type " + strconv.Quote(string(t))}
	}
	var o CancelServiceOptions
	if opts != nil {
		o = *opts
	}
	if err := soapx.CheckText("CancelServiceOptions.UDID", o.UDID); err != nil {
		return nil, err
	}
	tt := caswsdl.ETransactionType(t)
	req := &caswsdl.CancelServiceNow{
		SWSUserName: c.creds().WSUserName, SWSPassword: c.creds().WSPassword,
		NDomainId: int32(domainID), NAssetID: int32(assetID), TransactionType: &tt, BIsForce: o.Force, Udid: o.UDID,
	}
	return guardedOp(ctx, c, opCancelServiceNow, func(ctx context.Context) (*Result, error) {
		ctx, captured := soapx.CaptureResponse(ctx)
		resp, err := c.stub.CancelServiceNow(ctx, req)
		if err != nil {
			return nil, c.wrapOp(opCancelServiceNow, err)
		}
		return c.statusResult(opCancelServiceNow, resp.CancelServiceNowResult, captured)
	})
}

// NullResultError is an answer without its result element: the server's null. For
// GetUserPermittedSubscriptions that is an id that is not a number or not a valid user
// (ErrNotFound); for GetDomainPermittedSubscriptions a failure on the server's side.
type NullResultError struct {
	Operation  string
	HTTPStatus int
}

func (e *NullResultError) Error() string {
	if e.Operation == opGetUserPermittedSubscriptions {
		return "cas: " + e.Operation + ": the server answered without a result (null): the user id is not a valid user"
	}
	return "cas: " + e.Operation + ": the server answered without a result (null): it failed on its side"
}

// Is reports ErrNotFound for GetUserPermittedSubscriptions.
func (e *NullResultError) Is(target error) bool {
	return target == ErrNotFound && e.Operation == opGetUserPermittedSubscriptions
}

// soapOnly: the new operations are implemented over SOAP 1.1 and 1.2 only.
func (c *Client) soapOnly(op string) error {
	if c.form == formHTTPPost {
		return &soapx.InputError{Field: "WithHTTPPost", Reason: op + " is sent over SOAP only (SOAP 1.1 or 1.2); this client was made WithHTTPPost"}
	}
	return nil
}

func checkDomain(field string, id int) error {
	if id <= 0 || id > math.MaxInt32 {
		return &soapx.InputError{Field: field, Reason: "must be between 1 and 2147483647, got " + strconv.Itoa(id)}
	}
	return nil
}

func checkUserID(userID string) error {
	if strings.TrimSpace(userID) == "" {
		return &soapx.InputError{Field: "userID", Reason: "must not be empty"}
	}
	return soapx.CheckText("userID", userID)
}

// wrapOp names the operation on runtime errors, turns a SOAP Fault into a *ServiceError and
// a 404 that carried no SOAP answer into an *EndpointError, since that 404 means the URL is
// wrong, not the credentials.
func (c *Client) wrapOp(op string, err error) error {
	var f *soapx.Fault
	if errors.As(err, &f) {
		return &ServiceError{Operation: op, Message: f.Reason, HTTPStatus: f.HTTPStatus, Fault: f}
	}
	var he *soapx.HTTPError
	if errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
		return &EndpointError{Operation: op, URL: c.requestURL(), Err: err}
	}
	return fmt.Errorf("cas: %s: %w", op, err)
}

// checkAnswer applies the rules every answer of the module follows: a non-2xx HTTP status
// (404: refused credentials) is a *ServiceError whatever the body says; a Status other than 0
// is a *ServiceError; a missing result element is a *NullResultError. It returns the status
// message, scrubbed.
func (c *Client) checkAnswer(op string, st *caswsdl.Status, hasResult bool, captured *soapx.Response) (string, error) {
	httpStatus := captured.StatusCode
	code, msg := CodeOK, ""
	if st != nil {
		code, msg = Code(st.Code), c.secrets.String(st.Message)
	}
	if httpStatus < 200 || httpStatus > 299 {
		if code == CodeOK {
			code = CodeError
		}
		return "", &ServiceError{Operation: op, Code: code, Message: msg, HTTPStatus: httpStatus}
	}
	if !hasResult {
		return "", &NullResultError{Operation: op, HTTPStatus: httpStatus}
	}
	if code != CodeOK {
		_, err := result(st, httpStatus, c.secrets)
		return "", withOperation(err, op)
	}
	return msg, nil
}

// statusResult is result for an operation answering a Status.
func (c *Client) statusResult(op string, st *caswsdl.Status, captured *soapx.Response) (*Result, error) {
	if st == nil {
		if _, err := c.checkAnswer(op, nil, false, captured); err != nil {
			return nil, err
		}
	}
	res, err := result(st, captured.StatusCode, c.secrets)
	return res, withOperation(err, op)
}

func withOperation(err error, op string) error {
	var se *ServiceError
	if errors.As(err, &se) {
		se.Operation = op
	}
	return err
}

func (c *Client) permitted(op string, arr *caswsdl.ArrayOfPermittedSubscriptionContainer, captured *soapx.Response) ([]PermittedSubscription, error) {
	if _, err := c.checkAnswer(op, nil, arr != nil, captured); err != nil {
		return nil, err
	}
	out := make([]PermittedSubscription, 0, len(arr.PermittedSubscriptionContainer))
	for _, p := range arr.PermittedSubscriptionContainer {
		if p == nil {
			continue
		}
		out = append(out, PermittedSubscription{
			SubscriptionCode: c.secrets.Value(p.M_sSubscriptionCode),
			MaxUses:          int(p.M_nMaxUses), CurrentUses: int(p.M_nCurrentUses),
			EndDate: utc(p.M_dEndDate), CurrentDate: utc(p.M_dCurrentDate), LastViewDate: utc(p.M_dLastViewDate),
			PurchaseDate: utc(p.M_dPurchaseDate), NextRenewalDate: utc(p.M_dNextRenewalDate),
			Renewing: p.M_bRecurringStatus, Renewable: p.M_bIsSubRenewable,
			PurchaseID:    int(p.M_nSubscriptionPurchaseID),
			PaymentMethod: c.paymentMethod(p.M_paymentMethod),
			DeviceUDID:    c.secrets.Value(p.M_sDeviceUDID), DeviceName: c.secrets.Value(p.M_sDeviceName),
			CancelWindow: p.M_bCancelWindow, InGracePeriod: p.M_bIsInGracePeriod,
			PaymentGatewayID: int(p.PaymentGatewayId), PaymentMethodID: int(p.PaymentMethodId),
			ScheduledSubscriptionID: p.ScheduledSubscriptionId,
		})
	}
	return out, nil
}

func (c *Client) entitlement(e *caswsdl.Entitlement) Entitlement {
	var t TransactionType
	if e.Type_ != nil {
		t = TransactionType(c.secrets.Value(string(*e.Type_)))
	}
	return Entitlement{
		MediaFileID: int(e.MediaFileID), Type: t, EntitlementID: c.secrets.Value(e.EntitlementId),
		CurrentUses: int(e.CurrentUses),
		EndDate:     utc(e.EndDate), CurrentDate: utc(e.CurrentDate), LastViewDate: utc(e.LastViewDate), PurchaseDate: utc(e.PurchaseDate),
		PurchaseID: int(e.PurchaseID), PaymentMethod: c.paymentMethod(e.PaymentMethod),
		DeviceUDID: c.secrets.Value(e.DeviceUDID), DeviceName: c.secrets.Value(e.DeviceName),
		CancelWindow: e.CancelWindow, MaxUses: int(e.MaxUses), NextRenewalDate: utc(e.NextRenewalDate),
		Renewing: e.RecurringStatus, Renewable: e.IsRenewable,
		PaymentGatewayID: int(e.PaymentGatewayId), PaymentMethodID: int(e.PaymentMethodId),
		InGracePeriod: e.IsInGracePeriod, ScheduledSubscriptionID: e.ScheduledSubscriptionId,
		Suspended: e.IsSuspended, MediaID: int(e.MediaID), UnifiedPaymentID: e.UnifiedPaymentId,
	}
}

// utc is the instant a date stands for, in UTC (zone-less values already are); the zero time
// (an absent date, or .NET's DateTime.MinValue) stays zero.
func utc(d soapx.DateTime) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.UTC()
}

// paymentMethod is the enum as sent (scrubbed: an unknown value is free text from the server).
func (c *Client) paymentMethod(p *caswsdl.EPaymentMethod) PaymentMethod {
	if p == nil {
		return ""
	}
	return PaymentMethod(c.secrets.Value(string(*p)))
}

// guardedOp runs call, which sends one request of operation op carrying the credentials,
// under the refused-credential rule of session.go: until the server has answered one request
// without refusing the credentials, one caller at a time sends; once it refused them, every
// call fails at once with the remembered error and sends nothing.
func guardedOp[T any](ctx context.Context, c *Client, op string, call func(context.Context) (T, error)) (T, error) {
	ctx, obs := c.startOp(ctx, op)
	v, err := runGuardedOp(ctx, c, op, call)
	if obs != nil {
		res, _ := any(v).(*Result) // HandleUserTask, the cancellations: their Status Code
		c.endCall(obs, res, err)
	}
	return v, err
}

// runGuardedOp is guardedOp, unobserved.
func runGuardedOp[T any](ctx context.Context, c *Client, op string, call func(context.Context) (T, error)) (T, error) {
	var zero T
	if c.sessions.Fresh() != nil {
		v, err := call(ctx)
		return v, c.secrets.Error(err)
	}
	var res T
	var callErr error
	_, led, err := c.sessions.GetOwn(ctx, func(ctx context.Context) (verified, error) {
		res, callErr = call(ctx)
		var se *ServiceError
		var ne *NullResultError
		switch {
		case callErr == nil:
			return verified{}, nil
		case errors.Is(callErr, ErrAuthentication):
			return verified{}, callErr // refused: remembered
		case errors.As(callErr, &se) && se.answered(), errors.As(callErr, &ne):
			return verified{}, nil // the server answered: the credentials passed
		}
		return verified{}, engine.Inconclusive(callErr)
	})
	switch {
	case led:
		return res, c.secrets.Error(callErr)
	case err == nil:
		v, err := call(ctx)
		return v, c.secrets.Error(err)
	}
	var re *engine.RefusedError
	if errors.As(err, &re) {
		return zero, fmt.Errorf("cas: %s: %w", op, err)
	}
	if te, ok := engine.Waited(ctx, err, c.Endpoint(), "the answer to the first request with these credentials"); ok {
		return zero, fmt.Errorf("cas: %s: %w", op, te)
	}
	return zero, c.secrets.Error(err)
}
