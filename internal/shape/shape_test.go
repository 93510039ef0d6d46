// Package shape holds the four service packages to one shape: what a user learns in one
// package (the constructor, the common options, the lifecycle, the shared errors) holds in
// the others. It reads the packages' source, so a package that drifts fails here, in CI.
package shape

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
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
	aliases map[string]string  // type X = Y
	fields  map[string][]field // struct type name → its fields, in order (embedded ones too)
	decls   []string           // every exported declaration, as source text
	unnamed map[string]string  // funcs without parameter names: "func(fmt.State, rune)"
}

// unnamed is a copy of ft without parameter and result names.
func unnamed(ft *ast.FuncType) *ast.FuncType {
	strip := func(l *ast.FieldList) *ast.FieldList {
		if l == nil {
			return nil
		}
		out := &ast.FieldList{}
		for _, f := range l.List {
			n := max(1, len(f.Names))
			typ := f.Type
			if ft, ok := typ.(*ast.FuncType); ok { // a callback's parameters, too
				typ = unnamed(ft)
			} else if el, ok := typ.(*ast.Ellipsis); ok {
				if ft, ok := el.Elt.(*ast.FuncType); ok {
					typ = &ast.Ellipsis{Elt: unnamed(ft)}
				}
			}
			for range n {
				out.List = append(out.List, &ast.Field{Type: typ})
			}
		}
		return out
	}
	return &ast.FuncType{Params: strip(ft.Params), Results: strip(ft.Results)}
}

// field is one field of an exported struct type: its name ("" when embedded) and its type.
type field struct{ name, typ string }

