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
