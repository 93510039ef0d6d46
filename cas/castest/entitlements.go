package castest

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/offboard-go/offboard/cas"
)

// Entitlement is a purchase a household holds, as the fake keeps it.
type Entitlement struct {
	// Type is what was bought; the zero value is a subscription.
	Type cas.TransactionType
	// Code is the subscription or collection code (the wire's entitlementId and
	// m_sSubscriptionCode); CancelServiceNow names a subscription by this code as a number.
	Code string
	// MediaFileID is the media file of a PPV (CancelServiceNow's assetID for a PPV).
	MediaFileID int
	// PurchaseID is set by the server when zero.
	PurchaseID int
	// UserID is the user (site GUID) who bought it.
	UserID       string
	PurchaseDate time.Time
	// EndDate is when the purchase ends; the zero value is a year after PurchaseDate.
	EndDate       time.Time
	PaymentMethod cas.PaymentMethod
	// Renewing: a renewing subscription charges again at EndDate. CancelSubscriptionRenewal
	// clears it.
	Renewing bool
	// InCancelWindow: CancelServiceNow without force answers 3001 when it is false.
	InCancelWindow bool
	// Consumed: CancelServiceNow without force answers 3005.
	Consumed bool
	// CancellationBlocked: both cancellations answer 3074 (CancelServiceNow unless forced).
	CancellationBlocked bool
	// DowngradePending: CancelSubscriptionRenewal answers 3069, CancelServiceNow 3068.
	DowngradePending bool
	// Cancelled is set by CancelServiceNow: the purchase ended now.
	Cancelled bool
}

// current: valid now, as the reads count it.
func (e Entitlement) current(now time.Time) bool { return !e.Cancelled && e.EndDate.After(now) }

// RemoveHousehold removes household id as the Domains module does when a household is deleted
// (not a cas operation): the reads of the cas module then find nothing for it (no users, so no
// entitlements) and the cancellations answer 1006. It reports whether the household existed.
func (s *Server) RemoveHousehold(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.households[id]
	delete(s.households, id)
	return ok
}

// Entitlements returns a copy of household id's entitlements.
func (s *Server) Entitlements(id int) []Entitlement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.households[id].Entitlements)
}

// seedEntitlements fills in what the server sets itself; with s.mu held.
func (s *Server) seedEntitlements(h *Household) {
	h.Entitlements = slices.Clone(h.Entitlements)
	for i := range h.Entitlements {
		e := &h.Entitlements[i]
		if e.Type == "" {
			e.Type = cas.TransactionSubscription
		}
		if e.PurchaseDate.IsZero() {
			e.PurchaseDate = s.now().AddDate(0, -1, 0).Truncate(time.Second)
		}
		if e.EndDate.IsZero() {
			e.EndDate = e.PurchaseDate.AddDate(1, 0, 0)
		}
		if e.PaymentMethod == "" {
			e.PaymentMethod = "CreditCard"
		}
		if e.PurchaseID == 0 {
			s.nextPurchase++
			e.PurchaseID = s.nextPurchase
		}
		s.nextPurchase = max(s.nextPurchase, e.PurchaseID)
	}
	for _, u := range h.Users {
		s.users[u] = true
	}
}

func (s *Server) now() time.Time { return time.Now().UTC() }

// answer is what an operation answers: the HTTP status, the response body (the Body's
// element, from the fake's own templates) and the Status in it, if any.
type answer struct {
	status int
	body   []byte
	st     *status
}

func withStatus(httpStatus int, body []byte, st status) answer {
	return answer{status: httpStatus, body: body, st: &st}
}

