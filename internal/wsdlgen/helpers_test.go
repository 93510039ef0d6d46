package wsdlgen

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleRoot is where go generate runs, so WSDL paths in headers match the checked-in files.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	return root
}

func TestGoNameMatchesGowsdl(t *testing.T) {
	for in, want := range map[string]string{
		"updateUserStatusRequest": "UpdateUserStatusRequest",
		"return":                  "Return_",
		"Provisioning.Task":       "Provisioning_Task",
		"x-y":                     "Xy",
	} {
		assert.Equal(t, want, goName(in), in)
	}
}
