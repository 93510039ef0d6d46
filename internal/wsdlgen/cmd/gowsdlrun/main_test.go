package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run itself (gowsdl's racy Start) is exercised through internal/wsdlgen's tests, which run
// this command as a child process, built without the race detector.

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		log      string
		warnings []string
		err      string
	}{
		{name: "quiet run", log: ""},
		{name: "files read", log: "Reading file a.wsdl\nReading file b.xsd\n"},
		{name: "warnings kept", log: "Reading file a.wsdl\n[WARN] Don't know where to find XSD for urn:x\n", warnings: []string{"Don't know where to find XSD for urn:x"}},
		{name: "types template error", log: "Reading file a.wsdl\ngenTypes error template: types:3: unexpected EOF\n", err: "genTypes error template: types:3: unexpected EOF"},
		{name: "operations error", log: "template: operations:1: function \"x\" not defined\n[WARN] w\n", err: `template: operations:1: function "x" not defined`},
		{name: "every error reported", log: "a\nb\n", err: "a; b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			warnings, err := classify(tc.log)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.warnings, warnings)
		})
	}
}
