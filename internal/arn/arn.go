// Package arn builds the Amazon Resource Names Latchkey hands out, formatted
// exactly as AWS formats them, and takes apart the ones it is given.
package arn

import "strings"

// Root is the ARN of an account's root identity.
func Root(account string) string { return "arn:aws:iam::" + account + ":root" }

// User is the ARN of a user: the path sits between "user" and the name.
func User(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":user" + path + name
}

// Group is the ARN of a group: the path sits between "group" and the name.
func Group(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":group" + path + name
}

// Policy is the ARN of a customer managed policy.
func Policy(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":policy" + path + name
}

// AWSAccount is the account of AWS managed policies' ARNs
// (arn:aws:iam::aws:policy/…).
const AWSAccount = "aws"

// IsAWSManagedPolicy reports whether a policy ARN names an AWS managed
// policy rather than one of an account's.
func IsAWSManagedPolicy(policyARN string) bool {
	return len(policyARN) > len(awsPolicyPrefix) && strings.HasPrefix(policyARN, awsPolicyPrefix)
}

const awsPolicyPrefix = "arn:aws:iam::aws:policy/"

// ParsePolicy splits a managed policy ARN into its account, path and name
// ("arn:aws:iam::123456789012:policy/team/Name" is 123456789012, "/team/",
// "Name"); ok is false when policyARN is not a policy ARN.
func ParsePolicy(policyARN string) (account, path, name string, ok bool) {
	return parseIAM(policyARN, "policy")
}

// ParseRole splits a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) as
// ParsePolicy splits a policy's.
func ParseRole(roleARN string) (account, path, name string, ok bool) {
	return parseIAM(roleARN, "role")
}

// ParseEntity splits the ARN of an IAM user, group or role into its kind
// ("user", "group", "role"), account, path and name.
func ParseEntity(a string) (kind, account, path, name string, ok bool) {
	for _, kind := range []string{"user", "group", "role"} {
		if account, path, name, ok := parseIAM(a, kind); ok {
			return kind, account, path, name, true
		}
	}
	return "", "", "", "", false
}

// parseIAM splits arn:aws:iam::ACCOUNT:KIND/PATH/NAME; the path keeps its
// slashes ("/" when there is none) and the name may not be empty.
func parseIAM(a, kind string) (account, path, name string, ok bool) {
	rest, ok := strings.CutPrefix(a, "arn:aws:iam::")
	if !ok {
		return "", "", "", false
	}
	account, rest, ok = strings.Cut(rest, ":"+kind+"/")
	if !ok || account == "" || strings.Contains(account, ":") {
		return "", "", "", false
	}
	i := strings.LastIndex(rest, "/")
	path, name = "/"+rest[:i+1], rest[i+1:]
	if name == "" {
		return "", "", "", false
	}
	return account, path, name, true
}

// Account is the account of any ARN (its fifth field), when it is an
// account id.
func Account(a string) (string, bool) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !IsAccountID(parts[4]) {
		return "", false
	}
	return parts[4], true
}

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Role is the ARN of a role.
func Role(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":role" + path + name
}

// InstanceProfile is the ARN of an instance profile.
func InstanceProfile(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":instance-profile" + path + name
}

// OIDCProvider is the ARN of an OpenID Connect provider: its URL without
// the scheme (host, port and path) follows "oidc-provider/".
func OIDCProvider(account, url string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + url
}

// ParseOIDCProvider splits arn:aws:iam::ACCOUNT:oidc-provider/URL into its
// account and URL (everything after "oidc-provider/", slashes and colons
// included); ok is false for any other ARN, or an empty URL.
func ParseOIDCProvider(a string) (account, url string, ok bool) {
	rest, ok := strings.CutPrefix(a, "arn:aws:iam::")
	if !ok {
		return "", "", false
	}
	account, url, ok = strings.Cut(rest, ":oidc-provider/")
	if !ok || !IsAccountID(account) || url == "" {
		return "", "", false
	}
	return account, url, true
}
