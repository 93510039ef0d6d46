package provisioning

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFaultMessage(t *testing.T) {
	tests := []struct{ reason, want string }{
		{"Server was unable to process request. ---> You are not connected.", "You are not connected."},
		{"Server was unable to process request. --->Request for principal permission failed.", "Request for principal permission failed."},
		{"Server was unable to process request. ---> A ---> B", "A ---> B"},
		{"  Server was unable to process request.  ", "Server was unable to process request."},
		{"Server did not recognize the value of HTTP Header SOAPAction: x.", "Server did not recognize the value of HTTP Header SOAPAction: x."},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, faultMessage(tt.reason), tt.reason)
	}
}

func TestIsNotConnected(t *testing.T) {
	assert.True(t, isNotConnected("You are not connected."))
	assert.True(t, isNotConnected("NOT CONNECTED"))
	assert.False(t, isNotConnected("Provisioning task 4 was not found."))
	assert.False(t, isNotConnected(""))
}

func TestConnectResultDescriptions(t *testing.T) {
	all := []ConnectResult{ConnectAuthSuccess, ConnectAuthFailure, ConnectChallenge, ConnectServerPINProvided,
		ConnectUserPINChange, ConnectOuterWindowAuth, ConnectChangeStaticPassword, ConnectStaticChangeFailed,
		ConnectPINChangeFailed}
	seen := map[string]bool{}
	for _, r := range all {
		d := r.describe()
		assert.NotEqual(t, ConnectResult("?").describe(), d, r)
		assert.False(t, seen[d], "descriptions differ")
		seen[d] = true
	}
}
