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
	Path       string     `xml:"Path,omitempty"`
	UserName   string     `xml:"UserName,omitempty"`
	UserID     string     `xml:"UserId"`
	Arn        string     `xml:"Arn"`
	CreateDate *Timestamp `xml:"CreateDate"`
	// PasswordLastUsed: the last console sign-in with the user's
	// password, absent when it never signed in.
	PasswordLastUsed *Timestamp `xml:"PasswordLastUsed,omitempty"`
	// PermissionsBoundary is shown by GetUser and CreateUser, not by
	// listings.
	PermissionsBoundary *XMLAttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                *Members[XMLTag]                `xml:"Tags,omitempty"` // nil: no element, as ListUsers and the root's GetUser
}

// XMLAttachedPermissionsBoundary is the AttachedPermissionsBoundary shape.
type XMLAttachedPermissionsBoundary struct {
	Type string `xml:"PermissionsBoundaryType"`
	Arn  string `xml:"PermissionsBoundaryArn"`
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

type getGroupPolicyResult struct {
	GroupName      string `xml:"GroupName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type listPolicyNamesResult struct {
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

// XMLGroup is the Group shape.
type XMLGroup struct {
	Path       string     `xml:"Path"`
	GroupName  string     `xml:"GroupName"`
	GroupID    string     `xml:"GroupId"`
	Arn        string     `xml:"Arn"`
	CreateDate *Timestamp `xml:"CreateDate"`
}

type createGroupResult struct {
	Group XMLGroup `xml:"Group"`
}

type getGroupResult struct {
	Group       XMLGroup         `xml:"Group"`
	Users       Members[XMLUser] `xml:"Users"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

type listGroupsResult struct {
	Groups      Members[XMLGroup] `xml:"Groups"`
	IsTruncated bool              `xml:"IsTruncated"`
	Marker      string            `xml:"Marker,omitempty"`
}

// XMLPolicy is the Policy shape, members in the model's order.
type XMLPolicy struct {
	PolicyName                    string           `xml:"PolicyName"`
	PolicyID                      string           `xml:"PolicyId"`
	Arn                           string           `xml:"Arn"`
	Path                          string           `xml:"Path"`
	DefaultVersionID              string           `xml:"DefaultVersionId"`
	AttachmentCount               int              `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int              `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool             `xml:"IsAttachable"`
	Description                   string           `xml:"Description,omitempty"`
	CreateDate                    *Timestamp       `xml:"CreateDate"`
	UpdateDate                    *Timestamp       `xml:"UpdateDate"`
	Tags                          *Members[XMLTag] `xml:"Tags,omitempty"`
}

type policyResult struct {
	Policy XMLPolicy `xml:"Policy"`
}

type listPoliciesResult struct {
	Policies    Members[XMLPolicy] `xml:"Policies"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

// XMLPolicyVersion is the PolicyVersion shape.
type XMLPolicyVersion struct {
	Document         string     `xml:"Document,omitempty"`
	VersionID        string     `xml:"VersionId"`
	IsDefaultVersion bool       `xml:"IsDefaultVersion"`
	CreateDate       *Timestamp `xml:"CreateDate"`
}

type policyVersionResult struct {
	PolicyVersion XMLPolicyVersion `xml:"PolicyVersion"`
}

type listPolicyVersionsResult struct {
	Versions    Members[XMLPolicyVersion] `xml:"Versions"`
	IsTruncated bool                      `xml:"IsTruncated"`
	Marker      string                    `xml:"Marker,omitempty"`
}

// XMLAttachedPolicy is the AttachedPolicy shape.
type XMLAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedPoliciesResult struct {
	AttachedPolicies Members[XMLAttachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                       `xml:"IsTruncated"`
	Marker           string                     `xml:"Marker,omitempty"`
}

type xmlPolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}

type xmlPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

type xmlPolicyUser struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}

type listEntitiesForPolicyResult struct {
	PolicyGroups Members[xmlPolicyGroup] `xml:"PolicyGroups"`
	PolicyUsers  Members[xmlPolicyUser]  `xml:"PolicyUsers"`
	PolicyRoles  Members[xmlPolicyRole]  `xml:"PolicyRoles"`
	IsTruncated  bool                    `xml:"IsTruncated"`
	Marker       string                  `xml:"Marker,omitempty"`
}

type listPolicyTagsResult struct {
	Tags        Members[XMLTag] `xml:"Tags"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}
