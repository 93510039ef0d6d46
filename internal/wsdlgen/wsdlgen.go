// Package wsdlgen is the project's generator step. It runs gowsdl (in a child process, see
// runGowsdl) on one WSDL, keeps gowsdl's choice of declarations and its call stubs, and
// rebuilds on the Go syntax tree, from its own reading of the WSDL and its schemas, everything
// gowsdl gets wrong on the wire or cannot compile:
//
//   - struct members follow the XSD content model in document order (nested xs:sequence,
//     xs:choice and xs:all included), each with the namespace of the schema that declares it
//     (gowsdl writes every child in the parent's default namespace, which WCF silently ignores);
//   - required elements (minOccurs ≥ 1, not nillable, not inside an optional group or a choice)
//     lose omitempty, so zero values are sent;
//   - names are unique: see "Naming" below; the wire names never change;
//   - anonymous complex types become named types (parent type name + member name);
//   - every operation calls with its real SOAPAction, SOAP 1.2-only bindings included (gowsdl
//     emits ” there), exported as constants; several bindings of one port type give one method;
//   - faults declared per operation (wsdl:fault, or soap:fault/soap12:fault written in the
//     portType as uds does) are listed by OperationFaults for soapx.Fault.DecodeDetail;
//   - stubs call soapx.Caller (context first, no blocking variants) instead of gowsdl's
//     soap.Client, and xs:dateTime is soapx.DateTime (host-independent, .NET forms);
//   - ASMX DataTable results become DataTable (raw XML) instead of a struct naming a type that
//     does not exist;
//   - global elements of a simple type become element structs (usable as SOAP headers);
//   - gowsdl's unused helper types and import guards are removed; no server stubs.
//
// # Naming
//
// Go names are gowsdl's (first letter upper-cased, Go keywords suffixed with "_"). When two
// declarations would get the same Go name, the first in document order keeps it (global
// elements come before complex types of the same schema, so a message element keeps its name)
// and each later one gets the suffix "Type", then "Type2", "Type3", …. Inside a struct, a
// member whose name is taken gets the suffix "Attr" when it is an attribute (the text of simple
// content is always Value), else "2", "3", … in document order. A method whose name repeats
// within a port type, and any other top-level name that is taken, gets "2", "3", ….
//
// The output is formatted by go/printer from the syntax tree, deterministic, and starts with a
// "Code generated … DO NOT EDIT." line naming the gowsdl version found in the build info.
package wsdlgen

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Config names one generation run.
type Config struct {
	WSDL    string // path of the WSDL, as written in the header
	Package string // Go package name of the output
}

const (
	soapxImport = "github.com/offboard-go/offboard/internal/soapx"
	childPkg    = "github.com/offboard-go/offboard/internal/wsdlgen/cmd/gowsdlrun"
)

// Generate returns the formatted Go source for cfg. It runs `go run` of cmd/gowsdlrun, so it
// needs the go command and a working directory inside this module (go generate and go test
// provide both).
func Generate(cfg Config) ([]byte, error) {
	m, err := loadModel(cfg.WSDL)
	if err != nil {
		return nil, err
	}
	raw, err := runGowsdl(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.WSDL, err)
	}
	out, err := generate(cfg, m, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.WSDL, err)
	}
	return out, nil
}

// gowsdlResult is cmd/gowsdlrun's output.
type gowsdlResult struct {
	Version    string
	Header     []byte
	Types      []byte
	Operations []byte
	Warnings   []string
}

// runGowsdl runs gowsdl in a child process. gowsdl v0.5.0's Start stores its results in one map
// from two goroutines without a lock (a data race that can crash with "concurrent map writes"),
// and it reports template errors only through the standard logger, then returns nil. Neither
// can be contained in this process without changing process-wide state (GOMAXPROCS, the
// standard logger), so the child does both in a process of its own and reports errors as such.
func runGowsdl(cfg Config) (*gowsdlResult, error) {
	goBin, err := goCommand()
	if err != nil {
		return nil, err
	}
	// -race=false overrides a -race in GOFLAGS: the child is where gowsdl's race lives.
	cmd := exec.Command(goBin, "run", "-race=false", childPkg, "-wsdl", cfg.WSDL, "-pkg", cfg.Package)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running gowsdl: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	res := new(gowsdlResult)
	if err := json.Unmarshal(stdout.Bytes(), res); err != nil {
		return nil, fmt.Errorf("reading gowsdl's output: %w", err)
	}
	switch {
	case res.Version == "":
		return nil, errors.New("gowsdl reported no version")
	case len(bytes.TrimSpace(res.Header)) == 0:
		return nil, errors.New("gowsdl produced no header")
	case len(bytes.TrimSpace(res.Types)) == 0:
		return nil, errors.New("gowsdl produced no types")
	}
	return res, nil
}

