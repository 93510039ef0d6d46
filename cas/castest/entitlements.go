package castest

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/cas/internal/caswsdl"
	"github.com/offboard-go/offboard/internal/soapx"
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

// Violations returns every deviation from the wire contract seen so far (element order,
// namespaces, unknown, repeated or missing members), one line each: what the real server would
// silently read otherwise than the client meant.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
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

func dt(t time.Time) soapx.DateTime { return soapx.DateTime{Time: t} }

// WithSubscriptionCodes adds subscription codes to the catalogue besides those the seeded
// households bought: a code no household holds answers 3000 InvalidPurchase rather than 3081
// SubscriptionDoesNotExist.
func WithSubscriptionCodes(codes ...string) Option {
	return func(s *Server) {
		for _, c := range codes {
			s.catalogue[c] = true
		}
	}
}

// answer is what an operation answers: the HTTP status and the response body.
type answer struct {
	status int
	body   any
}

// runOp runs one operation of the entitlement reads or cancellations that got past the
// protocol checks; with s.mu not held.
func (s *Server) runOp(op string, p params) (answer, caswsdl.Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Credentials first: HTTP 404 and each operation's own body.
	if p["sWSUserName"] != s.creds.WSUserName || p["sWSPassword"] != s.creds.WSPassword {
		return s.refused(op)
	}
	var fail *caswsdl.Status
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		fail = &f
	}
	switch op {
	case "GetDomainEntitlements":
		if fail != nil {
			return answer{http.StatusOK, &caswsdl.GetDomainEntitlementsResponse{GetDomainEntitlementsResult: &caswsdl.Entitlements{
				Status: fail, Entitelments: &caswsdl.ArrayOfEntitlement{}}}}, *fail, true
		}
		return s.domainEntitlements(p)
	case "GetDomainPermittedSubscriptions":
		if fail != nil { // an exception: the server answers null
			return answer{http.StatusOK, &caswsdl.GetDomainPermittedSubscriptionsResponse{}}, caswsdl.Status{}, false
		}
		// No household validation: an unknown household has no users, so nothing.
		var list []Entitlement
		if h, ok := s.households[p.int("nDomainID")]; ok {
			list = h.Entitlements
		}
		return answer{http.StatusOK, &caswsdl.GetDomainPermittedSubscriptionsResponse{
			GetDomainPermittedSubscriptionsResult: s.permitted(list, func(Entitlement) bool { return true })}}, caswsdl.Status{}, false
	case "GetUserPermittedSubscriptions":
		user := p["sSiteGUID"]
		if _, err := strconv.Atoi(user); err != nil || !s.users[user] || fail != nil {
			return answer{http.StatusOK, &caswsdl.GetUserPermittedSubscriptionsResponse{}}, caswsdl.Status{}, false
		}
		var list []Entitlement
		for _, id := range s.householdIDs() {
			list = append(list, s.households[id].Entitlements...)
		}
		return answer{http.StatusOK, &caswsdl.GetUserPermittedSubscriptionsResponse{
			GetUserPermittedSubscriptionsResult: s.permitted(list, func(e Entitlement) bool { return e.UserID == user })}}, caswsdl.Status{}, false
	case "GetUserCAStatus":
		st := s.caStatus(p["sSiteGUID"])
		return answer{http.StatusOK, &caswsdl.GetUserCAStatusResponse{GetUserCAStatusResult: &st}}, caswsdl.Status{}, false
	case "CancelSubscriptionRenewal":
		st := s.cancelRenewal(p)
		if fail != nil {
			st = *fail
		}
		return answer{http.StatusOK, &caswsdl.CancelSubscriptionRenewalResponse{CancelSubscriptionRenewalResult: &st}}, st, true
	case "CancelServiceNow":
		st := s.cancelNow(p)
		if fail != nil {
			st = *fail
		}
		return answer{http.StatusOK, &caswsdl.CancelServiceNowResponse{CancelServiceNowResult: &st}}, st, true
	}
	panic("castest: no operation " + op)
}

// refused is each operation's answer to bad web-service credentials.
func (s *Server) refused(op string) (answer, caswsdl.Status, bool) {
	invalid := caswsdl.Status{Code: int32(cas.CodeError), Message: "Invalid request"}
	switch op {
	case "GetDomainEntitlements":
		st := caswsdl.Status{Code: int32(cas.CodeError), Message: "Error"}
		return answer{http.StatusNotFound, &caswsdl.GetDomainEntitlementsResponse{GetDomainEntitlementsResult: &caswsdl.Entitlements{
			Status: &st, Entitelments: &caswsdl.ArrayOfEntitlement{}}}}, st, true
	case "GetDomainPermittedSubscriptions":
		return answer{http.StatusNotFound, &caswsdl.GetDomainPermittedSubscriptionsResponse{}}, caswsdl.Status{}, false
	case "GetUserPermittedSubscriptions":
		return answer{http.StatusNotFound, &caswsdl.GetUserPermittedSubscriptionsResponse{}}, caswsdl.Status{}, false
	case "GetUserCAStatus":
		a := caswsdl.UserCAStatusAnnonymus
		return answer{http.StatusNotFound, &caswsdl.GetUserCAStatusResponse{GetUserCAStatusResult: &a}}, caswsdl.Status{}, false
	case "CancelSubscriptionRenewal":
		return answer{http.StatusNotFound, &caswsdl.CancelSubscriptionRenewalResponse{CancelSubscriptionRenewalResult: &invalid}}, invalid, true
	}
	return answer{http.StatusNotFound, &caswsdl.CancelServiceNowResponse{CancelServiceNowResult: &invalid}}, invalid, true
}

