package castest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/offboard-go/offboard/cas"
	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/offboard-go/offboard/internal/soapx/soapsrv"
)

// How the fake answers protocol errors follows System.Web.Services (.NET 4
// SoapServerProtocol and its Soap11/Soap12 helpers) and answers observed from live ASMX
// services:
//
//   - The version is first guessed: SOAP 1.2 when there is no SOAPAction header or the
//     Content-Type is application/soap+xml, else SOAP 1.1. The 1.1 helper routes on the
//     SOAPAction header only; the 1.2 helper on the action parameter, then on the Body's
//     element. Routing failures are soap:Client / soap:Sender Faults with HTTP 500.
//   - The envelope's namespace then decides the version of the answer; a SOAP 1.1
//     envelope must come as text/xml.
//   - XML that is not well-formed gets HTTP 400 with an empty body.
//   - XmlSerializer ignores elements it does not expect, so a HandleUserTask in another
//     namespace reads as an empty request (no credentials: HTTP 404 + Status 1 "Error").
//
// Every refusal is also a Violation of the request: the real server would refuse it too.
//   - The HTTP POST form's errors are .NET exceptions, answered as text/plain with
//     HTTP 500.
//
// Texts marked "approximate" below are not verbatim .NET resource strings.

const (
	tns             = "http://ca.tvinci.com/"
	opName          = "HandleUserTask"
	maxBody         = 4 << 20 // ASP.NET's default maxRequestLength
	formCT          = "application/x-www-form-urlencoded"
	versionMismatch = "Possible SOAP version mismatch: Envelope namespace %s was unexpected. Expecting http://schemas.xmlsoap.org/soap/envelope/."
	unreadable      = "Server was unable to read request. ---> There is an error in XML document. ---> "
)

// statusWriter remembers the status written, for the request record.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	soapAction, hasAction := r.Header["Soapaction"]
	rec := Request{
		Method:      r.Method,
		Path:        r.URL.Path,
		ContentType: r.Header.Get("Content-Type"),
		Header:      r.Header.Clone(),
	}
	if hasAction && len(soapAction) > 0 {
		rec.SOAPAction, rec.HasSOAPAction = soapAction[0], true
	}
	defer func() {
		rec.HTTPStatus = w.status
		s.record(rec)
	}()

	// IIS and ASP.NET match paths case-insensitively.
	p := strings.ToLower(r.URL.Path)
	base := strings.ToLower(Path)
	switch {
	case p == base:
		s.serveSOAP(w, r, &rec)
	case strings.HasPrefix(p, base+"/"):
		s.servePost(w, r, r.URL.Path[len(Path)+1:], &rec)
	default:
		refuse(&rec, "no such resource: the module is at "+Path)
		writeText(w, http.StatusNotFound, "text/html; charset=utf-8",
			"<html><head><title>The resource cannot be found.</title></head><body><h1>Server Error in '/' Application.</h1><h2>The resource cannot be found.</h2><p>HTTP 404.</p></body></html>")
	}
}

