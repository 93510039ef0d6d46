package cas

import "errors"

// Sentinels of the cancellations (CancelSubscriptionRenewal, CancelServiceNow).
var (
	// ErrNotRenewing: 3002 SubscriptionNotRenewable, the subscription already does not renew.
	// For offboarding, CancelSubscriptionRenewal is already done.
	ErrNotRenewing = errors.New("cas: the subscription already does not renew (3002 SubscriptionNotRenewable)")

	// ErrCancellationRefused: the server refused to cancel by one of its business rules:
	// 3001 outside the cancellation window, 3005 content already consumed, 3068 and 3069 a
	// downgrade is pending, 3074 cancellation blocked. The *ServiceError keeps which.
	ErrCancellationRefused = errors.New("cas: the server refused the cancellation")
)

// cancellationCodeIs maps the conditional-access codes to categories:
//   - 3000 InvalidPurchase (no purchase to cancel) and 3081 SubscriptionDoesNotExist are
//     ErrNotFound: for offboarding, nothing to do;
//   - 3002 SubscriptionNotRenewable is ErrNotRenewing;
//   - 3001, 3005, 3068, 3069 and 3074 are ErrCancellationRefused.
func cancellationCodeIs(c Code, target error) bool {
	switch c {
	case CodeInvalidPurchase, CodeSubscriptionDoesNotExist:
		return target == ErrNotFound
	case CodeSubscriptionNotRenewable:
		return target == ErrNotRenewing
	case CodeCancelationWindowPeriodExpired, CodeContentAlreadyConsumed, CodeCannotCancelWhileDowngrade,
		CodeCannotCancelRenewalWhileDowngrade, CodeSubscriptionCancellationBlocked:
		return target == ErrCancellationRefused
	}
	return false
}