func load(t *testing.T, dir string) api {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	require.NoError(t, err)
	a := api{funcs: map[string]string{}, types: map[string]bool{}, values: map[string]bool{},
		aliases: map[string]string{}, fields: map[string][]field{}, unnamed: map[string]string{}}
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
					a.unnamed[name] = str(unnamed(d.Type))
					a.decls = append(a.decls, name+" "+str(d.Type))
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							if s.Name.IsExported() {
								a.types[s.Name.Name] = true
								if s.Assign.IsValid() {
									a.aliases[s.Name.Name] = str(s.Type)
								}
								if st, ok := s.Type.(*ast.StructType); ok {
									for _, f := range st.Fields.List {
										if len(f.Names) == 0 {
											a.fields[s.Name.Name] = append(a.fields[s.Name.Name], field{"", str(f.Type)})
										}
										for _, n := range f.Names {
											if n.IsExported() {
												a.fields[s.Name.Name] = append(a.fields[s.Name.Name], field{n.Name, str(f.Type)})
											}
										}
									}
								}
								if _, ok := s.Type.(*ast.StructType); ok {
									// Unexported fields are not the package's surface.
									a.decls = append(a.decls, fmt.Sprint("type ", s.Name.Name, " struct ", a.fields[s.Name.Name]))
								} else {
									a.decls = append(a.decls, "type "+s.Name.Name+" "+str(s.Type))
								}
							}
						case *ast.ValueSpec:
							for _, n := range s.Names {
								if n.IsExported() {
									a.values[n.Name] = true
									if s.Type != nil {
										a.decls = append(a.decls, n.Name+" "+str(s.Type))
									}
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
		"(*Client).Endpoint":     "func() string",
	}
	// The shared error categories, re-exported by every package (the same values).
	sentinels := []string{"ErrNotFound", "ErrPermissionDenied", "ErrAuthentication", "ErrSessionExpired",
		"ErrRateLimited", "ErrInvalidInput", "ErrUnavailable", "ErrProtocol", "ErrBodyTooLarge", "ErrClosed"}
	// The runtime's error types, named in every package.
	errorTypes := []string{"Fault", "HTTPError", "ProtocolError", "TransportError", "InputError", "RefusedError",
		// and the observation hook's types, one set for all four packages
		"Observer", "ObservedCall", "CallInfo", "CallResult", "CallOutcome", "CallEvent", "CallEventKind", "ObserverFuncs"}
	methods["LogObserver"] = "func(l *slog.Logger, level slog.Level) Observer"
	// Printing never shows a secret: Credentials print with value receivers (a Credentials and
	// a *Credentials alike), the Client with pointer receivers.
	// (Compared without parameter names.)
	printing := map[string]string{
		"(Credentials).String":   "func() string",
		"(Credentials).GoString": "func() string",
		"(Credentials).Format":   "func(fmt.State, rune)",
		"(*Client).String":       "func() string",
		"(*Client).GoString":     "func() string",
		"(*Client).Format":       "func(fmt.State, rune)",
		// The one service error type.
		"(*ServiceError).Error":    "func() string",
		"(*ServiceError).GoString": "func() string",
		"(*ServiceError).Is":       "func(error) bool",
		"(*ServiceError).Unwrap":   "func() error",
	}
	// Its first fields, in this order; Code keeps the service's own type.
	serviceErrorFields := []string{"Operation string", "Code", "Message string", "HTTPStatus int", "Fault *Fault"}
	// The services with a login operation of their own open the session with Login; the
	// others log in with their first call and have no Login.
	login := map[string]bool{"projector": true, "provisioning": true}
	// The services that speak both SOAP versions let the caller choose the same way.
	soapChoice := map[string]bool{"cas": true, "provisioning": true}
	// The services whose answers carry an id of the exchange call it TransactionID.
	transactionID := map[string]bool{"uds": true, "projector": true}

	for _, s := range services {
		a := apis[s]
		t.Run(s, func(t *testing.T) {
			require.True(t, a.types["Client"], "type Client")
			require.True(t, a.types["Option"], "type Option")
			newSig, ok := a.funcs["New"]
			require.True(t, ok, "func New")
			assert.Equal(t, "func(endpoint string, creds Credentials, opts ...Option) (*Client, error)", newSig, "%s.New", s)
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

			for name, sig := range printing {
				assert.Equal(t, sig, a.unnamed[name], "%s.%s", s, name)
			}
			require.True(t, a.types["ServiceError"], "%s.ServiceError", s)
			got := a.fields["ServiceError"]
			require.GreaterOrEqual(t, len(got), len(serviceErrorFields), "%s.ServiceError fields: %v", s, got)
			for i, want := range serviceErrorFields {
				name, typ, _ := strings.Cut(want, " ")
				assert.Equal(t, name, got[i].name, "%s.ServiceError field %d", s, i)
				if typ != "" {
					assert.Equal(t, typ, got[i].typ, "%s.ServiceError.%s", s, name)
				}
			}
			hasTx := slices.ContainsFunc(got, func(f field) bool { return f.name == "TransactionID" })
			assert.Equal(t, transactionID[s], hasTx, "%s.ServiceError.TransactionID", s)
			for _, old := range []string{"StatusError", "RegistryError", "Error", "ResultError"} {
				assert.False(t, a.types[old], "%s.%s: the service error is ServiceError", s, old)
			}

			if login[s] {
				assert.Equal(t, "func(ctx context.Context) error", a.funcs["(*Client).Login"], "%s.Login", s)
			} else {
				assert.NotContains(t, a.funcs, "(*Client).Login", "%s has no login operation", s)
			}
			for _, old := range []string{"(*Client).Authenticate", "(*Client).Connect"} {
				assert.NotContains(t, a.funcs, old, "%s: explicit login is Login", s)
			}

			if soapChoice[s] {
				assert.Equal(t, "func(v SOAPVersion) Option", a.funcs["WithSOAPVersion"], "%s.WithSOAPVersion", s)
				assert.True(t, a.values["SOAP11"] && a.values["SOAP12"], "%s.SOAP11, SOAP12", s)
			} else {
				assert.NotContains(t, a.funcs, "WithSOAPVersion", "%s speaks one SOAP version", s)
			}
			assert.NotContains(t, a.funcs, "WithCredentials", "%s: credentials are New's second argument", s)
		})
	}
}

// TestOneFake: the four fakes are used the same way, so a test written against one fake reads
// like a test against any other.
func TestOneFake(t *testing.T) {
	for _, s := range services {
		t.Run(s, func(t *testing.T) {
			a := load(t, filepath.Join(root(), s, s+"test"))
			want := map[string]string{
				"NewServer":                 "func(Options) *Server",
				"Test":                      "func(testing.TB, Options, func(context.Context, *" + s + ".Client, *Server), ..." + s + ".Option)",
				"(*Server).Close":           "func()",
				"(*Server).NewClient":       "func(testing.TB, ..." + s + ".Option) *" + s + ".Client",
				"(*Server).HTTPClient":      "func() *http.Client",
				"(*Server).Credentials":     "func() " + s + ".Credentials",
				"(*Server).Logins":          "func() int",
				"(*Server).Requests":        "func() []Request",
				"(*Server).Violations":      "func() []Violation",
				"(*Server).FailNext":        "func(Failure)",
				"(Violation).String":        "func() string",
				"(*Server).Endpoint":        "",
				"(*Server).Client":          "",
				"(*Server).Authentications": "",
				"(*Server).Connects":        "",
				"(*Server).OTPSource":       "",
				"(*Server).Operator":        "",
				"New":                       "",
			}
			for name, sig := range want {
				assert.Equal(t, sig, a.unnamed[name], "%stest.%s", s, name)
			}
			for _, ty := range []string{"Option", "Config"} {
				assert.False(t, a.types[ty], "%stest.%s: the fake is configured with Options", s, ty)
			}
			hasField := func(ty, name, typ string) {
				t.Helper()
				assert.Contains(t, a.fields[ty], field{name, typ}, "%stest.%s.%s %s", s, ty, name, typ)
			}
			hasField("Options", "TLS", "bool")
			hasField("Server", "URL", "string")
			hasField("Failure", "Message", "string")
			assert.Equal(t, []field{{"Operation", "string"}, {"Path", "string"}, {"Element", "xml.Name"}, {"Reason", "string"}},
				a.fields["Violation"], "%stest.Violation", s)
			for _, f := range []string{"Operation", "Action", "ContentType"} {
				hasField("Request", f, "string")
			}
			hasField("Request", "Violations", "[]Violation")
			// The fake reads the wire by its own statement of the contract: nothing it exports
			// is a type generated from the WSDL the client was generated from.
			for _, d := range a.decls {
				assert.NotContains(t, d, "wsdl.", "%stest exports a generated type: %s", s, d)
				// nor one a user cannot name
				assert.NotContains(t, d, "soapx.", "%stest exports an internal type: %s", s, d)
			}
		})
	}
}