func writeText(w http.ResponseWriter, status int, ct, body string) {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// refuse records that the server refused the request: its Refusal, and a Violation.
func refuse(rec *Request, reason string) {
	rec.Refusal = reason
	rec.Violations = append(rec.Violations, Violation{Operation: rec.Operation, Reason: "refused: " + reason})
}

// dotnetError answers like an unhandled .NET exception in the HTTP GET/POST protocols.
func dotnetError(w http.ResponseWriter, rec *Request, msg string) {
	refuse(rec, msg)
	writeText(w, http.StatusInternalServerError, "text/plain; charset=utf-8", msg)
}

func fault(w http.ResponseWriter, rec *Request, v soapx.Version, code, reason string) {
	refuse(rec, reason)
	_ = soapsrv.WriteFault(w, v, http.StatusInternalServerError, soapsrv.FaultSpec{Code: code, Reason: reason})
}

func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request, rec *Request) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		refuse(rec, "a "+r.Method+" of the module's URL is answered with its help page, no operation runs")
		writeText(w, http.StatusOK, "text/html; charset=utf-8",
			`<html><head><title>module Web Service</title></head><body><h1>module</h1><p>The following operations are supported.</p><ul><li><a href="ws_cas_module.asmx?op=HandleUserTask">HandleUserTask</a></li><li>CancelServiceNow</li><li>CancelSubscriptionRenewal</li><li>GetDomainEntitlements</li><li>GetDomainPermittedSubscriptions</li><li>GetUserCAStatus</li><li>GetUserPermittedSubscriptions</li></ul></body></html>`)
		return
	default:
		// The IIS handler mapping for *.asmx allows GET, HEAD, POST and DEBUG only.
		refuse(rec, "verb "+r.Method+" not allowed")
		writeText(w, http.StatusMethodNotAllowed, "text/html; charset=utf-8", "<html><body><h1>HTTP Error 405.0 - Method Not Allowed</h1></body></html>")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		dotnetError(w, rec, "System.Web.HttpException: Maximum request length exceeded.")
		return
	}
	ct := rec.ContentType
	mt, params, _ := mime.ParseMediaType(ct)
	guess := soapx.SOAP11
	if !rec.HasSOAPAction || mt == "application/soap+xml" {
		guess = soapx.SOAP12
	}
	envNS, bodyName, wellFormed := peek(body)
	if !wellFormed {
		refuse(rec, "malformed XML")
		w.WriteHeader(http.StatusBadRequest)
		return
	}

	// RouteRequest, with the guessed helper.
	if guess == soapx.SOAP11 {
		if opOfAction(unquoteAction(rec.SOAPAction)) == "" {
			fault(w, rec, guess, "Client", "Server did not recognize the value of HTTP Header SOAPAction: "+unquoteAction(rec.SOAPAction)+".")
			return
		}
	} else {
		action, _ := url.QueryUnescape(params["action"])
		if opOfAction(action) == "" && (bodyName.Space != tns || contracts[bodyName.Local] == nil) {
			if action == "" {
				fault(w, rec, guess, "Sender", "Unable to handle request without a valid action parameter. Please supply a valid soap action.")
			} else {
				fault(w, rec, guess, "Sender", "Unable to handle request. The action '"+action+"' was not recognized.")
			}
			return
		}
	}

	// ReadParameters: content type, then the envelope's own version.
	if mt != "text/xml" && mt != "application/soap+xml" {
		fault(w, rec, guess, "Client", fmt.Sprintf("Unsupported Media Type: '%s' is not a SOAP content type; expected 'text/xml'.", ct)) // approximate
		return
	}
	var version soapx.Version
	switch envNS {
	case soapx.SOAP11.Namespace():
		version = soapx.SOAP11
	case soapx.SOAP12.Namespace():
		version = soapx.SOAP12
	default:
		refuse(rec, fmt.Sprintf(versionMismatch, envNS))
		_ = soapsrv.WriteFault(w, soapx.SOAP11, http.StatusInternalServerError, soapsrv.FaultSpec{Code: "VersionMismatch", Reason: rec.Refusal})
		return
	}
	if version == soapx.SOAP11 && mt != "text/xml" {
		fault(w, rec, version, "Client", fmt.Sprintf("Unsupported Media Type: '%s' for a SOAP 1.1 envelope; expected 'text/xml'.", ct)) // approximate
		return
	}
	rec.SOAPVersion = cas.SOAP11
	if version == soapx.SOAP12 {
		rec.SOAPVersion = cas.SOAP12
	}

	// soapsrv checks Content-Type against the envelope strictly; ASMX lets a 1.2 envelope
	// come as text/xml, so hand soapsrv the Content-Type of the envelope's version.
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.Header.Set("Content-Type", map[soapx.Version]string{soapx.SOAP11: "text/xml; charset=utf-8", soapx.SOAP12: "application/soap+xml; charset=utf-8"}[version])
	req, err := soapsrv.ReadRequest(r2, maxBody)
	if err != nil {
		var re *soapsrv.RequestError
		reason := err.Error()
		if errors.As(err, &re) {
			reason = re.Reason
		}
		fault(w, rec, version, "Client", "Server was unable to read request. ---> "+reason)
		return
	}
	// The method: the SOAPAction's (1.1), or the action parameter's, else the Body's (1.2).
	rec.Action = unquoteAction(rec.SOAPAction)
	op := opOfAction(rec.Action)
	if guess == soapx.SOAP12 {
		rec.Action, _ = url.QueryUnescape(params["action"])
		if op = opOfAction(rec.Action); op == "" {
			op = bodyName.Local
		}
	}
	rec.Operation = op
	p, violations, perr := readParams(op, req.Body)
	rec.Violations = append(rec.Violations, violations...)
	rec.Params = p
	if perr != nil {
		fault(w, rec, version, "Client", unreadable+perr.Error())
		return
	}
	var a answer
	if op == opName {
		httpStatus, st := s.run(p)
		a = answer{status: httpStatus, body: statusResponse(op, st), st: &st}
	} else {
		a = s.runOp(op, p)
	}
	if a.st != nil {
		rec.Answered, rec.Code, rec.Message = true, a.st.Code, a.st.Message
	}
	_ = soapsrv.WriteResponse(w, version, a.status, nil, a.body)
}

