package soapx

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestModuleVersion(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, "devel"},
		{"a program that depends on the module", &debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: "github.com/stretchr/testify", Version: "v1.12.1"}, {Path: modulePath, Version: "v0.4.1"}}}, true, "v0.4.1"},
		{"a replaced dependency", &debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.4.1", Replace: &debug.Module{Path: "../offboard", Version: ""}}}}, true, "v0.4.1"},
		{"the module itself, tagged", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.5.0"}}, true, "v0.5.0"},
		{"the module itself, a work tree", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, true, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, moduleVersion(tt.bi, tt.ok)) })
	}
	assert.Regexp(t, `^offboard-go/\S+$`, DefaultUserAgent())
}
