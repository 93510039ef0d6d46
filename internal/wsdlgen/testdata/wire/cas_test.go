// Wire tests for the code generated from the vendor's ws_cas_module.wsdl, run in a scratch
// package by internal/wsdlgen's TestVendorWSDLs.

package caswsdl

import "testing"

func TestEveryOperationCallsItsAction(t *testing.T) {
	rec := &recorder{}
	checkActions(t, rec, NewModuleSoap(rec))
}
