package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/goccy/go-json"
)

// Row is one event as it is stored in the events table. Empty strings and
// nil pointers are stored as NULL.
type Row struct {
	EventID             string
	EventTime           *time.Time
	EventVersion        string
	EventSource         string
	EventName           string
	AWSRegion           string
	RecipientAccountID  string
	SourceIP            string
	UserAgent           string
	IdentityType        string
	PrincipalID         string
	PrincipalARN        string
	IdentityAccountID   string
	AccessKeyID         string
	UserName            string
	RoleARN             string
	RoleName            string
	SessionName         string
	SourceIdentity      string
	InvokedBy           string
	MFAAuthenticated    *bool
	SessionCreatedAt    *time.Time
	EC2RoleDelivery     string
	ErrorCode           string
	ErrorMessage        string
	ReadOnly            *bool
	EventType           string
	ManagementEvent     *bool
	EventCategory       string
	RequestID           string
	SharedEventID       string
	VPCEndpointID       string
	RequestParameters   []byte // JSON
	ResponseElements    []byte // JSON
	Resources           []byte // JSON
	AdditionalEventData []byte // JSON
	Record              []byte // JSON: the whole record
	SourceURI           string
}

// record is the part of a CloudTrail event ctattrib reads into columns.
type record struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity *struct {
		Type           flexString `json:"type"`
		PrincipalID    flexString `json:"principalId"`
		ARN            flexString `json:"arn"`
		AccountID      flexString `json:"accountId"`
		AccessKeyID    flexString `json:"accessKeyId"`
		UserName       flexString `json:"userName"`
		InvokedBy      flexString `json:"invokedBy"`
		SessionContext *struct {
			SessionIssuer *struct {
				ARN      flexString `json:"arn"`
				UserName flexString `json:"userName"`
			} `json:"sessionIssuer"`
			Attributes *struct {
				CreationDate     flexString `json:"creationDate"`
				MFAAuthenticated flexBool   `json:"mfaAuthenticated"`
			} `json:"attributes"`
			SourceIdentity  flexString `json:"sourceIdentity"`
			EC2RoleDelivery flexString `json:"ec2RoleDelivery"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
	EventTime           flexString      `json:"eventTime"`
	Timestamp           flexString      `json:"@timestamp"`
	EventSource         flexString      `json:"eventSource"`
	EventName           flexString      `json:"eventName"`
	AWSRegion           flexString      `json:"awsRegion"`
	SourceIPAddress     flexString      `json:"sourceIPAddress"`
	UserAgent           flexString      `json:"userAgent"`
	ErrorCode           flexString      `json:"errorCode"`
	ErrorMessage        flexString      `json:"errorMessage"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData"`
	Resources           json.RawMessage `json:"resources"`
	RequestID           flexString      `json:"requestID"`
	EventID             flexString      `json:"eventID"`
	ReadOnly            flexBool        `json:"readOnly"`
	EventType           flexString      `json:"eventType"`
	ManagementEvent     flexBool        `json:"managementEvent"`
	RecipientAccountID  flexString      `json:"recipientAccountId"`
	SharedEventID       flexString      `json:"sharedEventID"`
	VPCEndpointID       flexString      `json:"vpcEndpointId"`
	EventCategory       flexString      `json:"eventCategory"`
}

// flexString accepts a JSON string, number or boolean: hand-made and
// re-shipped logs do not always keep CloudTrail's types.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	if string(b) == "null" || (len(b) > 0 && (b[0] == '{' || b[0] == '[')) {
		*s = ""
		return nil
	}
	*s = flexString(b)
	return nil
}

// flexBool accepts true, false, "true" and "false"; anything else is unknown.
type flexBool struct {
	v     bool
	valid bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true":
		*f = flexBool{true, true}
	case "false":
		*f = flexBool{false, true}
	default:
		*f = flexBool{}
	}
	return nil
}

func (f flexBool) ptr() *bool {
	if !f.valid {
		return nil
	}
	v := f.v
	return &v
}