// runOp runs one operation of the entitlement reads or cancellations that got past the
// protocol checks; with s.mu not held.
func (s *Server) runOp(op string, p params) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Credentials first: HTTP 404 and each operation's own body.
	if !s.authenticated(p) {
		return s.refused(op)
	}
	fail, failed := s.nextFailure()
	switch op {
	case "GetDomainEntitlements":
		if failed {
			return withStatus(http.StatusOK, entitlementsResponse(fail, nil, 0, time.Time{}), fail)
		}
		return s.domainEntitlements(p)
	case "GetDomainPermittedSubscriptions":
		if failed { // an exception: the server answers null
			return answer{status: http.StatusOK, body: emptyResponse(op)}
		}
		// No household validation: an unknown household has no users, so nothing.
		var list []Entitlement
		if h, ok := s.households[p.int("nDomainID")]; ok {
			list = h.Entitlements
		}
		return answer{status: http.StatusOK, body: s.permitted(op, list, func(Entitlement) bool { return true })}
	case "GetUserPermittedSubscriptions":
		user := p["sSiteGUID"]
		if _, err := strconv.Atoi(user); err != nil || !s.users[user] || failed {
			return answer{status: http.StatusOK, body: emptyResponse(op)}
		}
		var list []Entitlement
		for _, id := range s.householdIDs() {
			list = append(list, s.households[id].Entitlements...)
		}
		return answer{status: http.StatusOK, body: s.permitted(op, list, func(e Entitlement) bool { return e.UserID == user })}
	case "GetUserCAStatus":
		return answer{status: http.StatusOK, body: caStatusResponse(s.caStatus(p["sSiteGUID"]))}
	case "CancelSubscriptionRenewal":
		st := s.cancelRenewal(p)
		if failed {
			st = fail
		}
		return withStatus(http.StatusOK, statusResponse(op, st), st)
	case "CancelServiceNow":
		st := s.cancelNow(p)
		if failed {
			st = fail
		}
		return withStatus(http.StatusOK, statusResponse(op, st), st)
	}
	panic("castest: no operation " + op)
}

// refused is each operation's answer to bad web-service credentials.
func (s *Server) refused(op string) answer {
	invalid := status{Code: cas.CodeError, Message: "Invalid request"}
	switch op {
	case "GetDomainEntitlements":
		st := status{Code: cas.CodeError, Message: "Error"}
		return withStatus(http.StatusNotFound, entitlementsResponse(st, nil, 0, time.Time{}), st)
	case "GetDomainPermittedSubscriptions", "GetUserPermittedSubscriptions":
		return answer{status: http.StatusNotFound, body: emptyResponse(op)}
	case "GetUserCAStatus":
		return answer{status: http.StatusNotFound, body: caStatusResponse(string(cas.CAStatusAnonymous))}
	}
	return withStatus(http.StatusNotFound, statusResponse(op, invalid), invalid)
}

func (s *Server) householdIDs() []int {
	ids := make([]int, 0, len(s.households))
	for id := range s.households {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) domainEntitlements(p params) answer {
	now := s.now()
	typ := cas.TransactionType(p["type"])
	expired := p.bool("isExpired")
	var list []Entitlement
	if h, ok := s.households[p.int("domainId")]; ok { // no household validation
		for _, e := range h.Entitlements {
			if e.Type == typ && e.current(now) != expired {
				list = append(list, e)
			}
		}
	}
	slices.SortStableFunc(list, func(a, b Entitlement) int {
		if p["orderBy"] == "PurchaseDateDesc" {
			return b.PurchaseDate.Compare(a.PurchaseDate)
		}
		return a.PurchaseDate.Compare(b.PurchaseDate)
	})
	st := status{Code: cas.CodeOK, Message: "OK"}
	if len(list) == 0 {
		st.Message = "no permitted items"
	}
	var page []Entitlement
	size, index := p.int("pageSize"), p.int("pageIndex") // pages counted from 0 (inferred, as the client)
	if size > 0 && index >= 0 && index*size < len(list) {
		page = list[index*size : min(len(list), (index+1)*size)]
	}
	return withStatus(http.StatusOK, entitlementsResponse(st, page, len(list), now), st)
}

// maxValue is .NET's DateTime.MaxValue as the server writes it for "no renewal".
var maxValue = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)

