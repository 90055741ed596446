package policy

import "testing"

// BenchmarkEvaluate evaluates a user's typical set of policies: the
// Terraform seed, self-service keys (a policy variable), deny-unless-MFA
// (NotAction, BoolIfExists, 6 statements), an IP restriction (NotIpAddress,
// Bool) and an S3 home folder (StringLike with a variable).
func BenchmarkEvaluate(b *testing.B) {
	policies, requests := benchmarkSetup(b)
	for _, tt := range requests {
		b.Run(tt.name, func(b *testing.B) {
			if got := Evaluate(policies, tt.req); got != tt.want {
				b.Fatalf("Evaluate = %v, want %v", got, tt.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(policies, tt.req)
			}
		})
	}
}

type benchRequest struct {
	name string
	req  Request
	want Decision
}

// benchmarkSetup returns the benchmark's policies and requests (also used
// by TestEvaluateDoesNotAllocate).
func benchmarkSetup(tb testing.TB) ([]*Policy, []benchRequest) {
	tb.Helper()
	var policies []*Policy
	for _, name := range []string{
		"terraform-seed-ec2-describe",
		"self-service-access-keys",
		"mfa-self-manage-deny-unless-mfa",
		"deny-by-source-ip",
		"s3-home-folder",
	} {
		policies = append(policies, mustParse(tb, testdataDoc(tb, name)))
	}
	context := map[string][]string{
		"aws:username":               {"alice"},
		"aws:userid":                 {"AIDAEXAMPLE"},
		"aws:PrincipalArn":           {"arn:aws:iam::123456789012:user/alice"},
		"aws:CurrentTime":            {"2025-06-01T12:00:00Z"},
		"aws:SourceIp":               {"203.0.113.10"},
		"aws:ViaAWSService":          {"false"},
		"aws:MultiFactorAuthPresent": {"true"},
	}
	return policies, []benchRequest{
		{"allow via variable", Request{Action: "iam:CreateAccessKey", Resource: "arn:aws:iam::123456789012:user/alice", Context: context}, Allow},
		{"allow via wildcard", Request{Action: "ec2:DescribeInstances", Resource: "*", Context: context}, Allow},
		{"implicit deny", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/bob", Context: context}, NoDecision},
		{"explicit deny", Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/bob", Context: map[string][]string{
			"aws:username": {"alice"}, "aws:SourceIp": {"198.51.100.1"}, "aws:ViaAWSService": {"false"},
		}}, Deny},
	}
}

// BenchmarkParse measures what storing a policy costs.
func BenchmarkParse(b *testing.B) {
	doc := testdataDoc(b, "mfa-self-manage-deny-unless-mfa")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
