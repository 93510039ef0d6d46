// Package shape holds the four service packages to one shape: what a user learns in one
// package (the constructor, the common options, the lifecycle, the shared errors) holds in
// the others. It reads the packages' source, so a package that drifts fails here, in CI.
package shape

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var services = []string{"cas", "uds", "projector", "provisioning"}

// api is the exported surface of one package, as text: function and method signatures by
// name, and the names of exported types, variables and constants.
type api struct {
	funcs   map[string]string // "New", "WithTimeout", "(*Client).Close" → "func(...) ..."
	types   map[string]bool
	values  map[string]bool
	aliases map[string]string // type X = Y
}

func load(t *testing.T, dir string) api {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	require.NoError(t, err)
	a := api{funcs: map[string]string{}, types: map[string]bool{}, values: map[string]bool{}, aliases: map[string]string{}}
	str := func(n ast.Node) string {
		var b bytes.Buffer
		require.NoError(t, printer.Fprint(&b, fset, n))
		return b.String()
	}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if !d.Name.IsExported() {
						continue
					}
					name := d.Name.Name
					if d.Recv != nil {
						name = "(" + str(d.Recv.List[0].Type) + ")." + name
					}
					a.funcs[name] = str(d.Type)
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								a.types[s.Name.Name] = true
								if s.Assign.IsValid() {
									a.aliases[s.Name.Name] = str(s.Type)
								}
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									a.values[n.Name] = true
								}
							}
						}
					}
				}
			}
		}
	}
	return a
}

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func TestOneShape(t *testing.T) {
	apis := map[string]api{}
	for _, s := range services {
		apis[s] = load(t, filepath.Join(root(), s))
	}

	// The options every client offers, with one signature (internal/clientopt).
	common := map[string]string{
		"WithHTTPClient":      "func(hc *http.Client) Option",
		"WithLogger":          "func(l *slog.Logger) Option",
		"WithTimeout":         "func(d time.Duration) Option",
		"WithUserAgent":       "func(ua string) Option",
		"WithBodyLimit":       "func(n int64) Option",
		"WithRootCAs":         "func(pool *x509.CertPool) Option",
		"WithRetry":           "func(maxAttempts int, backoff time.Duration) Option",
		"WithMaxRetryAfter":   "func(d time.Duration) Option",
		"WithSessionLifetime": "func(d time.Duration) Option",
		"WithRefusalCooldown": "func(d time.Duration) Option",
		"WithObserver":        "func(o Observer) Option",
	}
	// The lifecycle every client has.
	methods := map[string]string{
		"(*Client).Close":        "func(ctx context.Context) error",
		"(*Client).ResetRefusal": "func()",
	}
	// The shared error categories, re-exported by every package (the same values).
	sentinels := []string{"ErrNotFound", "ErrPermissionDenied", "ErrAuthentication", "ErrSessionExpired",
		"ErrRateLimited", "ErrInvalidInput", "ErrUnavailable", "ErrProtocol", "ErrBodyTooLarge", "ErrClosed"}
	// The runtime's error types, named in every package.
	errorTypes := []string{"Fault", "HTTPError", "ProtocolError", "TransportError", "InputError", "RefusedError",
		// and the observation hook's types, one set for all four packages
		"Observer", "ObservedCall", "CallInfo", "CallResult", "CallOutcome", "CallEvent", "CallEventKind", "ObserverFuncs"}
	methods["LogObserver"] = "func(l *slog.Logger, level slog.Level) Observer"

	for _, s := range services {
		a := apis[s]
		t.Run(s, func(t *testing.T) {
			require.True(t, a.types["Client"], "type Client")
			require.True(t, a.types["Option"], "type Option")
			newSig, ok := a.funcs["New"]
			require.True(t, ok, "func New")
			assert.True(t, strings.HasPrefix(newSig, "func(endpoint"), "New takes the endpoint first: %s", newSig)
			assert.True(t, strings.HasSuffix(newSig, "opts ...Option) (*Client, error)"), "New ends with ...Option and returns (*Client, error): %s", newSig)
			for name, sig := range common {
				assert.Equal(t, sig, a.funcs[name], "%s.%s", s, name)
			}
			for name, sig := range methods {
				assert.Equal(t, sig, a.funcs[name], "%s.%s", s, name)
			}
			for _, v := range sentinels {
				assert.True(t, a.values[v], "%s.%s", s, v)
			}
			for _, ty := range errorTypes {
				assert.True(t, a.types[ty], "%s.%s", s, ty)
			}
		})
	}
}
