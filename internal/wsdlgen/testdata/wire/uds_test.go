// Wire tests for the code generated from the vendor's ArcotUserManagementSvc.wsdl and
// ArcotUserSchema.xsd, run in a scratch package by internal/wsdlgen's TestVendorWSDLs. The
// expected requests and the answers are written by hand from the WSDL and the XSD: message
// wrappers and their direct children in …/ArcotUserRegistrySvc/1.0/msgs, everything inside a
// UserSchema type in http://ws.arcot.com/UserSchema/1.0 (FACTS-NEXT.md §1), SOAP 1.2 only.

package udswsdl

import (
	"context"
	"errors"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryOperationCallsItsAction(t *testing.T) {
	rec := &recorder{}
	checkActions(t, rec, NewArcotUserRegistrySvcPortType(rec))
}

const (
	msgs = `http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs`
	uds  = `http://ws.arcot.com/UserSchema/1.0`
	// The answers use the prefixes of Broadcom's KB samples.
	answerNS = `xmlns:ns3="` + msgs + `" xmlns:ns1="` + uds + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
)

func TestWire(t *testing.T) {
	ctx := context.Background()
	user := &UserIdentifierType{OrgName: "ORG", UserName: "ann"}
	const userXML = `<u:orgName>ORG</u:orgName><u:userName>ann</u:userName>`
	success := &UdsRegistrySuccessType{Message: "The operation was successful!"}
	successXML := func(wrapper string) string {
		return `<ns3:` + wrapper + ` ` + answerNS + `><ns3:return><ns1:message>The operation was successful!</ns1:message></ns3:return></ns3:` + wrapper + `>`
	}
	tests := []struct {
		name    string
		action  string
		call    func(s ArcotUserRegistrySvcPortType) (any, error)
		request string // inside <m:…Request xmlns:m=msgs xmlns:u=uds>
		answer  string
		want    any
	}{
		{
			name: "retrieveUser: extension filter (base members first), xsi:type answer, text with attributes, dates, nil", action: "urn:UDS.RetrieveUser",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.RetrieveUser(ctx, &RetrieveUserRequest{UserIdentifier: "ann", OrgName: "ORG",
					Filter: &UserFilterType{UserBaseFilterType: &UserBaseFilterType{IncludeAccounts: true}, DeepSearch: true}})
			},
			request: `<m:retrieveUserRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userIdentifier>ann</m:userIdentifier><m:orgName>ORG</m:orgName>` +
				`<m:filter><u:includeAccounts>true</u:includeAccounts><u:deepSearch>true</u:deepSearch></m:filter></m:retrieveUserRequest>`,
			answer: `<ns3:retrieveUserResponse ` + answerNS + `><ns3:return xsi:type="ns1:UserDetailsTypeEx"><ns1:userId><ns1:orgName>ORG</ns1:orgName>` +
				`<ns1:userName>ann</ns1:userName><ns1:userRefId>17</ns1:userRefId></ns1:userId><ns1:dateCreated>2024-03-01T08:00:00.000Z</ns1:dateCreated>` +
				`<ns1:emailId qualifier="work">ann@example.com</ns1:emailId><ns1:emailId>ann@home.example</ns1:emailId><ns1:firstName>Ann</ns1:firstName>` +
				`<ns1:status>ACTIVE</ns1:status><ns1:customAttribute><ns1:name>dept</ns1:name><ns1:value xsi:nil="true"/></ns1:customAttribute>` +
				`<ns1:account><ns1:accountType>VPN</ns1:accountType><ns1:accountID>a-1</ns1:accountID><ns1:accountStatus>10</ns1:accountStatus>` +
				`<ns1:accountIDAttribute key="2">alias</ns1:accountIDAttribute><ns1:dateModified>2024-03-02T09:00:00+01:00</ns1:dateModified></ns1:account>` +
				`</ns3:return></ns3:retrieveUserResponse>`,
			want: &RetrieveUserResponse{Return_: &UserDetailsTypeEx{
				UserDetailsType: &UserDetailsType{UserId: &UserIdentifierType{OrgName: "ORG", UserName: "ann", UserRefId: 17},
					DateCreated: dt("2024-03-01T08:00:00Z"),
					EmailId:     []*UserDetailsTypeEmailId{{Value: "ann@example.com", Qualifier: "work"}, {Value: "ann@home.example"}},
					FirstName:   "Ann", Status: ptr(UserStatusTypeACTIVE), CustomAttribute: []*CustomAttributeType{{Name: "dept"}}},
				Account: []*UserAccountType{{AccountType: "VPN", AccountID: "a-1", AccountStatus: 10,
					AccountIDAttribute: []*AccountIDAttribute{{Value: "alias", Key: 2}}, DateModified: dt("2024-03-02T09:00:00+01:00")}},
			}},
		},
		{
			name: "listUsersForAccount: one branch of the xs:choice nested in the sequence; count attribute", action: "urn:UDS.ListUsersForAccount",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.ListUsersForAccount(ctx, &ListUsersForAccountRequest{AccountType: "VPN", AccountIDAttribute: "alias",
					Filter: &UserBaseFilterType{IncludeImage: true}, ClientTxId: "tx-1"})
			},
			request: `<m:listUsersForAccountRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:accountType>VPN</m:accountType>` +
				`<m:accountIDAttribute>alias</m:accountIDAttribute><m:filter><u:includeImage>true</u:includeImage></m:filter>` +
				`<m:clientTxId>tx-1</m:clientTxId></m:listUsersForAccountRequest>`,
			answer: `<ns3:listUsersForAccountResponse ` + answerNS + ` count="1"><ns3:SearchResult><ns1:userId><ns1:userName>ann</ns1:userName></ns1:userId>` +
				`</ns3:SearchResult></ns3:listUsersForAccountResponse>`,
			want: &ListUsersForAccountResponse{Count: 1, SearchResult: []*UserDetailsTypeEx{{UserDetailsType: &UserDetailsType{UserId: &UserIdentifierType{UserName: "ann"}}}}},
		},
		{
			name: "searchUsers: arrays of strings and enums, required expression, moreUsersAvailable", action: "urn:UDS.SearchUsers",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.SearchUsers(ctx, &SearchUsersRequest{OrgName: []string{"A", "B"}, SearchExpression: `USERID = "*Edison*"`, Count: 5,
					Status: []*UserStatusType{ptr(UserStatusTypeINITIAL), ptr(UserStatusTypeDELETED)}})
			},
			request: `<m:searchUsersRequest xmlns:m="` + msgs + `"><m:orgName>A</m:orgName><m:orgName>B</m:orgName>` +
				`<m:searchExpression>USERID = "*Edison*"</m:searchExpression><m:count>5</m:count><m:status>INITIAL</m:status><m:status>DELETED</m:status></m:searchUsersRequest>`,
			answer: `<ns3:searchUsersResponse ` + answerNS + ` moreUsersAvailable="true"><ns3:SearchResult><ns1:userId><ns1:userName>edison</ns1:userName></ns1:userId>` +
				`<ns1:status>INACTIVE</ns1:status></ns3:SearchResult></ns3:searchUsersResponse>`,
			want: &SearchUsersResponse{MoreUsersAvailable: true, SearchResult: []*UserDetailsTypeEx{{UserDetailsType: &UserDetailsType{
				UserId: &UserIdentifierType{UserName: "edison"}, Status: ptr(UserStatusTypeINACTIVE)}}}},
		},
		{
			name: "createUser: nested extension type, text with a qualifier attribute, dates", action: "urn:UDS.CreateUser",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.CreateUser(ctx, &CreateUserRequest{UserDetails: &UserDetailsTypeEx{
					UserDetailsType: &UserDetailsType{UserId: user, TelephoneNumber: []*UserDetailsTypeTelephoneNumber{{Value: "+33 1", Qualifier: "mobile"}},
						LastName: "Lee", Status: ptr(UserStatusTypeINITIAL), StartLockTime: dt("2024-07-01T00:00:00Z")},
					Account: []*UserAccountType{{AccountType: "VPN"}}}})
			},
			request: `<m:createUserRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userDetails><u:userId>` + userXML + `</u:userId>` +
				`<u:telephoneNumber qualifier="mobile">+33 1</u:telephoneNumber><u:lastName>Lee</u:lastName><u:status>INITIAL</u:status>` +
				`<u:startLockTime>2024-07-01T00:00:00.000Z</u:startLockTime><u:account><u:accountType>VPN</u:accountType></u:account></m:userDetails></m:createUserRequest>`,
			answer: successXML("createUserResponse"),
			want:   &CreateUserResponse{Return_: success},
		},
		{
			name: "updateUserStatus: repeated userId, enum, optional dates", action: "urn:UDS.UpdateUserStatus",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.UpdateUserStatus(ctx, &UpdateUserStatusRequest{UserId: []*UserIdentifierType{user, {UserName: "bob"}},
					Status: ptr(UserStatusTypeINACTIVE), EndLockTime: dt("2030-01-01T00:00:00Z")})
			},
			request: `<m:updateUserStatusRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId>` +
				`<m:userId><u:userName>bob</u:userName></m:userId><m:status>INACTIVE</m:status><m:endLockTime>2030-01-01T00:00:00.000Z</m:endLockTime></m:updateUserStatusRequest>`,
			answer: successXML("updateUserStatusResponse"),
			want:   &UpdateUserStatusResponse{Return_: success},
		},
		{
			name: "getUserStatus: enum answer", action: "urn:UDS.GetUserStatus",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.GetUserStatus(ctx, &GetUserStatusRequest{UserId: user, ClientTxId: "t"})
			},
			request: `<m:getUserStatusRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId><m:clientTxId>t</m:clientTxId></m:getUserStatusRequest>`,
			answer:  `<ns3:getUserStatusResponse ` + answerNS + `><ns3:userId><ns1:userName>ann</ns1:userName></ns3:userId><ns3:status>DELETED</ns3:status></ns3:getUserStatusResponse>`,
			want:    &GetUserStatusResponse{UserId: &UserIdentifierType{UserName: "ann"}, Status: ptr(UserStatusTypeDELETED)},
		},
		{
			name: "addUserAccount: account with text-and-key attributes and a nillable custom value", action: "urn:UDS.AddUserAccount",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.AddUserAccount(ctx, &AddUserAccountRequest{UserId: user, Account: []*UserAccountType{{AccountType: "VPN", AccountID: "a-1",
					AccountIDAttribute:     []*AccountIDAttribute{{Value: "alias", Key: 3}, {Value: "other"}},
					AccountCustomAttribute: []*AccountCustomAttributeType{{AttributeName: "k", AttributeValue: ptr("")}}}}})
			},
			request: `<m:addUserAccountRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId><m:account>` +
				`<u:accountType>VPN</u:accountType><u:accountID>a-1</u:accountID><u:accountIDAttribute key="3">alias</u:accountIDAttribute>` +
				`<u:accountIDAttribute>other</u:accountIDAttribute><u:accountCustomAttribute><u:attributeName>k</u:attributeName><u:attributeValue></u:attributeValue>` +
				`</u:accountCustomAttribute></m:account></m:addUserAccountRequest>`,
			answer: successXML("addUserAccountResponse"),
			want:   &AddUserAccountResponse{Return_: success},
		},
		{
			name: "deleteUserAccount: required account with only its type", action: "urn:UDS.DeleteUserAccount",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.DeleteUserAccount(ctx, &DeleteUserAccountRequest{UserId: user, Account: &UserAccountType{AccountType: "VPN"}})
			},
			request: `<m:deleteUserAccountRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId>` +
				`<m:account><u:accountType>VPN</u:accountType></m:account></m:deleteUserAccountRequest>`,
			answer: successXML("deleteUserAccountResponse"),
			want:   &DeleteUserAccountResponse{Return_: success},
		},
		{
			name: "setCustomAttributes: member named UserId, array with a nil value left out", action: "urn:UDS.SetCustomAttributes",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.SetCustomAttributes(ctx, &SetCustomAttributesRequest{UserId: user,
					CustomAttribute: []*CustomAttributeType{{Name: "a", Value: ptr("1")}, {Name: "b"}}})
			},
			request: `<m:setCustomAttributesRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:UserId>` + userXML + `</m:UserId>` +
				`<m:customAttribute><u:name>a</u:name><u:value>1</u:value></m:customAttribute><m:customAttribute><u:name>b</u:name></m:customAttribute></m:setCustomAttributesRequest>`,
			answer: successXML("setCustomAttributesResponse"),
			want:   &SetCustomAttributesResponse{Return_: success},
		},
		{
			name: "authenticateUser: anonymous text type with a required attribute; attributes in the answer", action: "urn:UDS.AuthenticateUser",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.AuthenticateUser(ctx, &AuthenticateUserRequest{UserCredential: &UserCredentialType{UserId: user,
					UserCredential: &UserCredentialTypeUserCredential{Value: "s3cret", Type_: "password"}}})
			},
			request: `<m:authenticateUserRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:UserCredential><u:userId>` + userXML + `</u:userId>` +
				`<u:userCredential type="password">s3cret</u:userCredential></m:UserCredential></m:authenticateUserRequest>`,
			answer: `<ns3:authenticateUserResponse ` + answerNS + `><ns3:AuthResult status="SUCCESS" mechanism="LDAP"><ns1:authenticationToken>tok</ns1:authenticationToken>` +
				`</ns3:AuthResult></ns3:authenticateUserResponse>`,
			want: &AuthenticateUserResponse{AuthResult: &UserAuthResultType{AuthenticationToken: "tok", Status: "SUCCESS", Mechanism: "LDAP"}},
		},
		{
			name: "addUserDevice: required device members", action: "urn:UDS.AddUserDevice",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.AddUserDevice(ctx, &AddUserDeviceRequest{UserId: user, DeviceDetails: &DeviceRequestAttrs{DeviceToken: "t", DeviceID: ""}})
			},
			request: `<m:addUserDeviceRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId>` +
				`<m:deviceDetails><u:deviceToken>t</u:deviceToken><u:deviceID></u:deviceID></m:deviceDetails></m:addUserDeviceRequest>`,
			answer: successXML("addUserDeviceResponse"),
			want:   &AddUserDeviceResponse{Return_: success},
		},
		{
			name: "getUserDevices: optional enum in the request, array of devices in the answer", action: "urn:UDS.GetUserDevices",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.GetUserDevices(ctx, &GetUserDevicesRequest{UserId: user, DeviceStatus: ptr(DeviceStatusTypeACTIVE)})
			},
			request: `<m:getUserDevicesRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:userId>` + userXML + `</m:userId>` +
				`<m:deviceStatus>ACTIVE</m:deviceStatus></m:getUserDevicesRequest>`,
			answer: `<ns3:getUserDevicesResponse ` + answerNS + `><ns3:deviceDetails><ns1:deviceToken>t1</ns1:deviceToken><ns1:deviceID>d1</ns1:deviceID>` +
				`<ns1:deviceStatus>ACTIVE</ns1:deviceStatus><ns1:customAttribute><ns1:name>os</ns1:name><ns1:value>ios</ns1:value></ns1:customAttribute>` +
				`</ns3:deviceDetails><ns3:deviceDetails><ns1:deviceToken>t2</ns1:deviceToken><ns1:deviceID>d2</ns1:deviceID></ns3:deviceDetails></ns3:getUserDevicesResponse>`,
			want: &GetUserDevicesResponse{DeviceDetails: []*DeviceResponseAttrs{
				{DeviceToken: "t1", DeviceID: "d1", DeviceStatus: ptr(DeviceStatusTypeACTIVE), CustomAttribute: []*CustomAttributeType{{Name: "os", Value: ptr("ios")}}},
				{DeviceToken: "t2", DeviceID: "d2"}}},
		},
		{
			name: "performQnAVerification: attribute-only items, required false boolean, enum results", action: "urn:UDS.PerformQnAVerification",
			call: func(s ArcotUserRegistrySvcPortType) (any, error) {
				return s.PerformQnAVerification(ctx, &PerformQnAVerificationRequest{Username: "ann", Orgname: "ORG",
					Attributes: &QnARequestAttribute{Attribute: []*QnARequestAttributeAttribute{{AttrName: "pet", AttrValue: "cat"}}}})
			},
			request: `<m:performQnAVerificationRequest xmlns:m="` + msgs + `" xmlns:u="` + uds + `"><m:username>ann</m:username><m:orgname>ORG</m:orgname>` +
				`<m:attributes><u:attribute attrName="pet" attrValue="cat"/></m:attributes><m:ignorecase>false</m:ignorecase></m:performQnAVerificationRequest>`,
			answer: `<ns3:performQnAVerificationResponse ` + answerNS + `><ns3:attribute><ns1:name>pet</ns1:name><ns1:result>NOT_MATCHED</ns1:result></ns3:attribute>` +
				`</ns3:performQnAVerificationResponse>`,
			want: &PerformQnAVerificationResponse{Attribute: []*QnAResponseAttribute{{Name: "pet", Result: ptr(QnAVerificationResultTypeNOT_MATCHED)}}},
		},
	}
	require.GreaterOrEqual(t, len(tests), 12)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, soapx.SOAP12, tc.answer)
			got, err := tc.call(NewArcotUserRegistrySvcPortType(w.client))
			require.NoError(t, err)
			w.checkRequest(t, tc.action, tc.request)
			assert.Equal(t, tc.want, withoutXMLNames(got))
		})
	}
}