// entitlementsResponse is GetDomainEntitlements' answer: Entitlements {status, entitelments
// (sic), totalItems}.
func entitlementsResponse(st status, page []Entitlement, total int, now time.Time) []byte {
	const op = "GetDomainEntitlements"
	var d doc
	d.openNS(op+"Response").open(op+"Result").status("status", st).open("entitelments")
	for _, e := range page {
		next := maxValue
		if e.Renewing && !e.Cancelled {
			next = e.EndDate
		}
		id := e.Code
		if e.Type == cas.TransactionPPV {
			id = ""
		}
		d.open("Entitlement").
			int("mediaFileID", int64(e.MediaFileID)).text("type", string(e.Type)).str("entitlementId", id).
			int("currentUses", 0).date("endDate", e.EndDate).date("currentDate", now).
			date("lastViewDate", e.PurchaseDate).date("purchaseDate", e.PurchaseDate).
			int("purchaseID", int64(e.PurchaseID)).text("paymentMethod", string(e.PaymentMethod)).
			bool("cancelWindow", e.InCancelWindow).int("maxUses", 0).date("nextRenewalDate", next).
			bool("recurringStatus", e.Renewing && !e.Cancelled).bool("isRenewable", e.Type == cas.TransactionSubscription).
			int("paymentGatewayId", 0).int("paymentMethodId", 0).bool("IsInGracePeriod", false).
			bool("IsSuspended", false).int("mediaID", 0).int("UnifiedPaymentId", 0).
			close("Entitlement")
	}
	d.close("entitelments").int("totalItems", int64(total)).close(op + "Result").close(op + "Response")
	return d.Bytes()
}

// permitted is the answer of a permitted-subscription read (op): the current subscriptions
// of list that keep accepts, as PermittedSubscriptionContainer.
func (s *Server) permitted(op string, list []Entitlement, keep func(Entitlement) bool) []byte {
	now := s.now()
	var d doc
	d.openNS(op + "Response").open(op + "Result")
	for _, e := range list {
		if e.Type != cas.TransactionSubscription || !e.current(now) || !keep(e) {
			continue
		}
		next := maxValue // a non-recurring purchase keeps DateTime.MaxValue
		if e.Renewing {
			next = e.EndDate
		}
		d.open("PermittedSubscriptionContainer").
			str("m_sSubscriptionCode", e.Code).int("m_nMaxUses", 0).int("m_nCurrentUses", 0).
			date("m_dEndDate", e.EndDate).date("m_dCurrentDate", now).date("m_dLastViewDate", e.PurchaseDate).
			date("m_dPurchaseDate", e.PurchaseDate).date("m_dNextRenewalDate", next).
			bool("m_bRecurringStatus", e.Renewing).bool("m_bIsSubRenewable", true).
			int("m_nSubscriptionPurchaseID", int64(e.PurchaseID)).text("m_paymentMethod", string(e.PaymentMethod)).
			bool("m_bCancelWindow", e.InCancelWindow).bool("m_bIsInGracePeriod", false).
			int("paymentGatewayId", 0).int("paymentMethodId", 0).
			close("PermittedSubscriptionContainer")
	}
	d.close(op + "Result").close(op + "Response")
	return d.Bytes()
}

// caStatusResponse is GetUserCAStatus' answer, the enum UserCAStatus by name.
func caStatusResponse(v string) []byte {
	const op = "GetUserCAStatus"
	var d doc
	d.openNS(op+"Response").text(op+"Result", v).close(op + "Response")
	return d.Bytes()
}

// caStatus follows BaseConditionalAccess.GetUserCAStatus.
func (s *Server) caStatus(user string) string {
	if user == "" || user == "0" {
		return string(cas.CAStatusAnonymous)
	}
	now := s.now()
	var curSub, curPPV, exSub, exPPV bool
	for _, id := range s.householdIDs() {
		for _, e := range s.households[id].Entitlements {
			if e.UserID != user {
				continue
			}
			sub := e.Type != cas.TransactionPPV
			switch {
			case sub && e.current(now):
				curSub = true
			case sub:
				exSub = true
			case e.current(now):
				curPPV = true
			default:
				exPPV = true
			}
		}
	}
	switch {
	case curSub:
		return string(cas.CAStatusCurrentSub)
	case curPPV:
		return string(cas.CAStatusCurrentPPV)
	case exSub:
		return string(cas.CAStatusExSub)
	case exPPV:
		return string(cas.CAStatusExPPV)
	}
	return string(cas.CAStatusNeverPurchased)
}

func st(c cas.Code, msg string) status { return status{Code: c, Message: msg} }

