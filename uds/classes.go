package uds

import "maps"

// ErrorClass says what a userRegistryError number means for the client's AnA session. The
// vendor's full list of numbers is not public (the token errors in particular), so the
// client's correctness does not depend on knowing them: a number it does not know is
// ClassUnknown, which is handled safely (see WithErrorClasses). Tenants whose servers answer
// with other numbers configure them with WithErrorClasses, without a fork.
type ErrorClass int

const (
	// ClassUnknown: a number the client does not know. On a request that carried the token,
	// the token is suspect: the client authenticates again with the credentials once and
	// retries once. On a request that carried the credentials and got no token back, the
	// credentials count as refused (remembered, so that a wrong password is never retried
	// into an account lockout).
	ClassUnknown ErrorClass = iota
	// ClassBusiness: the operation's own answer (user or organisation not found, invalid
	// input, not authorised on that organisation): returned as it is, the session untouched.
	ClassBusiness
	// ClassAuthentication: the credentials or the token were not accepted.
	ClassAuthentication
	// ClassUnavailable: the server is not working (31002 "UDS is not initialized", 31003
	// "Fatal error, restart UDS"). The session is untouched; the call is safe to retry later.
	ClassUnavailable
	// ClassServerError: the server failed on its side (31201 database query, 31006 missing
	// configuration parameter): returned as it is, the session untouched.
	ClassServerError
	// ClassNotFound: a business answer saying the user, organisation or account does not
	// exist. Like ClassBusiness for the session; the error is ErrNotFound, whatever the number
	// (for offboarding: already done). A tenant whose server says "not found" with another
	// number declares it here, so that ErrNotFound stays reliable.
	ClassNotFound
)

// business reports a class that is the operation's own answer (the session is not at fault).
func (c ErrorClass) business() bool { return c == ClassBusiness || c == ClassNotFound }

func (c ErrorClass) String() string {
	switch c {
	case ClassUnknown:
		return "unknown"
	case ClassBusiness:
		return "business"
	case ClassAuthentication:
		return "authentication"
	case ClassUnavailable:
		return "unavailable"
	case ClassServerError:
		return "server error"
	case ClassNotFound:
		return "not found"
	}
	return "ErrorClass(?)"
}

// DefaultErrorClasses returns the classification the client starts from: the documented
// numbers as documented (1001 "Access is denied" is authentication; 31002 and 31003 are
// unavailable; 31201 and 31006 are server errors) and the numbers this package's constants
// infer (see the Code constants). The map is a copy: change it and pass it to
// WithErrorClasses.
func DefaultErrorClasses() map[string]ErrorClass {
	return map[string]ErrorClass{
		CodeAccessDenied:    ClassAuthentication,
		CodeNotInitialized:  ClassUnavailable,
		CodeFatalRestart:    ClassUnavailable,
		CodeDatabaseQuery:   ClassServerError,
		CodeConfigMissing:   ClassServerError,
		CodeTokenInvalid:    ClassAuthentication,
		CodeTokenExpired:    ClassAuthentication,
		CodeBadCredential:   ClassAuthentication,
		CodeNotAuthorized:   ClassBusiness,
		CodeInvalidInput:    ClassBusiness,
		CodeUserNotFound:    ClassNotFound,
		CodeOrgNotFound:     ClassNotFound,
		CodeAccountNotFound: ClassNotFound,
	}
}

// errorClasses is a client's classification: immutable after New.
type errorClasses map[string]ErrorClass

func (m errorClasses) of(number string) ErrorClass { return m[number] }

// WithErrorClasses sets how the client classifies error numbers, on top of
// DefaultErrorClasses: each entry adds a number or overrides the default for it. A tenant
// whose server answers an expired token with, say, 40017, declares
// WithErrorClasses(map[string]uds.ErrorClass{"40017": uds.ClassAuthentication}); one whose
// "user not found" is 40404 declares it ClassNotFound, so that such an answer is ErrNotFound
// and, answering the first, credential-carrying request, is not taken for refused credentials.
func WithErrorClasses(m map[string]ErrorClass) Option {
	m = maps.Clone(m) // the caller may change its map later
	return func(c *config) {
		if c.classes == nil {
			c.classes = DefaultErrorClasses()
		}
		maps.Copy(c.classes, m)
	}
}
