package cas

import "strconv"

// Code is the status code the server answers in Status.Code (Kaltura's eResponseStatus).
// It is an open set: a code this package has no name for is kept as it came, never lost.
type Code int

// The codes that matter to HandleUserTask and the cancellations (Core/ApiObjects/Response/EnumResponseStatus.cs).
// Kaltura numbers its codes by module: 1000–1999 household (domain), 2000–2999 user,
// 3000–3999 conditional access.
const (
	CodeOK                    Code = 0    // the task was done
	CodeError                 Code = 1    // generic failure; also bad web-service credentials (with HTTP 404)
	CodeUserNotInDomain       Code = 1005 // the user is not in a household
	CodeDomainNotExists       Code = 1006 // no household with this id
	CodeDomainSuspended       Code = 1009 // the household is suspended
	CodeUserNotExistsInDomain Code = 1020 // the user is not a member of this household
	CodeInvalidUser           Code = 1026 // the user id is not valid
	CodeMasterUserNotFound    Code = 1036 // the household has no master user
	CodeUserDoesNotExist      Code = 2000 // no user with this id
	CodeUserSuspended         Code = 2001 // the user is suspended

	// Conditional access: the answers of the cancellations.
	CodeInvalidPurchase                   Code = 3000 // no (valid) purchase to cancel
	CodeCancelationWindowPeriodExpired    Code = 3001 // outside the cancellation window
	CodeSubscriptionNotRenewable          Code = 3002 // the subscription already does not renew
	CodeContentAlreadyConsumed            Code = 3005 // the content was already consumed
	CodeCannotCancelWhileDowngrade        Code = 3068 // CanNotCancelSubscriptionWhileDowngradeIsPending
	CodeCannotCancelRenewalWhileDowngrade Code = 3069 // CanNotCancelSubscriptionRenewalWhileDowngradeIsPending
	CodeSubscriptionCancellationBlocked   Code = 3074 // cancellation is blocked for this subscription
	CodeSubscriptionDoesNotExist          Code = 3081 // no subscription with this code
)

var codeNames = map[Code]string{
	CodeOK:                    "OK",
	CodeError:                 "Error",
	CodeUserNotInDomain:       "UserNotInDomain",
	CodeDomainNotExists:       "DomainNotExists",
	CodeDomainSuspended:       "DomainSuspended",
	CodeUserNotExistsInDomain: "UserNotExistsInDomain",
	CodeInvalidUser:           "InvalidUser",
	CodeMasterUserNotFound:    "MasterUserNotFound",
	CodeUserDoesNotExist:      "UserDoesNotExist",
	CodeUserSuspended:         "UserSuspended",

	CodeInvalidPurchase:                   "InvalidPurchase",
	CodeCancelationWindowPeriodExpired:    "CancelationWindowPeriodExpired",
	CodeSubscriptionNotRenewable:          "SubscriptionNotRenewable",
	CodeContentAlreadyConsumed:            "ContentAlreadyConsumed",
	CodeCannotCancelWhileDowngrade:        "CanNotCancelSubscriptionWhileDowngradeIsPending",
	CodeCannotCancelRenewalWhileDowngrade: "CanNotCancelSubscriptionRenewalWhileDowngradeIsPending",
	CodeSubscriptionCancellationBlocked:   "SubscriptionCancellationIsBlocked",
	CodeSubscriptionDoesNotExist:          "SubscriptionDoesNotExist",
}

// String returns the server's name for the code (its eResponseStatus member), or "Code(n)"
// for a code this package does not name.
func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}