func (s *Server) householdIDs() []int {
	ids := make([]int, 0, len(s.households))
	for id := range s.households {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) domainEntitlements(p params) (answer, caswsdl.Status, bool) {
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
	st := caswsdl.Status{Code: int32(cas.CodeOK), Message: "OK"}
	if len(list) == 0 {
		st.Message = "no permitted items"
	}
	res := &caswsdl.Entitlements{Status: &st, Entitelments: &caswsdl.ArrayOfEntitlement{}, TotalItems: int32(len(list))}
	size, index := p.int("pageSize"), p.int("pageIndex") // pages counted from 0 (inferred, as the client)
	if size > 0 && index >= 0 && index*size < len(list) {
		for _, e := range list[index*size : min(len(list), (index+1)*size)] {
			res.Entitelments.Entitlement = append(res.Entitelments.Entitlement, wireEntitlement(e, now))
		}
	}
	return answer{http.StatusOK, &caswsdl.GetDomainEntitlementsResponse{GetDomainEntitlementsResult: res}}, st, true
}

// maxValue is .NET's DateTime.MaxValue as the server writes it for "no renewal".
var maxValue = time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)

func wireEntitlement(e Entitlement, now time.Time) *caswsdl.Entitlement {
	tt := caswsdl.ETransactionType(e.Type)
	pm := caswsdl.EPaymentMethod(e.PaymentMethod)
	next := maxValue
	if e.Renewing && !e.Cancelled {
		next = e.EndDate
	}
	id := e.Code
	if e.Type == cas.TransactionPPV {
		id = ""
	}
	return &caswsdl.Entitlement{
		MediaFileID: int32(e.MediaFileID), Type_: &tt, EntitlementId: id,
		EndDate: dt(e.EndDate), CurrentDate: dt(now), LastViewDate: dt(e.PurchaseDate), PurchaseDate: dt(e.PurchaseDate),
		PurchaseID: int32(e.PurchaseID), PaymentMethod: &pm, CancelWindow: e.InCancelWindow,
		NextRenewalDate: dt(next), RecurringStatus: e.Renewing && !e.Cancelled, IsRenewable: e.Type == cas.TransactionSubscription,
	}
}

func (s *Server) permitted(list []Entitlement, keep func(Entitlement) bool) *caswsdl.ArrayOfPermittedSubscriptionContainer {
	now := s.now()
	out := &caswsdl.ArrayOfPermittedSubscriptionContainer{}
	for _, e := range list {
		if e.Type != cas.TransactionSubscription || !e.current(now) || !keep(e) {
			continue
		}
		pm := caswsdl.EPaymentMethod(e.PaymentMethod)
		next := maxValue // a non-recurring purchase keeps DateTime.MaxValue
		if e.Renewing {
			next = e.EndDate
		}
		out.PermittedSubscriptionContainer = append(out.PermittedSubscriptionContainer, &caswsdl.PermittedSubscriptionContainer{
			M_sSubscriptionCode: e.Code, M_dEndDate: dt(e.EndDate), M_dCurrentDate: dt(now), M_dLastViewDate: dt(e.PurchaseDate),
			M_dPurchaseDate: dt(e.PurchaseDate), M_dNextRenewalDate: dt(next), M_bRecurringStatus: e.Renewing, M_bIsSubRenewable: true,
			M_nSubscriptionPurchaseID: int32(e.PurchaseID), M_paymentMethod: &pm, M_bCancelWindow: e.InCancelWindow,
		})
	}
	return out
}

// caStatus follows BaseConditionalAccess.GetUserCAStatus.
func (s *Server) caStatus(user string) caswsdl.UserCAStatus {
	if user == "" || user == "0" {
		return caswsdl.UserCAStatusAnnonymus
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
		return caswsdl.UserCAStatusCurrentSub
	case curPPV:
		return caswsdl.UserCAStatusCurrentPPV
	case exSub:
		return caswsdl.UserCAStatusExSub
	case exPPV:
		return caswsdl.UserCAStatusExPPV
	}
	return caswsdl.UserCAStatusNeverPurchased
}

func st(c cas.Code, msg string) caswsdl.Status { return caswsdl.Status{Code: int32(c), Message: msg} }

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
func (s *Server) household(id int, userID *string) (*Household, *caswsdl.Status) {
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
func (s *Server) cancelRenewal(p params) caswsdl.Status {
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
func (s *Server) cancelNow(p params) caswsdl.Status {
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
