// Package e2e holds the end-to-end tests: each starts the real latchkey
// binary on a free loopback port and drives it with real clients
// (aws-sdk-go-v2, the AWS CLI, boto3).
package e2e
