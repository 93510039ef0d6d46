package main

import (
	"bytes"
	"os"
)

// keepMarker starts the part of BENCHMARKS.md that benchreport does not generate: sections
// written by hand about measurements made elsewhere (examples/offboard's main job, the
// observation hook's cost). Everything from the marker to the end of the file is kept, as it
// was, after the report benchreport writes.
const keepMarker = "<!-- benchreport:keep (everything below is written by hand and kept when benchreport rewrites this file) -->"

// keptTail returns the part of the file at path from keepMarker on, with a blank line before
// it, or nothing when the file or the marker is missing.
func keptTail(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	i := bytes.Index(b, []byte(keepMarker))
	if i < 0 {
		return nil
	}
	return append([]byte("\n"), b[i:]...)
}
