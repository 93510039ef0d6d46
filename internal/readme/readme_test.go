// Package readme holds the README to what it shows: every Go snippet in README.md compiles,
// passes go vet, and the test snippets pass against the fakes, in a scratch package of this
// module built by the test. A snippet that drifts from the API fails CI.
package readme

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// imports are the packages a snippet may use, by the name it uses them with. A snippet's
// imports are the ones whose names it refers to without declaring them.
var imports = map[string]string{
	"cas":              "github.com/offboard-go/offboard/cas",
	"castest":          "github.com/offboard-go/offboard/cas/castest",
	"uds":              "github.com/offboard-go/offboard/uds",
	"udstest":          "github.com/offboard-go/offboard/uds/udstest",
	"projector":        "github.com/offboard-go/offboard/projector",
	"projectortest":    "github.com/offboard-go/offboard/projector/projectortest",
	"provisioning":     "github.com/offboard-go/offboard/provisioning",
	"provisioningtest": "github.com/offboard-go/offboard/provisioning/provisioningtest",
	"context":          "context",
	"errors":           "errors",
	"fmt":              "fmt",
	"http":             "net/http",
	"httpmock":         "github.com/jarcoal/httpmock",
	"io":               "io",
	"iter":             "iter",
	"log":              "log",
	"slog":             "log/slog",
	"os":               "os",
	"require":          "github.com/stretchr/testify/require",
	"assert":           "github.com/stretchr/testify/assert",
	"strings":          "strings",
	"testing":          "testing",
	"time":             "time",
	"x509":             "crypto/x509",
}

// snippet is one ```go block of the README.
type snippet struct {
	line  int    // where it starts in README.md
	code  string // its text
	given string // the parameters it assumes, from a "<!-- given: … -->" line just before it
}

var givenRE = regexp.MustCompile(`^<!-- given: (.*) -->$`)

func readSnippets(t *testing.T, readme string) []snippet {
	t.Helper()
	var out []snippet
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		s := snippet{line: i + 2}
		for j := i - 1; j >= 0 && j >= i-2; j-- {
			if m := givenRE.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				s.given = m[1]
			}
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		s.code = strings.Join(body, "\n")
		out = append(out, s)
	}
	return out
}

// usedPackages returns the import paths of the package names code refers to.
func usedPackages(t *testing.T, src string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "snippet.go", src, parser.SkipObjectResolution)
	require.NoError(t, err)
	seen := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && imports[id.Name] != "" {
				seen[imports[id.Name]] = true
			}
		}
		return true
	})
	var paths []string
	for p := range seen {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// declared returns the names a statement snippet declares at its top level, so that the
// wrapper can mark them used ("declared and not used" is about the snippet, not the README).
func declared(t *testing.T, fn string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "snippet.go", "package p\n"+fn, parser.SkipObjectResolution)
	require.NoError(t, err, "the snippet does not parse as statements:\n%s", fn)
	var names []string
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, l := range st.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" && !slices.Contains(names, id.Name) {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

func TestREADMESnippetsCompile(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	snippets := readSnippets(t, string(readme))
	require.NotEmpty(t, snippets, "README.md has no ```go blocks")

	var code, tests bytes.Buffer
	var codeImports, testImports []string
	for i, s := range snippets {
		if strings.HasPrefix(strings.TrimSpace(s.code), "func ") {
			// Declarations: a test file of their own.
			fmt.Fprintf(&tests, "// README.md line %d\n%s\n\n", s.line, s.code)
			testImports = append(testImports, usedPackages(t, "package p\n"+s.code)...)
			continue
		}
		params := "ctx context.Context"
		if s.given != "" {
			params += ", " + s.given
		}
		fn := fmt.Sprintf("func snippet%d(%s) error {\n%s\n", i, params, s.code)
		for _, name := range declared(t, fn+"return nil\n}\n") {
			fn += "_ = " + name + "\n"
		}
		fn += "return nil\n}\n"
		fmt.Fprintf(&code, "// README.md line %d\n%s\n", s.line, fn)
		codeImports = append(codeImports, usedPackages(t, "package p\n"+fn)...)
	}
	codeImports = append(codeImports, "context")

	// Inside the module, so that the snippets build against this checkout; removed after.
	base := filepath.Join(root, "internal", "readme", "testdata")
	require.NoError(t, os.MkdirAll(base, 0o755))
	dir, err := os.MkdirTemp(base, "scratch-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	write := func(name string, paths []string, body []byte) {
		slices.Sort(paths)
		paths = slices.Compact(paths)
		var b bytes.Buffer
		b.WriteString("// Code generated by internal/readme from README.md. DO NOT EDIT.\n\npackage scratch\n\nimport (\n")
		for _, p := range paths {
			fmt.Fprintf(&b, "\t%q\n", p)
		}
		b.WriteString(")\n\n")
		b.Write(body)
		src, err := format.Source(b.Bytes())
		require.NoError(t, err, "README snippets in %s do not format:\n%s", name, b.String())
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), src, 0o644))
	}
	write("snippets.go", codeImports, code.Bytes())
	if tests.Len() > 0 {
		write("snippets_test.go", testImports, tests.Bytes())
	}

	rel, err := filepath.Rel(root, dir)
	require.NoError(t, err)
	pkg := "./" + filepath.ToSlash(rel)
	for _, args := range [][]string{{"vet", pkg}, {"test", "-count=1", pkg}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s on the README's snippets:\n%s", strings.Join(args, " "), out)
	}
}
