// Package arn builds the Amazon Resource Names Latchkey hands out, formatted
// exactly as AWS formats them.
package arn

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
	return len(policyARN) > len(awsPolicyPrefix) && policyARN[:len(awsPolicyPrefix)] == awsPolicyPrefix
}

const awsPolicyPrefix = "arn:aws:iam::aws:policy/"

// ParsePolicy splits a managed policy ARN into its account, path and name
// ("arn:aws:iam::123456789012:policy/team/Name" is 123456789012, "/team/",
// "Name"); ok is false when policyARN is not a policy ARN.
func ParsePolicy(policyARN string) (account, path, name string, ok bool) {
	const prefix = "arn:aws:iam::"
	if len(policyARN) <= len(prefix) || policyARN[:len(prefix)] != prefix {
		return "", "", "", false
	}
	rest := policyARN[len(prefix):]
	colon := -1
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			colon = i
			break
		}
	}
	if colon <= 0 {
		return "", "", "", false
	}
	account, rest = rest[:colon], rest[colon+1:]
	const kind = "policy/"
	if len(rest) <= len(kind) || rest[:len(kind)] != kind {
		return "", "", "", false
	}
	rest = rest[len(kind)-1:] // keep the path's leading '/'
	last := 0
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			last = i
		}
	}
	path, name = rest[:last+1], rest[last+1:]
	if name == "" {
		return "", "", "", false
	}
	return account, path, name, true
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
