package soapx

import (
	"runtime/debug"
	"sync"
)

// modulePath is this module's path, as it appears in a program's build information.
const modulePath = "github.com/offboard-go/offboard"

// DefaultUserAgent is the User-Agent every client sends unless told otherwise:
// "offboard-go/<version>", the version of this module the program was built with
// ("offboard-go/devel" in a build of the module itself, where Go records no version).
func DefaultUserAgent() string { return userAgentOnce() }

var userAgentOnce = sync.OnceValue(func() string {
	return "offboard-go/" + moduleVersion(debug.ReadBuildInfo())
})

// moduleVersion finds this module's version in a program's build information.
func moduleVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "devel"
	}
	if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" {
				return d.Version
			}
		}
	}
	return "devel"
}