func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("the go command is not in PATH (wsdlgen runs gowsdl with go run)")
}

// part is one of gowsdl's output parts, parsed.
type part struct {
	file *ast.File
	tf   *token.File
	src  []byte
	// dropped are nodes left out of the output, whose lines must not leave gaps.
	dropped []ast.Node
}

// parsePart parses one of gowsdl's output parts.
func parsePart(fset *token.FileSet, name, pkg string, src []byte) (*part, error) {
	full := append([]byte("package "+pkg+"\n"), src...)
	f, err := parser.ParseFile(fset, name, full, 0)
	if err != nil {
		return nil, fmt.Errorf("gowsdl's %s does not parse: %w", name, err)
	}
	return &part{file: f, tf: fset.File(f.Pos()), src: full}, nil
}

// foldLines rewrites the part's line table so that only lines holding a token of the output
// count: blank lines, comment lines (comments are not printed) and the lines of dropped nodes
// fold into the line before them. The printer then writes gowsdl's declarations without the
// gaps its templates and the dropped members leave.
func (p *part) foldLines() error {
	inDropped := func(pos token.Pos) bool {
		for _, n := range p.dropped {
			if pos >= n.Pos() && pos < n.End() {
				return true
			}
		}
		return false
	}
	var s scanner.Scanner
	s.Init(p.tf, p.src, nil, 0)
	keep := map[int]bool{0: true}
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if (tok == token.SEMICOLON && lit == "\n") || inDropped(pos) {
			continue
		}
		keep[int(p.tf.LineStart(p.tf.Line(pos)))-p.tf.Base()] = true
	}
	lines := make([]int, 0, len(keep))
	for off := range keep {
		lines = append(lines, off)
	}
	sort.Ints(lines)
	if !p.tf.SetLines(lines) {
		return errors.New("line table rejected")
	}
	return nil
}

// ---- names ----

// gowsdl's reserved-word table: Go keywords get "_", and type names "string" get "astring".
func replaceReservedWords(id string, forType bool) string {
	if forType && id == "string" {
		return "astring"
	}
	if token.Lookup(id).IsKeyword() {
		return id + "_"
	}
	return normalize(id)
}

func normalize(value string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' {
			return '_'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return r
		}
		return -1
	}, value)
}

