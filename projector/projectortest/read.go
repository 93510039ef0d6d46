package projectortest

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file turns the members a request kept (see filter) into the fake's own view of them:
// values parsed by the types the contract states, never through the client's generated types.

// UserRef is a PwsUserRef as the fake read it: any combination of its members identifies a
// user. Members absent or sent as xsi:nil are zero.
type UserRef struct {
	UserDisplayName       string
	UserID                int32 // UserId, Int32
	UserReferenceSystemID string
	UserUID               int64 // UserUid, Int64
}

// AuthenticateRequest is the serviceRequest of a PwsAuthenticate.
type AuthenticateRequest struct {
	AccountCode      string
	CultureName      string
	Fingerprint      string
	Password         string // as received: a test tool, do not log it
	UserName         string
	UtcOffsetMinutes *int16 // nil when absent
}

// DeleteUserRequest is the serviceRequest of a PwsDeleteUser.
type DeleteUserRequest struct {
	EndDateIfInUse time.Time // zero when absent
	UserIdentity   *UserRef  // nil when absent
	UserTimestamp  string    // Base64 row version, "" when absent
}

// GetUserListRequest is the serviceRequest of a PwsGetUserList.
type GetUserListRequest struct {
	IncludeInactiveFlag       bool
	LastUpdatedSinceTimestamp time.Time // zero when absent
	MaxRowsToReturn           *int32    // nil when absent
	QueryString               string
	UserIdentity              *UserRef // nil when absent
}

// checkValues reports the first kept member whose value does not deserialize as its type:
// WCF refuses such a request as a whole (DeserializationFailed).
func checkValues(path string, n *node) error {
	for _, ch := range n.children {
		p := path + "/" + ch.Name.Local
		if ch.kind == kindContract {
			if err := checkValues(p, ch); err != nil {
				return err
			}
			continue
		}
		if isNil(ch) {
			continue
		}
		if len(ch.children) > 0 {
			return fmt.Errorf("%s: element content where %s is expected", p, ch.kind)
		}
		if _, err := parseValue(ch.kind, ch.Text); err != nil {
			return fmt.Errorf("%s: %q is not a valid %s: %w", p, ch.Text, ch.kind, err)
		}
	}
	return nil
}

// isNil reports xsi:nil="true".
func isNil(n *node) bool {
	for _, a := range n.Attrs {
		if a.Name.Space == nsXSI && a.Name.Local == "nil" {
			v := strings.TrimSpace(a.Value)
			return v == "true" || v == "1"
		}
	}
	return false
}

// parseValue parses text as k, as XmlConvert does (surrounding white space allowed except for
// strings).
func parseValue(k kind, text string) (any, error) {
	t := strings.TrimSpace(text)
	switch k {
	case kindString:
		return text, nil
	case kindInt16:
		v, err := strconv.ParseInt(t, 10, 16)
		return int16(v), err
	case kindInt32:
		v, err := strconv.ParseInt(t, 10, 32)
		return int32(v), err
	case kindInt64:
		return strconv.ParseInt(t, 10, 64)
	case kindBool:
		switch t {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, fmt.Errorf("not true, false, 1 or 0")
	case kindDateTime:
		for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if v, err := time.Parse(layout, t); err == nil {
				return v, nil
			}
		}
		return nil, fmt.Errorf("not an xs:dateTime")
	case kindBase64:
		return base64.StdEncoding.DecodeString(t)
	}
	return nil, fmt.Errorf("no value expected")
}

// members is the kept children of a serviceRequest (or a nested contract), by local name:
// after filter each member is there once at most, in its own namespace.
type members map[string]*node

func membersOf(n *node) members {
	m := members{}
	if n == nil {
		return m
	}
	for _, ch := range n.children {
		m[ch.Name.Local] = ch
	}
	return m
}

// value returns the parsed value of the member, nil when absent or xsi:nil. Values were
// checked by checkValues.
func (m members) value(local string) any {
	n := m[local]
	if n == nil || isNil(n) {
		return nil
	}
	if n.kind == kindBase64 {
		return strings.TrimSpace(n.Text) // kept as text: a row version is compared, not decoded
	}
	v, _ := parseValue(n.kind, n.Text)
	return v
}

func (m members) str(local string) string  { s, _ := m.value(local).(string); return s }
func (m members) int32(local string) int32 { v, _ := m.value(local).(int32); return v }
func (m members) int64(local string) int64 { v, _ := m.value(local).(int64); return v }
func (m members) bool(local string) bool   { v, _ := m.value(local).(bool); return v }
func (m members) time(local string) time.Time {
	v, _ := m.value(local).(time.Time)
	return v
}

func (m members) int32p(local string) *int32 {
	if v, ok := m.value(local).(int32); ok {
		return &v
	}
	return nil
}

func (m members) int16p(local string) *int16 {
	if v, ok := m.value(local).(int16); ok {
		return &v
	}
	return nil
}

func (m members) userRef(local string) *UserRef {
	n := m[local]
	if n == nil || isNil(n) {
		return nil
	}
	r := membersOf(n)
	return &UserRef{UserDisplayName: r.str("UserDisplayName"), UserID: r.int32("UserId"),
		UserReferenceSystemID: r.str("UserReferenceSystemId"), UserUID: r.int64("UserUid")}
}

// read fills rec with the fake's view of the operation element tree, whose serviceRequest
// members were kept by filter.
func read(rec *Request, tree *node) {
	var sr *node
	if len(tree.children) > 0 {
		sr = tree.children[0] // the only member filter keeps: pws:serviceRequest
	}
	m := membersOf(sr)
	rec.RequestID, rec.SessionTicket = m.int32("RequestId"), m.str("SessionTicket")
	switch rec.Operation {
	case "PwsAuthenticate":
		rec.Authenticate = &AuthenticateRequest{AccountCode: m.str("AccountCode"), CultureName: m.str("CultureName"),
			Fingerprint: m.str("Fingerprint"), Password: m.str("Password"), UserName: m.str("UserName"),
			UtcOffsetMinutes: m.int16p("UtcOffsetMinutes")}
	case "PwsDeleteUser":
		rec.DeleteUser = &DeleteUserRequest{EndDateIfInUse: m.time("EndDateIfInUse"), UserIdentity: m.userRef("UserIdentity"),
			UserTimestamp: m.str("UserTimestamp")}
	case "PwsGetUserList":
		rec.GetUserList = &GetUserListRequest{IncludeInactiveFlag: m.bool("IncludeInactiveFlag"),
			LastUpdatedSinceTimestamp: m.time("LastUpdatedSinceTimestamp"), MaxRowsToReturn: m.int32p("MaxRowsToReturn"),
			QueryString: m.str("QueryString"), UserIdentity: m.userRef("UserIdentity")}
	}
}
