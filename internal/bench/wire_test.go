package bench

import (
	"encoding/xml"
)

// The request and response types of the two clients the SDK is compared with. The service
// packages' generated types are internal to them, so these are copies of the members each
// call uses, with the same namespaced tags: all three clients send the same request element
// and decode the same answer.

// cas: HandleUserTask (SOAP 1.1).
type casHandleUserTask struct {
	XMLName     xml.Name `xml:"http://ca.tvinci.com/ HandleUserTask"`
	SWSUserName string   `xml:"http://ca.tvinci.com/ sWSUserName,omitempty"`
	SWSPassword string   `xml:"http://ca.tvinci.com/ sWSPassword,omitempty"`
	DomainID    int32    `xml:"http://ca.tvinci.com/ domainId"`
	UserID      string   `xml:"http://ca.tvinci.com/ userId,omitempty"`
	ActionType  string   `xml:"http://ca.tvinci.com/ actionType"`
}

type casHandleUserTaskResponse struct {
	XMLName xml.Name `xml:"http://ca.tvinci.com/ HandleUserTaskResponse"`
	Result  *struct {
		Code    int32  `xml:"http://ca.tvinci.com/ Code"`
		Message string `xml:"http://ca.tvinci.com/ Message,omitempty"`
		Args    *struct {
			KeyValuePair []*struct {
				Key   string `xml:"http://ca.tvinci.com/ key,omitempty"`
				Value string `xml:"http://ca.tvinci.com/ value,omitempty"`
			} `xml:"http://ca.tvinci.com/ KeyValuePair,omitempty"`
		} `xml:"http://ca.tvinci.com/ Args,omitempty"`
	} `xml:"http://ca.tvinci.com/ HandleUserTaskResult,omitempty"`
}

// uds: updateUserStatus (SOAP 1.2; gowsdl gets a SOAP 1.1 copy of the answer).

type udsUserID struct {
	OrgName  string `xml:"http://ws.arcot.com/UserSchema/1.0 orgName,omitempty"`
	UserName string `xml:"http://ws.arcot.com/UserSchema/1.0 userName"`
}

type udsUpdateUserStatusRequest struct {
	XMLName xml.Name     `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs updateUserStatusRequest"`
	UserID  []*udsUserID `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs userId,omitempty"`
	Status  string       `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs status"`
}

type udsUpdateUserStatusResponse struct {
	XMLName xml.Name `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs updateUserStatusResponse"`
	Return  *struct {
		Message string `xml:"http://ws.arcot.com/UserSchema/1.0 message"`
	} `xml:"http://ws.arcot.com/ArcotUserRegistrySvc/1.0/msgs return"`
}

// projector: PwsDeleteUser (SOAP 1.1, WCF).

type pwsUserRef struct {
	UserDisplayName       string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserDisplayName,omitempty"`
	UserID                *int32 `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserId,omitempty"`
	UserReferenceSystemID string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserReferenceSystemId,omitempty"`
	UserUID               *int64 `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ UserUid,omitempty"`
}

type pwsDeleteUser struct {
	XMLName        xml.Name `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsDeleteUser"`
	ServiceRequest struct {
		RequestID      int32       `xml:"http://projectorpsa.com/DataContracts/Requests/ RequestId,omitempty"`
		SessionTicket  string      `xml:"http://projectorpsa.com/DataContracts/Requests/ SessionTicket,omitempty"`
		EndDateIfInUse string      `xml:"http://projectorpsa.com/DataContracts/Requests/ EndDateIfInUse,omitempty"`
		UserIdentity   *pwsUserRef `xml:"http://projectorpsa.com/DataContracts/Requests/ UserIdentity"`
	} `xml:"http://projectorpsa.com/PwsProjectorServices/ serviceRequest"`
}

type pwsMessage struct {
	AdditionalErrorText string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ AdditionalErrorText,omitempty"`
	ErrorCode           string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ ErrorCode,omitempty"`
	ErrorNumber         int32  `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ ErrorNumber,omitempty"`
	ErrorText           string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ ErrorText,omitempty"`
	Type                string `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ Type,omitempty"`
}

type pwsDeleteUserResponse struct {
	XMLName xml.Name `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsDeleteUserResponse"`
	Result  *struct {
		Messages *struct {
			PwsMessage []*pwsMessage `xml:"http://projectorpsa.com/DataContracts/Shared/Common/ PwsMessage,omitempty"`
		} `xml:"http://projectorpsa.com/CommonServices/ Messages,omitempty"`
		ResponseID         int32       `xml:"http://projectorpsa.com/CommonServices/ ResponseId,omitempty"`
		Status             string      `xml:"http://projectorpsa.com/CommonServices/ Status,omitempty"`
		ServerTimestampUtc string      `xml:"http://projectorpsa.com/CommonServices/ ServerTimestampUtc,omitempty"`
		Timestamp          string      `xml:"http://projectorpsa.com/DataContracts/Responses/ Timestamp,omitempty"`
		UserIdentity       *pwsUserRef `xml:"http://projectorpsa.com/DataContracts/Responses/ UserIdentity,omitempty"`
	} `xml:"http://projectorpsa.com/PwsProjectorServices/ PwsDeleteUserResult,omitempty"`
}

// provisioning: GetProvisioningTasksForUser (SOAP 1.1, ASMX, a DataTable answer). gowsdl
// types the result as an empty struct and drops the rows; both comparison clients decode the
// rows with encoding/xml instead (dates left as strings: encoding/xml cannot parse .NET's
// zone-less dates into time.Time).

type provGetTasksForUser struct {
	XMLName         xml.Name `xml:"http://www.cryptocard.com/blackshield/ GetProvisioningTasksForUser"`
	User            string   `xml:"http://www.cryptocard.com/blackshield/ user,omitempty"`
	Organization    string   `xml:"http://www.cryptocard.com/blackshield/ organization,omitempty"`
	StartRecord     int32    `xml:"http://www.cryptocard.com/blackshield/ startRecord"`
	NumberOfRecords int32    `xml:"http://www.cryptocard.com/blackshield/ numberOfRecords"`
}

type provTaskRow struct {
	TaskID      int     `xml:"taskid"`
	Operator    string  `xml:"operator"`
	StartDate   string  `xml:"startdate"`
	Count       int     `xml:"count"`
	TokenOption string  `xml:"tokenoption"`
	StopDate    *string `xml:"stopdate"`
	Status      string  `xml:"status"`
}

type provGetTasksForUserResponse struct {
	XMLName xml.Name `xml:"http://www.cryptocard.com/blackshield/ GetProvisioningTasksForUserResponse"`
	Result  struct {
		Rows []provTaskRow `xml:"diffgram>DocumentElement>Provisioning_x0020_Tasks"`
	} `xml:"http://www.cryptocard.com/blackshield/ GetProvisioningTasksForUserResult"`
}

// envelope is the hand-written minimum's SOAP envelope: the version's namespace is set at
// run time through the XMLName values.
type envelope[B any] struct {
	XMLName xml.Name
	Body    struct {
		XMLName xml.Name
		Content *B `xml:",any"`
	}
}
