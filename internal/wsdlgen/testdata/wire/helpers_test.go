// This file is copied, with its package clause renamed, next to code the wsdlgen tests
// generate into a scratch package (see internal/wsdlgen/scratch_test.go); it is not built here.

package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/xmltest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bindingAction is one SOAP binding's action for an operation, from the WSDL (written by the
// generating test into testdata/actions.json).
type bindingAction struct {
	Binding, Version, Action string
}

// recorder is a soapx.Caller that keeps the action of the last call.
type recorder struct{ action string }

func (r *recorder) Call(_ context.Context, action string, _, _ any) error {
	r.action = action
	return nil
}

// checkActions calls every method of every service with a zero request and checks that the
// stub sends the action of each SOAP binding of its operation; every operation listed in
// testdata/actions.json must be a method, and every method an operation.
func checkActions(t *testing.T, rec *recorder, services ...any) {
	t.Helper()
	b, err := os.ReadFile("testdata/actions.json")
	require.NoError(t, err)
	var want map[string][]bindingAction
	require.NoError(t, json.Unmarshal(b, &want))
	var seen []string
	for _, svc := range services {
		v := reflect.ValueOf(svc)
		for i := 0; i < v.NumMethod(); i++ {
			name := v.Type().Method(i).Name
			m := v.Method(i)
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			if m.Type().NumIn() == 2 {
				args = append(args, reflect.New(m.Type().In(1).Elem()))
			}
			rec.action = ""
			out := m.Call(args)
			require.True(t, out[len(out)-1].IsNil(), "%s returned an error", name)
			bindings, ok := want[name]
			if assert.True(t, ok, "method %s is no WSDL operation", name) {
				require.NotEmpty(t, bindings, name)
				for _, ba := range bindings {
					assert.Equal(t, ba.Action, rec.action, "%s: SOAP %s binding %s", name, ba.Version, ba.Binding)
				}
			}
			seen = append(seen, name)
		}
	}
	var ops []string
	for op := range want {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	sort.Strings(seen)
	assert.Equal(t, ops, seen, "operations and methods")
}

// wire is a soapx.Client whose transport records the request and answers with a fixed body.
type wire struct {
	version  soapx.Version
	answer   string // the content of the answer's Body
	request  []byte
	header   http.Header
	client   *soapx.Client
	captured bool
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	w.request, w.header, w.captured = b, r.Header.Clone(), true
	ct := "text/xml; charset=utf-8"
	if w.version == soapx.SOAP12 {
		ct = "application/soap+xml; charset=utf-8"
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {ct}},
		Body:    io.NopCloser(strings.NewReader(string(envelope(w.version, w.answer)))),
		Request: r,
	}, nil
}

func newWire(t *testing.T, v soapx.Version, answer string) *wire {
	t.Helper()
	w := &wire{version: v, answer: answer}
	c, err := soapx.NewClient("http://wire.invalid/service", soapx.WithVersion(v), soapx.WithHTTPClient(&http.Client{Transport: w}))
	require.NoError(t, err)
	w.client = c
	return w
}

// envelope wraps body in a SOAP envelope of version v.
func envelope(v soapx.Version, body string) []byte {
	ns := "http://schemas.xmlsoap.org/soap/envelope/"
	if v == soapx.SOAP12 {
		ns = "http://www.w3.org/2003/05/soap-envelope"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><e:Envelope xmlns:e="` + ns + `"><e:Body>`)
	b.WriteString(body)
	b.WriteString(`</e:Body></e:Envelope>`)
	return b.Bytes()
}

// checkRequest compares the request the client sent with the hand-written body, namespace by
// namespace, and checks the action travelled as the SOAP version requires.
func (w *wire) checkRequest(t *testing.T, action, body string) {
	t.Helper()
	require.True(t, w.captured, "no request sent")
	xmltest.Equal(t, envelope(w.version, body), w.request)
	if w.version == soapx.SOAP12 {
		assert.Contains(t, w.header.Get("Content-Type"), `action="`+action+`"`)
	} else {
		assert.Equal(t, `"`+action+`"`, w.header.Get("SOAPAction"))
	}
}

func ptr[T any](v T) *T { return &v }

// withoutXMLNames zeroes every XMLName field reachable from v (decoding fills them in; the
// struct tags already fix their values), so hand-written expectations can leave them out.
func withoutXMLNames(v any) any {
	var walk func(r reflect.Value)
	walk = func(r reflect.Value) {
		switch r.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !r.IsNil() {
				walk(r.Elem())
			}
		case reflect.Slice:
			for i := 0; i < r.Len(); i++ {
				walk(r.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < r.NumField(); i++ {
				f := r.Type().Field(i)
				if f.Name == "XMLName" && r.Field(i).CanSet() {
					r.Field(i).Set(reflect.Zero(f.Type))
					continue
				}
				if f.IsExported() || f.Anonymous {
					walk(r.Field(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(v))
	return v
}

func dt(s string) soapx.DateTime {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return soapx.DateTime{Time: tm}
}
