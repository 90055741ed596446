// Package awsmanaged is the built-in set of AWS managed policies Latchkey
// serves under arn:aws:iam::aws:policy/...: the policies ListPolicies returns
// for Scope=AWS, that callers may attach but never create, version, tag or
// delete.
//
// It is data, copied from what AWS publishes: each policy's metadata sits in
// the table below, and the JSON document of its default version sits in
// documents/NAME.json, in the layout the AWS Managed Policy Reference Guide
// prints it, so that a file can be diffed against AWS's page. README.md names
// the source of every fact and the date it was checked. A policy belongs here
// only when its document is known exactly; none is written from memory.
package awsmanaged

import (
	_ "embed"
	"slices"
	"strings"
	"time"
)

// Policy is one AWS managed policy as Latchkey serves it.
type Policy struct {
	// Name, Path, ID and Description are exactly as AWS returns them from
	// GetPolicy: Path is "/" or a path such as "/job-function/", and ID is
	// the PolicyId ("ANPA" and 17 characters of [A-Z2-7]).
	Name, Path, ID, Description string
	// DefaultVersionID names the default version, whose document Document
	// is, such as "v5".
	DefaultVersionID string
	// CreateDate is when AWS created the policy; UpdateDate is when its
	// default version was created, as AWS reports them (UTC).
	CreateDate, UpdateDate time.Time
	// Document is the default version's JSON as AWS publishes it.
	Document string
}

// ARN is the policy's ARN: "arn:aws:iam::aws:policy" + Path + Name, with the
// case AWS uses (managed policy ARNs are matched case-sensitively).
func (p Policy) ARN() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// All returns every built-in policy, sorted by name. The slice is the
// caller's own: changing it changes nothing here.
func All() []Policy { return slices.Clone(catalog.all) }

// Get returns the policy whose ARN is exactly arn. The match is
// case-sensitive and literal, as AWS's is: no other spelling, partition or
// account finds a policy.
func Get(arn string) (Policy, bool) {
	p, ok := catalog.byARN[arn]
	return p, ok
}

// The documents, one file per policy. Embedding each file by name makes a
// missing one a build error rather than a startup failure.
var (
	//go:embed documents/AdministratorAccess.json
	administratorAccess string
	//go:embed documents/IAMAccessAdvisorReadOnly.json
	iamAccessAdvisorReadOnly string
	//go:embed documents/IAMFullAccess.json
	iamFullAccess string
	//go:embed documents/IAMReadOnlyAccess.json
	iamReadOnlyAccess string
	//go:embed documents/IAMSelfManageServiceSpecificCredentials.json
	iamSelfManageServiceSpecificCredentials string
	//go:embed documents/IAMUserChangePassword.json
	iamUserChangePassword string
	//go:embed documents/PowerUserAccess.json
	powerUserAccess string
)

// policies is the table. Every value is AWS's own; README.md says where
// each came from. Keep it sorted by name.
var policies = []Policy{
	{
		Name:             "AdministratorAccess",
		Path:             "/",
		ID:               "ANPAIWMBCKSKIEE64ZLYK",
		Description:      "Provides full access to AWS services and resources.",
		DefaultVersionID: "v1",
		CreateDate:       utc(2015, 2, 6, 18, 39, 46),
		UpdateDate:       utc(2015, 2, 6, 18, 39, 46),
		Document:         document(administratorAccess),
	},
	{
		Name:             "IAMAccessAdvisorReadOnly",
		Path:             "/",
		ID:               "ANPAZKAPJZG4FNDX5PG6Z",
		Description:      "This policy grants access to read all access information provided by IAM access advisor such as service last accessed information.",
		DefaultVersionID: "v1",
		CreateDate:       utc(2019, 6, 21, 19, 33, 45),
		UpdateDate:       utc(2019, 6, 21, 19, 33, 45),
		Document:         document(iamAccessAdvisorReadOnly),
	},
	{
		Name:             "IAMFullAccess",
		Path:             "/",
		ID:               "ANPAI7XKCFMBPM3QQRRVQ",
		Description:      "Provides full access to IAM via the AWS Management Console.",
		DefaultVersionID: "v2",
		CreateDate:       utc(2015, 2, 6, 18, 40, 38),
		UpdateDate:       utc(2019, 6, 21, 19, 40, 0),
		Document:         document(iamFullAccess),
	},
	{
		Name:             "IAMReadOnlyAccess",
		Path:             "/",
		ID:               "ANPAJKSO7NDY4T57MWDSQ",
		Description:      "Provides read only access to IAM via the AWS Management Console.",
		DefaultVersionID: "v4",
		CreateDate:       utc(2015, 2, 6, 18, 40, 39),
		UpdateDate:       utc(2018, 1, 25, 19, 11, 27),
		Document:         document(iamReadOnlyAccess),
	},
	{
		Name:             "IAMSelfManageServiceSpecificCredentials",
		Path:             "/",
		ID:               "ANPAI4VT74EMXK2PMQJM2",
		Description:      "Allows an IAM user to manage their own Service Specific Credentials.",
		DefaultVersionID: "v1",
		CreateDate:       utc(2016, 12, 22, 17, 25, 18),
		UpdateDate:       utc(2016, 12, 22, 17, 25, 18),
		Document:         document(iamSelfManageServiceSpecificCredentials),
	},
	{
		// v3, the newest version whose document AWS's reference guide was
		// found publishing; see README.md on a later v5.
		Name:             "IAMUserChangePassword",
		Path:             "/",
		ID:               "ANPAJ4L4MM2A7QIEB56MS",
		Description:      "Provides the ability for an IAM user to change their own password.",
		DefaultVersionID: "v3",
		CreateDate:       utc(2016, 11, 15, 0, 25, 16),
		UpdateDate:       utc(2025, 5, 29, 21, 52, 6),
		Document:         document(iamUserChangePassword),
	},
	{
		Name:             "PowerUserAccess",
		Path:             "/",
		ID:               "ANPAJYRXTHIB4FOVS3ZXS",
		Description:      "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
		DefaultVersionID: "v12",
		CreateDate:       utc(2015, 2, 6, 18, 39, 47),
		UpdateDate:       utc(2026, 2, 12, 17, 59, 14),
		Document:         document(powerUserAccess),
	},
}

// catalog is the table indexed once, at package initialisation.
var catalog = index(policies)

type indexed struct {
	all   []Policy
	byARN map[string]Policy
}

// index sorts the table by name and maps each ARN to its policy. Two
// policies with one ARN are a mistake in the table, so index panics rather
// than let one silently replace the other; the package's tests run it.
func index(ps []Policy) indexed {
	all := slices.Clone(ps)
	slices.SortFunc(all, func(a, b Policy) int { return strings.Compare(a.Name, b.Name) })
	byARN := make(map[string]Policy, len(all))
	for _, p := range all {
		arn := p.ARN()
		if _, dup := byARN[arn]; dup {
			panic("awsmanaged: two policies have the ARN " + arn)
		}
		byARN[arn] = p
	}
	return indexed{all: all, byARN: byARN}
}

// document is an embedded file's text without the newline that ends the
// file: the document is the JSON text alone.
func document(file string) string { return strings.TrimSuffix(file, "\n") }

func utc(year int, month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, 0, time.UTC)
}
