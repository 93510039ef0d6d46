package wsdlgen

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Generated code is compiled, vetted and tested in a scratch package created under
// testdata/ (which ./... patterns skip, and .gitignore hides) and removed afterwards. It has
// to live inside this module: the stubs import internal/soapx, which Go forbids to any other
// module.

// scratchPackage creates an empty package directory and returns it with its relative import
// path from the module root.
func scratchPackage(t *testing.T, name string) (dir, rel string) {
	t.Helper()
	root := moduleRoot(t)
	base, err := os.MkdirTemp(filepath.Join(root, "internal", "wsdlgen", "testdata"), "scratch-")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, os.RemoveAll(base)) })
	dir = filepath.Join(base, name)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "testdata"), 0o755))
	r, err := filepath.Rel(root, dir)
	require.NoError(t, err)
	return dir, "./" + filepath.ToSlash(r)
}

// goTool runs the go command at the module root and fails the test with its output.
func goTool(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot(t)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
}

// bindingActionJSON is one row of the scratch package's testdata/actions.json (see
// testdata/wire/helpers_test.go).
type bindingActionJSON struct {
	Binding, Version, Action string
}

// expectedActions maps the Go method of every operation of m's port types to the action of
// each SOAP binding that binds it, read from the WSDL independently of the generator's output.
func expectedActions(t *testing.T, m *model) map[string][]bindingActionJSON {
	t.Helper()
	out := map[string][]bindingActionJSON{}
	for _, pt := range m.doc.PortTypes {
		for _, op := range pt.Operations {
			name := upperFirst(op.Name)
			require.NotContains(t, out, name, "two operations named %s", name)
			out[name] = []bindingActionJSON{}
			for _, b := range m.doc.Bindings {
				if localName(b.Type) != pt.Name {
					continue
				}
				for _, a := range m.soapActions(op.Name) {
					if a.binding == b.Name {
						out[name] = append(out[name], bindingActionJSON{a.binding, a.version, a.action})
					}
				}
			}
		}
	}
	return out
}

// interfaceMethods lists the methods of every interface type declared in src.
func interfaceMethods(t *testing.T, src []byte) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "gen.go", src, 0)
	require.NoError(t, err)
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if it, ok := n.(*ast.InterfaceType); ok {
			for _, m := range it.Methods.List {
				for _, id := range m.Names {
					out = append(out, id.Name)
				}
			}
		}
		return true
	})
	return out
}

// buildAndTest writes the generated source, the expected actions and the wire tests
// (testdata/wire/helpers_test.go and testdata/wire/<wireTest>) into a scratch package, then runs
// go build, go vet and go test on it.
func buildAndTest(t *testing.T, pkg string, src []byte, actions map[string][]bindingActionJSON, wireTest string) {
	t.Helper()
	dir, rel := scratchPackage(t, pkg)
	require.NoError(t, os.WriteFile(filepath.Join(dir, pkg+".gen.go"), src, 0o644))
	b, err := json.MarshalIndent(actions, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "testdata", "actions.json"), b, 0o644))
	wireDir := filepath.Join(moduleRoot(t), "internal", "wsdlgen", "testdata", "wire")
	helpers, err := os.ReadFile(filepath.Join(wireDir, "helpers_test.go"))
	require.NoError(t, err)
	require.Contains(t, string(helpers), "\npackage wire\n")
	helpers = []byte(strings.Replace(string(helpers), "\npackage wire\n", "\npackage "+pkg+"\n", 1))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "helpers_test.go"), helpers, 0o644))
	wire, err := os.ReadFile(filepath.Join(wireDir, wireTest))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wire_test.go"), wire, 0o644))

	goTool(t, "build", rel)
	goTool(t, "vet", rel)
	goTool(t, "test", "-count=1", rel)
}

func TestVendorWSDLs(t *testing.T) {
	tests := []struct {
		name, pkg string
		wsdl      []string
		ops       int
		versions  []string // SOAP versions of the bindings of every operation
		wireTest  string
	}{
		{name: "cas", pkg: "caswsdl", wsdl: []string{"cas", "ws_cas_module.wsdl"}, ops: 142, versions: []string{"1.1", "1.2"}, wireTest: "cas_test.go"},
		{name: "uds", pkg: "udswsdl", wsdl: []string{"uds", "ArcotUserManagementSvc.wsdl"}, ops: 27, versions: []string{"1.2"}, wireTest: "uds_test.go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := sharedReference(t, tc.wsdl...)
			m, err := loadModel(ref)
			require.NoError(t, err)
			actions := expectedActions(t, m)
			require.Len(t, actions, tc.ops, "operations in the WSDL")
			for op, bs := range actions {
				var versions []string
				for _, b := range bs {
					assert.NotEmpty(t, b.Action, "%s in %s", op, b.Binding)
					versions = append(versions, b.Version)
				}
				assert.ElementsMatch(t, tc.versions, versions, "bindings of %s", op)
			}

			start := time.Now()
			src, err := Generate(Config{WSDL: ref, Package: tc.pkg})
			require.NoError(t, err)
			t.Logf("generated %d operations, %d KB of Go from %s in %v", tc.ops, len(src)/1024, filepath.Base(ref), time.Since(start).Round(time.Millisecond))

			again, err := Generate(Config{WSDL: ref, Package: tc.pkg})
			require.NoError(t, err)
			require.Equal(t, string(src), string(again), "two runs differ")

			methods := interfaceMethods(t, src)
			assert.Len(t, methods, tc.ops, "methods")
			for op := range actions {
				assert.Contains(t, methods, op)
			}
			buildAndTest(t, tc.pkg, src, actions, tc.wireTest)
		})
	}
}

// BenchmarkGenerateVendorCAS times the whole generation of the vendor's 403 KB cas WSDL (142
// operations), gowsdl's child process included: go test -run '^$' -bench GenerateVendorCAS
// -benchtime 5x ./internal/wsdlgen/
func BenchmarkGenerateVendorCAS(b *testing.B) {
	ref := sharedReference(b, "cas", "ws_cas_module.wsdl")
	for b.Loop() {
		if _, err := Generate(Config{WSDL: ref, Package: "caswsdl"}); err != nil {
			b.Fatal(err)
		}
	}
}