// ParseRecord maps one event's raw JSON to a Row. Missing fields become
// NULLs; an event with no eventID gets a stable key derived from its content,
// so loading it twice still yields one row.
func ParseRecord(raw []byte, sourceURI string) (Row, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Row{}, err
	}
	compact := raw
	if needsCompact(raw) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return Row{}, err
		}
		compact = buf.Bytes()
	} else {
		compact = append([]byte(nil), raw...)
	}
	r := Row{
		EventID:             string(rec.EventID),
		EventTime:           parseTime(string(rec.EventTime)),
		EventVersion:        rec.EventVersion,
		EventSource:         string(rec.EventSource),
		EventName:           string(rec.EventName),
		AWSRegion:           string(rec.AWSRegion),
		RecipientAccountID:  string(rec.RecipientAccountID),
		SourceIP:            string(rec.SourceIPAddress),
		UserAgent:           string(rec.UserAgent),
		ErrorCode:           string(rec.ErrorCode),
		ErrorMessage:        string(rec.ErrorMessage),
		ReadOnly:            rec.ReadOnly.ptr(),
		EventType:           string(rec.EventType),
		ManagementEvent:     rec.ManagementEvent.ptr(),
		EventCategory:       string(rec.EventCategory),
		RequestID:           string(rec.RequestID),
		SharedEventID:       string(rec.SharedEventID),
		VPCEndpointID:       string(rec.VPCEndpointID),
		RequestParameters:   jsonOrNil(rec.RequestParameters),
		ResponseElements:    jsonOrNil(rec.ResponseElements),
		Resources:           jsonOrNil(rec.Resources),
		AdditionalEventData: jsonOrNil(rec.AdditionalEventData),
		Record:              compact,
		SourceURI:           sourceURI,
	}
	if r.EventTime == nil {
		r.EventTime = parseTime(string(rec.Timestamp))
	}
	if id := rec.UserIdentity; id != nil {
		r.IdentityType = string(id.Type)
		r.PrincipalID = string(id.PrincipalID)
		r.PrincipalARN = string(id.ARN)
		r.IdentityAccountID = string(id.AccountID)
		r.AccessKeyID = string(id.AccessKeyID)
		r.UserName = string(id.UserName)
		r.InvokedBy = string(id.InvokedBy)
		if sc := id.SessionContext; sc != nil {
			if si := sc.SessionIssuer; si != nil {
				r.RoleARN = string(si.ARN)
				r.RoleName = string(si.UserName)
			}
			if a := sc.Attributes; a != nil {
				r.SessionCreatedAt = parseTime(string(a.CreationDate))
				r.MFAAuthenticated = a.MFAAuthenticated.ptr()
			}
			r.SourceIdentity = string(sc.SourceIdentity)
			r.EC2RoleDelivery = string(sc.EC2RoleDelivery)
		}
		if s, ok := ParseSessionARN(r.PrincipalARN); ok {
			r.SessionName = s.SessionName
			if r.RoleName == "" {
				r.RoleName = s.RoleName
			}
		}
	}
	if r.EventID == "" {
		sum := sha256.Sum256(compact)
		r.EventID = "ctattrib:" + hex.EncodeToString(sum[:16])
	}
	return r, nil
}

// needsCompact reports whether raw holds a newline, the sign of
// pretty-printed JSON worth compacting before it is stored.
func needsCompact(raw []byte) bool { return bytes.IndexByte(raw, '\n') >= 0 }

func jsonOrNil(b json.RawMessage) []byte {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}

// timeLayouts are the eventTime forms seen in the wild: CloudTrail's own,
// with fractions (Lake, re-shipped logs), Panther's normalised form, and
// the compact form of old creationDate values.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"20060102T150405Z",
}

// parseTime parses a CloudTrail time; nil when s is empty or unreadable
// (the event is kept, its time unknown).
func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// Session is an STS assumed-role session named by its ARN,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
type Session struct {
	Partition   string
	AccountID   string
	RoleName    string
	SessionName string
}

// ParseSessionARN parses an assumed-role session ARN in any partition
// (aws, aws-cn, aws-us-gov, ...). STS session names and role names never
// contain '/' (a role's path is not part of the session ARN), so the role is
// the part between the first and second '/' and the session the rest.
func ParseSessionARN(s string) (Session, bool) {
	if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":assumed-role/") {
		return Session{}, false
	}
	a, err := arn.Parse(s)
	if err != nil || a.Service != "sts" {
		return Session{}, false
	}
	rest, ok := strings.CutPrefix(a.Resource, "assumed-role/")
	if !ok {
		return Session{}, false
	}
	role, session, ok := strings.Cut(rest, "/")
	if !ok || role == "" || session == "" {
		return Session{}, false
	}
	return Session{Partition: a.Partition, AccountID: a.AccountID, RoleName: role, SessionName: session}, true
}
