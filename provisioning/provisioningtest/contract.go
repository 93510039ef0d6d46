package provisioningtest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
)

// The fake's own statement of every operation's wire contract (the vendor's operation pages;
// the token operations as other clients send them): each request's members in order, all in the blackshield namespace. Requests
// are read against it token by token, independently of the generated types the client
// marshals; an ASMX server (XmlSerializer) would skip an element in another namespace or an
// unknown one and read a missing required member as its zero value, so each such deviation is
// recorded in Violations.

type member struct {
	name     string
	required bool // minOccurs 1 and not nillable
}

var contracts = map[string][]member{
	// The session and the provisioning tasks, from the vendor's operation pages: the members
	// are the .NET method's parameters in order; value types (Int32, Boolean, DateTime) are
	// always present, strings and lists may be left out. Connect's challenge is an out
	// parameter: not in the request.
	"Connect":                          {{"OperatorEmail", false}, {"OTP", false}, {"validationCode", false}},
	"PingConnection":                   {},
	"GetProvisioningTaskCount":         {{"organization", false}},
	"GetProvisioningTaskDetails":       {{"taskID", true}, {"organization", false}},
	"GetProvisioningTasks":             {{"organization", false}, {"startRecord", true}, {"numberOfRecords", true}},
	"GetProvisioningTasksForUser":      {{"user", false}, {"organization", false}, {"startRecord", true}, {"numberOfRecords", true}},
	"GetProvisioningTasksForUserCount": {{"user", false}, {"organization", false}},
	"RemoveProvisioningTask":           {{"taskID", true}, {"sendNotificationEmail", true}, {"organization", false}},
	"RemoveUsersFromProvisioningTask": {{"taskID", true}, {"userNames", false}, {"sendNotificationEmail", true},
		{"organization", false}},
	"UpdateProvisioningStopDate": {{"taskID", true}, {"userNames", false}, {"newStopDate", true}, {"organization", false}},

	// The token operations.
	"GetTokensByOwner": {{"userName", false}, {"organization", false}},
	// type is minOccurs 1 but nillable: absent reads as null, which is "any type".
	"GetTokens": {{"state", false}, {"type", false}, {"serial", false}, {"container", false}, {"organization", false},
		{"startRecord", true}, {"pageSize", true}},
	"RevokeToken": {{"serial", false}, {"userName", false}, {"comment", false}, {"revokeMode", true},
		{"revokeStaticPassword", true}, {"organization", false}},
	// Inferred: the order of RemoveUser's members is not established.
	"RemoveUser": {{"userName", false}, {"tokenOption", true}, {"organization", false}},
}

// checkContract reads body, the raw XML of the Body's element, as operation op against its
// contract and returns the deviations; operations without a contract here have none.
func checkContract(op string, body []byte) []string {
	contract, ok := contracts[op]
	if !ok {
		return nil
	}
	var out []string
	violate := func(format string, args ...any) { out = append(out, op+": "+fmt.Sprintf(format, args...)) }
	d := xml.NewDecoder(bytes.NewReader(body))
	depth, last := 0, -1
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			violate("unreadable: %v", err)
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 1:
				if t.Name.Space != ns || t.Name.Local != op {
					violate("the Body's element is {%s}%s, not {%s}%s", t.Name.Space, t.Name.Local, ns, op)
					return out
				}
			case 2:
				i := slices.IndexFunc(contract, func(m member) bool { return m.name == t.Name.Local })
				switch {
				case t.Name.Space != ns:
					violate("<%s> is in namespace %q, not %q: the server ignores it", t.Name.Local, t.Name.Space, ns)
					continue
				case i < 0:
					violate("<%s> is not a member of %s: the server ignores it", t.Name.Local, op)
					continue
				case seen[t.Name.Local]:
					violate("<%s> appears twice", t.Name.Local)
				case i < last:
					violate("<%s> comes after <%s>", t.Name.Local, contract[last].name)
				}
				seen[t.Name.Local] = true
				last = max(last, i)
			}
		case xml.EndElement:
			depth--
		}
	}
	for _, m := range contract {
		if m.required && !seen[m.name] {
			violate("required <%s> is missing: the server reads its zero value", m.name)
		}
	}
	return out
}
