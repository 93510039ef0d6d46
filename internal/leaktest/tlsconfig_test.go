package leaktest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoSilentInsecureTLS reads every non-test Go file of the module: certificate
// verification may only be turned off (InsecureSkipVerify, or a VerifyPeerCertificate /
// VerifyConnection hook that could accept anything) inside a function whose name says
// "insecure" and which logs a warning. Today no file does it at all.
func TestNoSilentInsecureTLS(t *testing.T) {
	root := moduleRoot(t)
	files, found := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		uses, bad := insecureUses(fset, f)
		found += uses
		for _, b := range bad {
			t.Error(b)
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, files, 50, "the walk must have seen the module's sources")
	t.Logf("%d non-test Go files read, %d places that touch certificate verification", files, found)
}

// insecureUses counts the places in f that touch certificate verification and describes
// those outside a function named Insecure… that logs a warning.
func insecureUses(fset *token.FileSet, f *ast.File) (uses int, bad []string) {
	for _, decl := range f.Decls {
		fn, _ := decl.(*ast.FuncDecl)
		ast.Inspect(decl, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok || (id.Name != "InsecureSkipVerify" && id.Name != "VerifyPeerCertificate" && id.Name != "VerifyConnection") {
				return true
			}
			uses++
			if fn == nil || !strings.Contains(strings.ToLower(fn.Name.Name), "insecure") || !warns(fn) {
				bad = append(bad, fset.Position(id.Pos()).String()+": "+id.Name+" outside a function named Insecure… that logs a warning")
			}
			return true
		})
	}
	return uses, bad
}

// The checker itself: it must flag a silent option and accept a named, warning one.
func TestInsecureUsesChecker(t *testing.T) {
	src := `package p
import ("crypto/tls"; "log/slog")
func WithTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
var global = tls.Config{VerifyPeerCertificate: nil}
func WithInsecureSkipVerify(l *slog.Logger) *tls.Config {
	l.Warn("certificate verification is off")
	return &tls.Config{InsecureSkipVerify: true}
}
func InsecureQuiet() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	uses, bad := insecureUses(fset, f)
	require.Equal(t, 4, uses)
	require.Len(t, bad, 3, "%q", bad)
	require.Contains(t, bad[0], "p.go:3")
	require.Contains(t, bad[1], "p.go:4")
	require.Contains(t, bad[2], "p.go:9")
}

// warns reports whether fn calls something named Warn…, or logs at slog.LevelWarn.
func warns(fn *ast.FuncDecl) bool {
	ok := false
	ast.Inspect(fn, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if strings.HasPrefix(x.Sel.Name, "Warn") || x.Sel.Name == "LevelWarn" {
				ok = true
			}
		}
		return !ok
	})
	return ok
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "go.mod not found")
		dir = parent
	}
}