func upperFirst(id string) string {
	r := []rune(id)
	if len(r) == 0 {
		return id
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// gowsdlBasic are the names gowsdl's makePublic leaves lower-case.
var gowsdlBasic = map[string]bool{
	"string": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "bool": true, "time.Time": true, "[]byte": true, "byte": true,
	"uint16": true, "uint32": true, "uinit64": true, "interface{}": true,
}

func gowsdlMakePublic(id string) string {
	if gowsdlBasic[id] {
		return id
	}
	return upperFirst(id)
}

// gowsdlTypeName is the name gowsdl's types template gives a declaration (replaceReservedWords
// then makePublic).
func gowsdlTypeName(xsdName string) string {
	return gowsdlMakePublic(replaceReservedWords(xsdName, true))
}

// goName is the Go name of an XSD name: gowsdl's, always exported.
func goName(xsdName string) string {
	n := replaceReservedWords(xsdName, true)
	if n == "" {
		n = "X"
	}
	if !unicode.IsLetter([]rune(n)[0]) {
		n = "X" + n
	}
	return upperFirst(n)
}

// gowsdl's xsd2GoTypes, used only to reproduce which element declarations it skips.
var gowsdlBuiltins = map[string]string{
	"string": "string", "token": "string", "float": "float32", "double": "float64",
	"decimal": "float64", "integer": "int32", "int": "int32", "short": "int16", "byte": "int8",
	"long": "int64", "boolean": "bool", "datetime": "soap.XSDDateTime", "date": "soap.XSDDate",
	"time": "soap.XSDTime", "base64binary": "[]byte", "hexbinary": "[]byte", "unsignedint": "uint32",
	"unsignedshort": "uint16", "unsignedbyte": "byte", "unsignedlong": "uint64", "anytype": "AnyType",
	"ncname": "NCName", "anyuri": "AnyURI",
}

func gowsdlToGoType(qname string) string {
	t := localName(qname)
	if v, ok := gowsdlBuiltins[strings.ToLower(t)]; ok {
		return v
	}
	return replaceReservedWords(gowsdlMakePublic(t), true)
}

// xsdGoTypes maps the XSD built-in types to Go. Types whose lexical space Go has no type for
// (decimal: precision; date, time, duration; the binary encodings: encoding/xml would write
// []byte raw) are kept as their wire text.
var xsdGoTypes = map[string]string{
	"boolean": "bool", "float": "float32", "double": "float64",
	"int": "int32", "short": "int16", "byte": "int8", "long": "int64", "integer": "int64",
	"nonPositiveInteger": "int64", "negativeInteger": "int64",
	"nonNegativeInteger": "uint64", "positiveInteger": "uint64", "unsignedLong": "uint64",
	"unsignedInt": "uint32", "unsignedShort": "uint16", "unsignedByte": "uint8",
	"dateTime": "soapx.DateTime",
}

var xsdStringTypes = strings.Fields(`string normalizedString token language Name NCName NMTOKEN
	NMTOKENS ID IDREF IDREFS ENTITY ENTITIES QName NOTATION anyURI base64Binary hexBinary
	duration date time gYear gYearMonth gMonth gMonthDay gDay decimal anySimpleType anyType`)

func init() {
	for _, t := range xsdStringTypes {
		xsdGoTypes[t] = "string"
	}
}

// ---- declarations ----

type originKind int

const (
	kindSimple  originKind = iota // xs:simpleType
	kindElement                   // global element with an inline complex type
	kindTypedEl                   // global element with a type attribute
	kindComplex                   // global xs:complexType
)

// origin is one XSD declaration that gowsdl turns into a Go type.
type origin struct {
	kind       originKind
	schema     *xsdSchema
	simple     *xsdSimpleType
	complex    *xsdComplex
	element    *xsdElement
	gowsdlName string
	goName     string
	matched    bool
	// xmlName is set when the Go type stands for a global element (its XMLName field).
	xmlName *[2]string
}

type qkey struct {
	kind      byte // 'c' complex, 's' simple, 'e' element
	ns, local string
}

type gen struct {
	m       *model
	origins []*origin
	byKey   map[qkey]*origin
	// elements maps global elements to their schema.
	elements map[qkey]*xsdSchema
	elDecl   map[qkey]*xsdElement
	// memberTypes are complex types used as a member, base or element alias somewhere.
	memberTypes map[qkey]int
	taken       map[string]bool
	usesDT      bool
	actions     []outConst
	faults      []opFaults
	nsDecls     map[*xsdSchema]map[string]string
	// originsOrdered are the declarations to write, in gowsdl's order.
	originsOrdered []*origin
}

type outDecl struct {
	doc  string
	decl ast.Decl
}

type outConst struct{ name, value string }

type opFaults struct {
	op    string
	types []string
}

func newGen(m *model) *gen {
	return &gen{
		m: m, byKey: map[qkey]*origin{}, elements: map[qkey]*xsdSchema{}, elDecl: map[qkey]*xsdElement{},
		memberTypes: map[qkey]int{}, taken: map[string]bool{}, nsDecls: map[*xsdSchema]map[string]string{},
	}
}

// resolve expands a QName written in schema s (or in the WSDL when s is nil).
func (g *gen) resolve(s *xsdSchema, qname string) (ns, local string) {
	prefix, local, ok := strings.Cut(qname, ":")
	if !ok {
		prefix, local = "", qname
	}
	decls := g.nsDecls[s]
	if decls == nil {
		decls = map[string]string{}
		if s == nil || !s.external {
			for _, a := range g.m.doc.Attrs {
				addNSDecl(decls, a)
			}
		}
		if s != nil {
			for _, a := range s.Attrs {
				addNSDecl(decls, a)
			}
		}
		g.nsDecls[s] = decls
	}
	if ns, ok := decls[prefix]; ok {
		return ns, local
	}
	if prefix == "" && s != nil {
		return s.TargetNamespace, local
	}
	return "", local
}

func addNSDecl(decls map[string]string, a xml.Attr) {
	switch {
	case a.Name.Space == "xmlns":
		decls[a.Name.Local] = a.Value
	case a.Name.Space == "" && a.Name.Local == "xmlns":
		decls[""] = a.Value
	}
}

// index lists the declarations in gowsdl's order (per schema: simple types, elements, complex
// types) and the uses of each complex type.
func (g *gen) index() error {
	for _, s := range g.m.schemas {
		for _, st := range s.SimpleTypes {
			g.addOrigin(&origin{kind: kindSimple, schema: s, simple: st, gowsdlName: gowsdlTypeName(st.Name)}, 's', s.TargetNamespace, st.Name)
		}
		for _, e := range s.Elements {
			k := qkey{'e', s.TargetNamespace, e.Name}
			if _, dup := g.elements[k]; !dup {
				g.elements[k], g.elDecl[k] = s, e
			}
			switch {
			case e.Type == "" && e.ComplexType != nil:
				g.addOrigin(&origin{kind: kindElement, schema: s, complex: e.ComplexType, element: e, gowsdlName: gowsdlTypeName(e.Name),
					xmlName: &[2]string{s.TargetNamespace, e.Name}}, 'e', s.TargetNamespace, e.Name)
			case e.Type != "":
				// gowsdl skips `type X X`.
				if gowsdlTypeName(e.Name) == gowsdlToGoType(e.Type) {
					continue
				}
				g.addOrigin(&origin{kind: kindTypedEl, schema: s, element: e, gowsdlName: gowsdlTypeName(e.Name),
					xmlName: &[2]string{s.TargetNamespace, e.Name}}, 'e', s.TargetNamespace, e.Name)
			}
		}
		for _, c := range s.ComplexTypes {
			g.addOrigin(&origin{kind: kindComplex, schema: s, complex: c, gowsdlName: gowsdlTypeName(c.Name)}, 'c', s.TargetNamespace, c.Name)
		}
	}
	// Uses of complex types: as members, bases and by global elements.
	var walk func(s *xsdSchema, c *xsdComplex)
	walk = func(s *xsdSchema, c *xsdComplex) {
		if b := c.base(); b != "" {
			ns, l := g.resolve(s, b)
			g.memberTypes[qkey{'c', ns, l}] += 2
		}
		for _, mb := range c.members() {
			if mb.el.Type != "" {
				ns, l := g.resolve(s, mb.el.Type)
				g.memberTypes[qkey{'c', ns, l}] += 2
			}
			if mb.el.ComplexType != nil {
				walk(s, mb.el.ComplexType)
			}
		}
	}
	for _, s := range g.m.schemas {
		for _, c := range s.ComplexTypes {
			walk(s, c)
		}
		for _, e := range s.Elements {
			if e.ComplexType != nil {
				walk(s, e.ComplexType)
			}
			if e.Type != "" {
				ns, l := g.resolve(s, e.Type)
				g.memberTypes[qkey{'c', ns, l}]++
			}
		}
	}
	return nil
}

func (g *gen) addOrigin(o *origin, kind byte, ns, local string) {
	g.origins = append(g.origins, o)
	k := qkey{kind, ns, local}
	if _, dup := g.byKey[k]; !dup {
		g.byKey[k] = o
	}
}

// gowsdl helper declarations that the project never needs.
var gowsdlLeftovers = map[string]bool{"AnyType": true, "AnyURI": true, "NCName": true}

// matchTypes pairs gowsdl's type declarations with the XSD declarations they came from, in
// order, then gives every matched declaration its final, unique Go name.
func (g *gen) matchTypes(f *ast.File) error {
	queue := map[string][]*origin{}
	for _, o := range g.origins {
		queue[o.gowsdlName] = append(queue[o.gowsdlName], o)
	}
	var ordered []*origin
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			name := spec.(*ast.TypeSpec).Name.Name
			if gowsdlLeftovers[name] && len(queue[name]) == 0 {
				continue
			}
			q := queue[name]
			if len(q) == 0 {
				return fmt.Errorf("gowsdl type %s: no XSD declaration left with that name", name)
			}
			q[0].matched = true
			ordered = append(ordered, q[0])
			queue[name] = q[1:]
		}
	}
	for _, o := range ordered {
		o.goName = g.claim(o.gowsdlName, "Type")
	}
	// Declarations gowsdl did not write (it skips some shapes) still get names, for references.
	for _, o := range g.origins {
		if !o.matched && o.kind != kindTypedEl {
			o.goName = g.claim(o.gowsdlName, "Type")
			o.matched = true
			ordered = append(ordered, o)
		}
	}
	g.originsOrdered = ordered
	return nil
}

// claim reserves a top-level name: base if free, else base+suffix, base+suffix+"2", ….
func (g *gen) claim(base, suffix string) string {
	if !g.taken[base] {
		g.taken[base] = true
		return base
	}
	for i := 1; ; i++ {
		n := base + suffix
		if i > 1 {
			n += strconv.Itoa(i)
		}
		if !g.taken[n] {
			g.taken[n] = true
			return n
		}
	}
}
