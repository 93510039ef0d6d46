package provisioning

import (
	"encoding/xml"
	"fmt"

	"github.com/offboard-go/offboard/internal/dataset"
)

// ns is the namespace of every BSIDCA element.
const ns = "http://www.cryptocard.com/blackshield/"

// tableResponse is the response of an operation that answers a DataTable
// (<OpResponse><OpResult>xs:schema + diffgram</OpResult></OpResponse>). It decodes the rows
// straight from the runtime's streaming decoder, one at a time, instead of the generated
// response type, which would hold the whole table as raw XML first.
type tableResponse[T any] struct {
	op   string // wire operation: the response is <opResponse>, the table <opResult>
	rows []T
}

// UnmarshalXML reads the response element whose start tag the runtime has just read. A missing
// Result element (minOccurs 0: a null DataTable) is an empty table.
func (r *tableResponse[T]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	r.rows = r.rows[:0]
	if start.Name.Local != r.op+"Response" || start.Name.Space != ns {
		// The runtime reports this as a *ProtocolError with an excerpt of the body.
		return fmt.Errorf("expected {%s}%sResponse, got {%s}%s", ns, r.op, start.Name.Space, start.Name.Local)
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != r.op+"Result" || t.Name.Space != ns {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			if err := dataset.Decode(d, t, func(row T) error {
				r.rows = append(r.rows, row)
				return nil
			}); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}