// The faults uds declares only as soap12:fault in its port type decode into
// UserRegistryError through OperationFaults.
func TestSOAP12PortTypeFaults(t *testing.T) {
	w := newWire(t, soapx.SOAP12, `<e:Fault xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Code><e:Value>e:Receiver</e:Value></e:Code>`+
		`<e:Reason><e:Text xml:lang="en">UDS error</e:Text></e:Reason><e:Detail><ns3:userRegistryError `+answerNS+`>`+
		`<ns1:errorMessage>User not found</ns1:errorMessage><ns1:errorNumber>1001</ns1:errorNumber></ns3:userRegistryError></e:Detail></e:Fault>`)
	_, err := NewArcotUserRegistrySvcPortType(w.client).DeleteUser(context.Background(), &DeleteUserRequest{})
	var f *soapx.Fault
	require.True(t, errors.As(err, &f), "%v", err)
	for _, op := range []string{"deleteUser", "updateUserStatus", "authenticateUser"} {
		details := OperationFaults(op)
		require.Len(t, details, 1, op)
		require.NoError(t, f.DecodeDetail(details[0]))
		assert.Equal(t, &UserRegistryError{ErrorMessage: "User not found", ErrorNumber: "1001"}, withoutXMLNames(details[0]), op)
	}
}