// knownCode: a subscription code the catalogue has (any household's purchase names it).
func (s *Server) knownCode(code string) bool {
	for _, h := range s.households {
		if slices.ContainsFunc(h.Entitlements, func(e Entitlement) bool { return e.Type != cas.TransactionPPV && e.Code == code }) {
			return true
		}
	}
	return s.catalogue[code]
}

// household validates the household the way the cancellations do (Utils.GetDomainInfo,
// CheckSuspendStatus): unknown → 1006; suspended → 1009, or 1 when the check needs the
// user id it was not given.
func (s *Server) household(id int, userID *string) (*Household, *status) {
	h, ok := s.households[id]
	switch {
	case !ok:
		x := st(cas.CodeDomainNotExists, "Domain doesn't exist")
		return nil, &x
	case h.Suspended && userID != nil && *userID == "":
		x := st(cas.CodeError, "Unexpected error occurred") // long.Parse(userId) throws
		return nil, &x
	case h.Suspended:
		x := st(cas.CodeDomainSuspended, "Domain suspended")
		return nil, &x
	}
	return &h, nil
}

// cancelRenewal follows BaseConditionalAccess.CancelSubscriptionRenewal.
func (s *Server) cancelRenewal(p params) status {
	id := p.int("nDomainId")
	user := p["userId"]
	h, fail := s.household(id, &user)
	if fail != nil {
		return *fail
	}
	code := p["sSubscriptionCode"]
	if !s.knownCode(code) {
		return st(cas.CodeSubscriptionDoesNotExist, "Subscription Does Not Exist")
	}
	now := s.now()
	i := slices.IndexFunc(h.Entitlements, func(e Entitlement) bool {
		return e.Type == cas.TransactionSubscription && e.Code == code && e.current(now)
	})
	switch {
	case i >= 0 && h.Entitlements[i].CancellationBlocked:
		return st(cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription")
	case i < 0:
		return st(cas.CodeInvalidPurchase, "Subscription is not permitted for this domain")
	case !h.Entitlements[i].Renewing:
		return st(cas.CodeSubscriptionNotRenewable, "Subscription already does not renew")
	case h.Entitlements[i].DowngradePending:
		return st(cas.CodeCannotCancelRenewalWhileDowngrade, "Can not cancel subscription renewal while downgrade is pending")
	}
	h.Entitlements[i].Renewing = false
	s.households[id] = *h
	return st(cas.CodeOK, "Subscription renewal cancelled")
}

// cancelNow follows BaseConditionalAccess.CancelServiceNow.
func (s *Server) cancelNow(p params) status {
	id := p.int("nDomainId")
	h, fail := s.household(id, nil)
	if fail != nil {
		return *fail
	}
	typ := cas.TransactionType(p["transactionType"])
	asset := p["nAssetID"]
	force := p.bool("bIsForce")
	if typ == cas.TransactionSubscription && !s.knownCode(asset) {
		// The server's misleading code for an unknown subscription.
		return st(cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription")
	}
	now := s.now()
	i := slices.IndexFunc(h.Entitlements, func(e Entitlement) bool {
		if e.Type != typ || !e.current(now) {
			return false
		}
		if typ == cas.TransactionPPV {
			return strconv.Itoa(e.MediaFileID) == asset
		}
		return e.Code == asset
	})
	switch {
	case i >= 0 && !force && h.Entitlements[i].CancellationBlocked:
		return st(cas.CodeSubscriptionCancellationBlocked, "Cancellation is blocked for this subscription")
	case i < 0:
		return st(cas.CodeInvalidPurchase, "There is not a valid purchase for this user and asset ID")
	case !force && h.Entitlements[i].Consumed:
		return st(cas.CodeContentAlreadyConsumed, "Service could not be cancelled because content was already consumed")
	case typ == cas.TransactionSubscription && h.Entitlements[i].DowngradePending:
		return st(cas.CodeCannotCancelWhileDowngrade, "Can not cancel subscription while downgrade is pending")
	case !force && !h.Entitlements[i].InCancelWindow:
		return st(cas.CodeCancelationWindowPeriodExpired, string(typ)+" could not be cancelled because it is not in cancellation window")
	}
	h.Entitlements[i].Cancelled = true
	h.Entitlements[i].Renewing = false
	s.households[id] = *h
	return st(cas.CodeOK, "Service successfully cancelled")
}
