package projector

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// faultMessages reads every PwsMessage in a SOAP Fault detail. The PwsFault layout is not
// documented, so this goes by local names only: any element named PwsMessage,
// at any depth and in any namespace, with its members matched by local name. Values that do
// not parse are kept out rather than failing: the Fault itself is the error being reported.
func faultMessages(detail []byte) []Message {
	if len(detail) == 0 {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(detail))
	var out []Message
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "PwsMessage" {
			m, err := readMessage(d)
			if err != nil {
				return out
			}
			out = append(out, m)
		}
	}
}

// readMessage reads the members of a PwsMessage whose start tag was just read.
func readMessage(d *xml.Decoder) (Message, error) {
	var m Message
	for {
		tok, err := d.Token()
		if err != nil {
			return m, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return m, nil
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return m, err
			}
			v = strings.TrimSpace(v)
			switch t.Name.Local {
			case "Type":
				m.Type = MessageType(v)
			case "ErrorNumber":
				m.ErrorNumber, _ = strconv.Atoi(v)
			case "ErrorCode":
				m.ErrorCode = v
			case "ErrorText":
				m.ErrorText = v
			case "AdditionalErrorText":
				m.AdditionalErrorText = v
			case "ReferenceId1":
				m.ReferenceID1, _ = strconv.Atoi(v)
			case "ReferenceId2":
				m.ReferenceID2, _ = strconv.Atoi(v)
			}
		}
	}
}