// peek returns the root element's namespace and the name of the Body's first child, and
// whether the whole document is well-formed XML.
func peek(body []byte) (envNS string, bodyName xml.Name, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	depth := 0
	inBody, sawRoot := false, false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return envNS, bodyName, depth == 0 && sawRoot
		}
		if err != nil {
			return "", xml.Name{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				envNS, sawRoot = t.Name.Space, true
			case depth == 2 && t.Name.Local == "Body" && t.Name.Space == envNS:
				inBody = true
			case depth == 3 && inBody && bodyName.Local == "":
				bodyName = t.Name
			}
		case xml.EndElement:
			if depth == 2 {
				inBody = false
			}
			depth--
		}
	}
}

// unquoteAction strips one pair of surrounding quotes and URL-decodes, as ASMX does.
func unquoteAction(v string) string {
	if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
		v = v[1 : len(v)-1]
	}
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

// opOfAction returns the operation a SOAP action names, "" for none of the module's.
func opOfAction(action string) string {
	op, ok := strings.CutPrefix(action, tns)
	if !ok || contracts[op] == nil {
		return ""
	}
	return op
}

// servePost is the HTTP POST protocol: <Path>/<method> with form fields, a bare XML answer.
func (s *Server) servePost(w http.ResponseWriter, r *http.Request, method string, rec *Request) {
	if !strings.EqualFold(method, opName) {
		dotnetError(w, rec, "System.InvalidOperationException: "+method+" Web Service method name is not valid.")
		return
	}
	mt, _, _ := mime.ParseMediaType(rec.ContentType)
	if r.Method != http.MethodPost || mt != formCT {
		// No enabled protocol (HttpGet is off by default) accepts the request.
		dotnetError(w, rec, "System.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '/"+method+"'.")
		return
	}
	rec.HTTPPost, rec.Operation = true, opName
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		dotnetError(w, rec, "System.Web.HttpException: Maximum request length exceeded.")
		return
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		dotnetError(w, rec, "System.Web.HttpException: the form data could not be read.") // approximate
		return
	}
	p, violations, refusal := readForm(opName, form)
	rec.Violations = append(rec.Violations, violations...)
	if refusal != "" {
		dotnetError(w, rec, refusal)
		return
	}
	rec.Params = p
	httpStatus, st := s.run(p)
	rec.Answered, rec.Code, rec.Message = true, st.Code, st.Message
	writeText(w, httpStatus, "text/xml; charset=utf-8", string(statusDocument(st)))
}
