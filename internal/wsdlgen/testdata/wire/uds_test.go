// Wire tests for the code generated from the vendor's ArcotUserManagementSvc.wsdl and
// ArcotUserSchema.xsd, run in a scratch package by internal/wsdlgen's TestVendorWSDLs.

package udswsdl

import "testing"

func TestEveryOperationCallsItsAction(t *testing.T) {
	rec := &recorder{}
	checkActions(t, rec, NewArcotUserRegistrySvcPortType(rec))
}
