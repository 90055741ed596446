package policy

import (
	"strings"

	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// A resource pattern is "*" or a colon-separated string that IAM reads as an
// ARN, arn:partition:service:region:account:resource, whose components may
// hold the wildcards '*' and '?' (with six components or more, a wildcard
// does not span the colons between the first five; a shorter resource is
// one pattern). Resources match case-sensitively. In version 2012-10-17
// documents, policy variables (${aws:username}, ${aws:userid}, ${*}, ${?},
// ${$}, ${key, 'default'}) are substituted from the request context when
// evaluating: a variable the context does not hold makes the pattern match
// nothing, and a substituted value is always literal (a user named "a*"
// does not become a wildcard).
//
// AWS's rule for the text of a resource is not "an ARN with six
// components": IAM accepts "arn:aws:fdsasf" and "arn:aws:test%3Aencoded%3Astring"
// (two colons). It is the rule of moto's IAM policy validator, whose test
// documents were checked against AWS, in two steps (checkResource and
// legacyResource below); AWS's documentation says only that a resource is,
// "in most cases", an ARN (Grammar of the IAM JSON policy language,
// resource_string). Colons inside policy variables do not separate
// components, in either version of the language.

// partitions are the partitions AWS accepts in a resource, and "*".
// moto accepts only "aws" and "*"; LocalStack's fork of its validator
// accepts every AWS partition, as this list does.
var partitions = map[string]bool{
	"*": true, "aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true,
	"aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// iamResourceTypes are the resource parts an iam resource may start with.
var iamResourceTypes = []string{
	"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/",
	"policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/",
}

// s3RegionalTypes are the S3 resource types whose ARNs hold a region
// (arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point is accepted).
// LocalStack's validator knows accesspoint/; the others are S3's documented
// regional resource types, added so that valid policies are not refused.
var s3RegionalTypes = []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "access-grants/", "async-request/"}

// components splits a resource at its colons, those inside policy variables
// not counted.
func components(r string) []string {
	cuts := wildcard.Colons(r, true, -1)
	parts := make([]string, 0, len(cuts)+1)
	start := 0
	for _, c := range cuts {
		parts = append(parts, r[start:c])
		start = c + 1
	}
	return append(parts, r[start:])
}

// checkResource returns the message AWS refuses the format of resource r
// with, or "": "*"; otherwise at least one colon; a known partition second;
// something after the partition; for iam and s3, no region (except S3's
// regional resource types); for iam, a resource part IAM knows.
func checkResource(r string) (string, []any) {
	if r == "*" {
		return "", nil
	}
	parts := components(r)
	switch {
	case len(parts) == 1:
		return msgResource, []any{r}
	case !partitions[parts[1]]:
		rest := parts[2:]
		if len(rest) == 0 {
			rest = []string{""}
		}
		shown := [4]string{"*", "*", "*", "*"}
		if rest[0] != "" || len(rest) > 1 {
			shown[0] = rest[0]
		}
		for i := 1; i < 3 && i < len(rest); i++ {
			shown[i] = rest[i]
		}
		if len(rest) > 3 {
			shown[3] = strings.Join(rest[3:], ":")
		}
		return msgPartition, []any{parts[1], parts[1], shown[0], shown[1], shown[2], shown[3]}
	case len(parts) == 2:
		return msgVendorQualified, nil
	}
	service := parts[2]
	// A region is anything but an empty fourth component followed by a
	// fifth: "arn:aws:s3" and "arn:aws:s3:" count as having one.
	regionFree := len(parts) >= 5 && parts[3] == ""
	resource := ""
	if len(parts) > 5 {
		resource = strings.Join(parts[5:], ":")
	}
	switch service {
	case "iam":
		if !regionFree {
			return msgIAMRegion, []any{r}
		}
		if !iamResourcePart(resource) {
			return msgIAMPath, nil
		}
	case "s3":
		if !regionFree && !startsWithAny(resource, s3RegionalTypes) {
			return msgS3Region, []any{r}
		}
	}
	return "", nil
}

// iamResourcePart reports whether an iam resource part is "*", "root" or
// starts with one of IAM's resource types. Deviation: a part with a
// wildcard or a variable is accepted when its text before the first one
// could begin such a part ("user*", "*", "${aws:username}"); AWS's rule
// for those is not known, and stored policies may hold them.
func iamResourcePart(p string) bool {
	if p == "*" || p == "root" || startsWithAny(p, iamResourceTypes) {
		return true
	}
	literal := p
	if i := strings.IndexAny(p, "*?"); i >= 0 {
		literal = p[:i]
	} else if i := strings.Index(p, "${"); i >= 0 {
		literal = p[:i]
	} else {
		return false
	}
	for _, t := range append(iamResourceTypes, "root") {
		if strings.HasPrefix(t, literal) {
			return true
		}
	}
	return false
}

func startsWithAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// legacyResource reports whether resource r passes AWS's legacy parser:
// "*", or a resource with five colons or more or else no "::", whose third
// component (the service) is not empty. "arn:aws:s3::example_bucket",
// "arn:aws::fdsasf" and "arn:aws::::example_bucket" fail it.
func legacyResource(r string) bool {
	if r == "*" {
		return true
	}
	parts := components(r)
	doubleColon := false
	for i := 1; i < len(parts)-1; i++ {
		if parts[i] == "" {
			doubleColon = true
		}
	}
	return (len(parts) > 5 || !doubleColon) && len(parts) > 2 && parts[2] != ""
}

// compileResources compiles valid resource patterns.
func compileResources(resources []string, variables bool) []wildcard.ARN {
	patterns := make([]wildcard.ARN, len(resources))
	for i, r := range resources {
		patterns[i], _ = wildcard.CompileARN(r, variables)
	}
	return patterns
}

// matchResource reports whether resource matches any of patterns.
func matchResource(patterns []wildcard.ARN, resource string, ctx map[string][]string) bool {
	for _, p := range patterns {
		if p.Match(resource, ctx) {
			return true
		}
	}
	return false
}
