package iam

import (
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Timestamp renders as AWS renders IAM dates: ISO 8601 in UTC to the second.
type Timestamp time.Time

// MarshalText implements encoding.TextMarshaler.
func (t Timestamp) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

// TimestampPtr is nil for a zero time, so the element is omitted.
func TimestampPtr(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := Timestamp(t)
	return &ts
}

// XMLTag is the Tag shape.
type XMLTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// XMLUser is the User shape, members in the service model's order.
type XMLUser struct {
	Path       string           `xml:"Path,omitempty"`
	UserName   string           `xml:"UserName,omitempty"`
	UserID     string           `xml:"UserId"`
	Arn        string           `xml:"Arn"`
	CreateDate *Timestamp       `xml:"CreateDate"`
	Tags       *Members[XMLTag] `xml:"Tags,omitempty"` // nil: no element, as ListUsers and the root's GetUser
}

// XMLAccessKey is the AccessKey shape (CreateAccessKey only: it carries the secret).
type XMLAccessKey struct {
	UserName        string     `xml:"UserName,omitempty"`
	AccessKeyID     string     `xml:"AccessKeyId"`
	Status          string     `xml:"Status"`
	SecretAccessKey string     `xml:"SecretAccessKey"`
	CreateDate      *Timestamp `xml:"CreateDate"`
}

// XMLAccessKeyMetadata is the AccessKeyMetadata shape: never a secret.
type XMLAccessKeyMetadata struct {
	UserName    string     `xml:"UserName,omitempty"`
	AccessKeyID string     `xml:"AccessKeyId"`
	Status      string     `xml:"Status"`
	CreateDate  *Timestamp `xml:"CreateDate"`
}

type createUserResult struct {
	User XMLUser `xml:"User"`
}

type getUserResult struct {
	User XMLUser `xml:"User"`
}

type listUsersResult struct {
	Users       Members[XMLUser] `xml:"Users"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

type listUserTagsResult struct {
	Tags        Members[XMLTag] `xml:"Tags"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

type createAccessKeyResult struct {
	AccessKey XMLAccessKey `xml:"AccessKey"`
}

type listAccessKeysResult struct {
	AccessKeyMetadata Members[XMLAccessKeyMetadata] `xml:"AccessKeyMetadata"`
	IsTruncated       bool                          `xml:"IsTruncated"`
	Marker            string                        `xml:"Marker,omitempty"`
}

type accessKeyLastUsed struct {
	LastUsedDate *Timestamp `xml:"LastUsedDate,omitempty"`
	ServiceName  string     `xml:"ServiceName"`
	Region       string     `xml:"Region"`
}

type getAccessKeyLastUsedResult struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed accessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

type getUserPolicyResult struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type listUserPoliciesResult struct {
	PolicyNames Members[string] `xml:"PolicyNames"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

func xmlTags(tags []store.Tag) []XMLTag {
	out := make([]XMLTag, len(tags))
	for i, t := range tags {
		out[i] = XMLTag{Key: t.Key, Value: t.Value}
	}
	return out
}
