package projectortest

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard-go/offboard/projector"
)

// xw writes XML in the layout of Projector's responses: the operation wrapper in the pws
// default namespace, a: for DataContracts/Responses, b: for Shared/Common, i: for xsi, the
// base members each re-declaring http://projectorpsa.com/CommonServices/ as default, and
// null members written as i:nil="true" (what DataContractSerializer does).
type xw struct{ strings.Builder }

func (b *xw) text(s string) {
	_ = xml.EscapeText(&b.Builder, []byte(s))
}

// elem writes <name>value</name>, or <name i:nil="true"/> when null.
func (b *xw) elem(name, value string, null bool) {
	b.WriteString("<" + name)
	if null {
		b.WriteString(` i:nil="true"/>`)
		return
	}
	b.WriteByte('>')
	b.text(value)
	b.WriteString("</" + name + ">")
}

// str writes a string member, null when empty (DataContractSerializer's null string).
func (b *xw) str(name, value string) { b.elem(name, value, value == "") }

func (b *xw) message(m projector.Message) {
	b.WriteString("<b:PwsMessage>")
	b.str("b:AdditionalErrorText", m.AdditionalErrorText)
	b.str("b:ErrorCode", m.ErrorCode)
	b.elem("b:ErrorNumber", strconv.Itoa(m.ErrorNumber), false)
	b.str("b:ErrorText", m.ErrorText)
	b.elem("b:Type", string(m.Type), false)
	b.elem("b:ReferenceId1", strconv.Itoa(m.ReferenceID1), m.ReferenceID1 == 0)
	b.elem("b:ReferenceId2", strconv.Itoa(m.ReferenceID2), m.ReferenceID2 == 0)
	b.WriteString("</b:PwsMessage>")
}

// base writes the PwsServiceResponse members.
func (b *xw) base(msgs []projector.Message, responseID int32, status projector.Status, now time.Time) {
	if len(msgs) == 0 {
		b.WriteString(`<Messages xmlns="` + nsCS + `" xmlns:b="` + nsCom + `"/>`)
	} else {
		b.WriteString(`<Messages xmlns="` + nsCS + `" xmlns:b="` + nsCom + `">`)
		for _, m := range msgs {
			b.message(m)
		}
		b.WriteString(`</Messages>`)
	}
	b.WriteString(`<ResponseId xmlns="` + nsCS + `">` + strconv.Itoa(int(responseID)) + `</ResponseId>`)
	b.WriteString(`<Status xmlns="` + nsCS + `">` + string(status) + `</Status>`)
	b.WriteString(`<ServerTimestampUtc xmlns="` + nsCS + `">` + now.UTC().Format("2006-01-02T15:04:05.0000000Z") + `</ServerTimestampUtc>`)
}

// userRef writes a PwsUserRef member (a:name) in the Shared/Common namespace.
func (b *xw) userRef(name string, u *User) {
	if u == nil {
		b.WriteString(`<` + name + ` i:nil="true" xmlns:b="` + nsCom + `"/>`)
		return
	}
	b.WriteString(`<` + name + ` xmlns:b="` + nsCom + `">`)
	b.str("b:UserDisplayName", u.DisplayName)
	b.elem("b:UserId", strconv.Itoa(int(u.UserID)), u.UserID == 0)
	b.str("b:UserReferenceSystemId", u.ReferenceSystemID)
	b.elem("b:UserUid", strconv.FormatInt(u.UID, 10), u.UID == 0)
	b.WriteString(`</` + name + `>`)
}

// result wraps the members of op's result in the response envelope.
func result(op string, members func(b *xw)) []byte {
	var b xw
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP11 + `"><s:Body>`)
	b.WriteString(`<` + op + `Response xmlns="` + nsPWS + `">`)
	b.WriteString(`<` + op + `Result xmlns:a="` + nsRsp + `" xmlns:i="` + nsXSI + `">`)
	members(&b)
	b.WriteString(`</` + op + `Result></` + op + `Response></s:Body></s:Envelope>`)
	return []byte(b.String())
}

// pwsFault is the FaultException<PwsFault> answer: the messages inside the detail's PwsFault
// (the detail layout is inferred; clients should look for PwsMessage anywhere).
func pwsFault(reason string, msgs []projector.Message) []byte {
	var b xw
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP11 + `"><s:Body><s:Fault>`)
	b.WriteString(`<faultcode>s:Client</faultcode><faultstring xml:lang="en-US">`)
	b.text(reason)
	b.WriteString(`</faultstring><detail><PwsFault xmlns="` + nsCS + `" xmlns:i="` + nsXSI + `">`)
	b.WriteString(`<Messages xmlns:b="` + nsCom + `">`)
	for _, m := range msgs {
		b.message(m)
	}
	b.WriteString(`</Messages></PwsFault></detail></s:Fault></s:Body></s:Envelope>`)
	return []byte(b.String())
}

// wcfFault is a fault WCF's dispatcher raises itself (ContractFilter mismatch, a body that
// does not deserialize), with its code in the dispatcher's namespace.
func wcfFault(codeNS, code, reason string) []byte {
	var b xw
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP11 + `"><s:Body><s:Fault>`)
	b.WriteString(`<faultcode xmlns:a="` + codeNS + `">a:` + code + `</faultcode><faultstring xml:lang="en-US">`)
	b.text(reason)
	b.WriteString(`</faultstring></s:Fault></s:Body></s:Envelope>`)
	return []byte(b.String())
}

const (
	nsAddressingNone = "http://schemas.microsoft.com/ws/2005/05/addressing/none"
	nsWCFDispatcher  = "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher"
)

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
