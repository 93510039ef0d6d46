// Package offboard is a Go SDK for four user-lifecycle SOAP services, and for offboarding a
// leaver from all four:
//
//   - [github.com/offboard-go/offboard/cas]: Kaltura OTT's conditional-access module
//     (ws_cas_module.asmx): household membership, entitlements, renewals.
//   - [github.com/offboard-go/offboard/uds]: CA AuthMinder's User Data Service
//     (ArcotUserRegistrySvc, SOAP 1.2): users, statuses, accounts.
//   - [github.com/offboard-go/offboard/projector]: Projector PSA's web services
//     (PwsProjectorServices.svc): users, end dates.
//   - [github.com/offboard-go/offboard/provisioning]: SafeNet/Thales BSIDCA token management
//     (BSIDCA.asmx): tokens, provisioning tasks, users.
//
// Each package offers a client made by New with functional options, methods that take a
// context and return typed results, errors that answer errors.Is with shared categories
// (ErrNotFound, ErrAuthentication, …) and keep everything the server said, the same session
// rules (lazy login, one login for any number of callers, refused credentials never sent
// twice), Close, and an in-process fake server in a <package>test subpackage for your tests.
//
// The operators' tool, examples/offboard, removes a leaver from all four systems and verifies
// that no access is left; it runs against the built-in fakes when nothing is configured.
//
// The wire types are generated from the project's WSDLs in wsdl/ by this package's go:generate
// lines (go generate ./...); CI fails when the checked-in code differs from a fresh run.
package offboard

//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/cas.wsdl -pkg caswsdl -out cas/internal/caswsdl/caswsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/uds.wsdl -pkg udswsdl -out uds/internal/udswsdl/udswsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/projector.wsdl -pkg projectorwsdl -out projector/internal/projectorwsdl/projectorwsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/provisioning.wsdl -pkg provisioningwsdl -out provisioning/internal/provisioningwsdl/provisioningwsdl.gen.go
//go:generate go run ./internal/clientopt/cmd/genopts -pkg cas -struct options -lifetime " (cas has no session: after d the credentials are checked again, by one request alone)" -out cas/options_common.gen.go -errors cas/errors_common.gen.go -observe cas/observe_common.gen.go
//go:generate go run ./internal/clientopt/cmd/genopts -pkg provisioning -struct config -lifetime " (unknown by default: the session is used until the server says it is gone)" -out provisioning/options_common.gen.go -errors provisioning/errors_common.gen.go -observe provisioning/observe_common.gen.go
//go:generate go run ./internal/clientopt/cmd/genopts -pkg projector -struct options -lifetime " (unknown by default: the ticket is used until Projector rejects it with 10004 or -101)" -out projector/options_common.gen.go -errors projector/errors_common.gen.go -observe projector/observe_common.gen.go
//go:generate go run ./internal/clientopt/cmd/genopts -pkg uds -struct config -lifetime " (DefaultTokenLifetime, one day, unless the server is configured otherwise)" -out uds/options_common.gen.go -errors uds/errors_common.gen.go -observe uds/observe_common.gen.go
