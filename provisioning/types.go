package provisioning

import "time"

// Task is a row of the "Provisioning Tasks" table that GetProvisioningTasks and
// GetProvisioningTasksForUser answer. Columns are matched by name (taskid, operator, …); a
// column the server leaves NULL (omitted on the wire) is the zero value.
type Task struct {
	// TaskID identifies the task in the other operations (taskID).
	TaskID int `dataset:"taskid"`
	// Operator is the operator who created the task.
	Operator string `dataset:"operator"`
	// StartDate is the task's start. The vendor documents that GetProvisioningTasks does not
	// return proper start dates; TaskUsers (GetProvisioningTaskDetails) has the real ones.
	StartDate time.Time `dataset:"startdate"`
	// Count is the number of users in the task.
	Count int `dataset:"count"`
	// TokenOption is the kind of token provisioned, for example "MobilePASS" or "GrIDsure".
	TokenOption string `dataset:"tokenoption"`
	// StopDate is the task's expiry. Like StartDate, not reliable from GetProvisioningTasks.
	StopDate time.Time `dataset:"stopdate"`
	// Status is the task's status (for example "Active") when the server sends a status
	// column: public client code shows one in GetProvisioningTasksForUser results, although the
	// vendor's column list does not name it.
	Status string `dataset:"status"`
}

// TaskUser is a row of the table GetProvisioningTaskDetails answers: one user of a task.
type TaskUser struct {
	UserID       string    `dataset:"userid"`
	UserName     string    `dataset:"username"`
	StartDate    time.Time `dataset:"startdate"`
	StopDate     time.Time `dataset:"stopdate"`
	Status       string    `dataset:"status"`
	SerialNumber string    `dataset:"serialnumber"`
	Description  string    `dataset:"description"`
}

// ConnectResult is the ConnectResult of the Connect operation. Values the server may send
// that this package does not know are kept as they are.
type ConnectResult string

// The ConnectResult values the vendor documents. Only ConnectAuthSuccess opens a session; Connect
// reports every other value as a *ConnectError.
const (
	ConnectAuthSuccess          ConnectResult = "AUTH_SUCCESS"
	ConnectAuthFailure          ConnectResult = "AUTH_FAILURE"
	ConnectChallenge            ConnectResult = "CHALLENGE"
	ConnectServerPINProvided    ConnectResult = "SERVER_PIN_PROVIDED"
	ConnectUserPINChange        ConnectResult = "USER_PIN_CHANGE"
	ConnectOuterWindowAuth      ConnectResult = "OUTER_WINDOW_AUTH"
	ConnectChangeStaticPassword ConnectResult = "CHANGE_STATIC_PASSWORD"
	ConnectStaticChangeFailed   ConnectResult = "STATIC_CHANGE_FAILED"
	ConnectPINChangeFailed      ConnectResult = "PIN_CHANGE_FAILED"
)

// String returns the wire value.
func (r ConnectResult) String() string { return string(r) }

// describe says in words what a result means for the caller, for error messages.
func (r ConnectResult) describe() string {
	switch r {
	case ConnectAuthSuccess:
		return "authenticated"
	case ConnectAuthFailure:
		return "authentication failed"
	case ConnectChallenge:
		return "the server asks for a challenge response"
	case ConnectServerPINProvided:
		return "the server provided a PIN to the operator"
	case ConnectUserPINChange:
		return "the operator must change the token PIN"
	case ConnectOuterWindowAuth:
		return "the OTP is outside the token's window; a further OTP is needed"
	case ConnectChangeStaticPassword:
		return "the operator must change the static password"
	case ConnectStaticChangeFailed:
		return "changing the static password failed"
	case ConnectPINChangeFailed:
		return "changing the PIN failed"
	}
	return "result not known to this client"
}
