package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeptTail(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, want string
	}{
		{"no file", "", ""},
		{"no marker", "# Benchmarks\n\nfigures\n", ""},
		{"marker", "# Benchmarks\n\nfigures\n\n" + keepMarker + "\n\n## Observation\n\nby hand\n",
			"\n" + keepMarker + "\n\n## Observation\n\nby hand\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".md")
			if tt.file != "" {
				require.NoError(t, os.WriteFile(path, []byte(tt.file), 0o644))
			}
			require.Equal(t, tt.want, string(keptTail(path)))
		})
	}
}
