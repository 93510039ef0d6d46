// Package offboard drives four user-lifecycle SOAP services from Go: Kaltura OTT's
// conditional-access module (package cas), CA AuthMinder's User Data Service (package uds),
// Projector PSA (package projector) and SafeNet BSIDCA token management (package provisioning).
//
// This file regenerates every service's wire types and call stubs from wsdl/ with one command:
//
//	go generate ./...
//
// Generation is deterministic; CI fails when the checked-in code differs from a fresh run.
package offboard

//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/cas.wsdl -pkg caswsdl -out cas/internal/caswsdl/caswsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/uds.wsdl -pkg udswsdl -out uds/internal/udswsdl/udswsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/projector.wsdl -pkg projectorwsdl -out projector/internal/projectorwsdl/projectorwsdl.gen.go
//go:generate go run ./internal/wsdlgen/cmd/wsdlgen -wsdl wsdl/provisioning.wsdl -pkg provisioningwsdl -out provisioning/internal/provisioningwsdl/provisioningwsdl.gen.go
