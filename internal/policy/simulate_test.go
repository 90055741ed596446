package policy

import (
	"slices"
	"strings"
	"testing"
)

// awsSimulateExample is the policy of the AWS CLI reference's
// simulate-custom-policy Example 1, character for character.
const awsSimulateExample = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

// TestPositionAWSExample reproduces the AWS CLI reference's
// simulate-custom-policy Example 1: dynamodb:CreateBackup with
// aws:CurrentTime 2019-04-25T11:00:00Z is allowed, the matched statement
// at StartPosition {Line 1, Column 38}, EndPosition {Line 1, Column 167};
// with 2014-04-25T11:00:00Z it is an implicit deny matching nothing.
func TestPositionAWSExample(t *testing.T) {
	p := mustParse(t, awsSimulateExample)
	allowed := Request{Action: "dynamodb:CreateBackup", Resource: "*", Context: ctx("aws:CurrentTime", "2019-04-25T11:00:00Z")}
	if got := p.Matching(allowed); !slices.Equal(got, []int{0}) {
		t.Fatalf("Matching = %v, want [0]", got)
	}
	if d := Evaluate([]*Policy{p}, allowed); d != Allow {
		t.Errorf("Evaluate = %v, want Allow", d)
	}
	s := p.Statements[0]
	if want := (Position{Line: 1, Column: 38}); s.Start != want {
		t.Errorf("Start = %+v, want %+v", s.Start, want)
	}
	if want := (Position{Line: 1, Column: 167}); s.End != want {
		t.Errorf("End = %+v, want %+v", s.End, want)
	}
	denied := Request{Action: "dynamodb:CreateBackup", Resource: "*", Context: ctx("aws:CurrentTime", "2014-04-25T11:00:00Z")}
	if got := p.Matching(denied); len(got) != 0 {
		t.Errorf("Matching = %v, want none", got)
	}
	if d := Evaluate([]*Policy{p}, denied); d != NoDecision {
		t.Errorf("Evaluate = %v, want NoDecision", d)
	}
}

func TestPositions(t *testing.T) {
	// Two statements over several lines; the second's resource holds a
	// Latin-1 character (one column, two bytes) and one outside the BMP
	// (two columns, as UTF-16 counts it, four bytes). Expected values were
	// computed by counting UTF-16 units, not by this package.
	lines := []string{
		`{`,
		`  "Version": "2012-10-17",`,
		`  "Statement": [`,
		`    {"Effect": "Allow", "Action": "*", "Resource": "*"},`,
		`    {`,
		`      "Effect": "Deny",`,
		`      "Action": "iam:*",`,
		"      \"Resource\": \"arn:aws:s3:::caf\u00e9-\U0001D11E\"",
		`    }`,
		`  ]`,
		`}`,
	}
	want := [][2]Position{{{4, 6}, {4, 56}}, {{5, 6}, {9, 6}}}
	tests := []struct {
		name string
		doc  string
		want [][2]Position
	}{
		{"LF", strings.Join(lines, "\n") + "\n", want},
		{"CRLF is one line break", strings.Join(lines, "\r\n") + "\r\n", want},
		{"CR is a line break", strings.Join(lines, "\r"), want},
		{"single statement object", "{\"Statement\":\n\t{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", [][2]Position{{{2, 3}, {2, 48}}}},
		{"first character", `{"Effect":"Allow","Action":"*","Resource":"*"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil {
				// A statement is never the document itself.
				if _, err := Parse(tt.doc); err == nil {
					t.Fatal("a bare statement parsed as a policy")
				}
				return
			}
			p := mustParse(t, tt.doc)
			if len(p.Statements) != len(tt.want) {
				t.Fatalf("%d statements, want %d", len(p.Statements), len(tt.want))
			}
			for i, s := range p.Statements {
				if s.Start != tt.want[i][0] || s.End != tt.want[i][1] {
					t.Errorf("statement %d at %+v-%+v, want %+v-%+v", i, s.Start, s.End, tt.want[i][0], tt.want[i][1])
				}
			}
		})
	}
}

// TestMatchingAgreesWithEvaluate: over every accepted document and a set of
// requests, Evaluate's decision is the one Matching implies (any matching
// Deny, Deny; else any matching Allow, Allow; else NoDecision), for each
// policy alone and for all of them together.
func TestMatchingAgreesWithEvaluate(t *testing.T) {
	docs := corpus(t, "accepted")
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	slices.Sort(names)
	policies := make([]*Policy, len(names))
	for i, name := range names {
		policies[i] = mustParse(t, docs[name])
	}
	actions := []string{"iam:GetUser", "iam:CreateAccessKey", "iam:DeleteUser", "IAM:listusers", "s3:GetObject", "s3:ListBucket",
		"ec2:DescribeInstances", "ec2:RunInstances", "dynamodb:CreateBackup", "sts:GetCallerIdentity", "test:GetString", "iam:TagUser", "iam:PassRole"}
	resources := []string{"*", alice, bob, "arn:aws:s3:::bucket-name", "arn:aws:s3:::bucket-name/alice/f", "arn:aws:s3:::mybucket/${aws:username}/f",
		"arn:aws:s3:::HRBucket/Payroll/x", "arn:aws:test%3Aencoded%3Astring", "arn:aws:iam::123456789012:role/service-role/r", "arn:aws:s3:::example_bucket"}
	contexts := []map[string][]string{
		nil,
		ctx("aws:username", "alice", "aws:MultiFactorAuthPresent", "true", "aws:SourceIp", "203.0.113.5", "aws:ViaAWSService", "false",
			"aws:CurrentTime", "2020-05-01T12:00:00Z", "aws:MultiFactorAuthAge", "10", "s3:prefix", "alice/x", "aws:TagKeys", "Department"),
		ctx("aws:username", "bob", "aws:MultiFactorAuthPresent", "false", "aws:SourceIp", "198.51.100.1", "aws:ViaAWSService", "false",
			"aws:CurrentTime", "2031-01-01T00:00:00Z", "aws:MultiFactorAuthAge", "7200", "iam:PassedToService", "ec2.amazonaws.com",
			"aws:PrincipalArn", "arn:aws:iam::123456789012:user/deploy/x", "aws:TagKeys", "Owner", "aws:TagKeys", "CostCenter"),
	}
	implied := func(ps []*Policy, req Request) Decision {
		d := NoDecision
		for _, p := range ps {
			for _, i := range p.Matching(req) {
				if p.Statements[i].Effect == EffectDeny {
					return Deny
				}
				d = Allow
			}
		}
		return d
	}
	checked, decided := 0, map[Decision]int{}
	for _, a := range actions {
		for _, r := range resources {
			for _, c := range contexts {
				req := Request{Action: a, Resource: r, Context: c}
				for i, p := range policies {
					if got, want := Evaluate([]*Policy{p}, req), implied([]*Policy{p}, req); got != want {
						t.Errorf("%s: Evaluate(%+v) = %v, Matching implies %v", names[i], req, got, want)
					}
				}
				got, want := Evaluate(policies, req), implied(policies, req)
				if got != want {
					t.Errorf("all policies: Evaluate(%+v) = %v, Matching implies %v", req, got, want)
				}
				checked++
				decided[got]++
			}
		}
	}
	// Refuse to pass vacuously: over all the policies together, some
	// requests must be allowed and some denied.
	for _, d := range []Decision{Allow, Deny} {
		if decided[d] == 0 {
			t.Errorf("no request over all policies was decided %v (%d requests)", d, checked)
		}
	}
}

func TestMatching(t *testing.T) {
	p := mustParse(t, testdataDoc(t, "mfa-self-manage-deny-unless-mfa"))
	tests := []struct {
		name string
		req  Request
		want []int
	}{
		{"allow and deny both listed", Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice")}, []int{2, 5}},
		{"allow only, with MFA", Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice", "aws:MultiFactorAuthPresent", "true")}, []int{2}},
		{"NotAction exempts", Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:username", "alice")}, []int{1}},
		{"deny only", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, []int{5}},
		{"nothing", Request{Action: "iam:GetUser", Resource: bob, Context: ctx("aws:username", "alice", "aws:MultiFactorAuthPresent", "true")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Matching(tt.req); !slices.Equal(got, tt.want) {
				t.Errorf("Matching = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContextKeys(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		// The AWS CLI reference's get-context-keys-for-custom-policy example.
		{"AWS example", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`,
			[]string{"aws:username", "aws:CurrentTime"}},
		{"document order, condition before resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"true"}},"Resource":"arn:aws:s3:::b/${aws:userid}"}}`,
			[]string{"aws:SecureTransport", "aws:userid"}},
		{"once each, first spelling, across statements", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/${AWS:UserName}"},
			{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:USERNAME":"x"},"Null":{"aws:TokenIssueTime":"true"}}}]}`,
			[]string{"aws:username", "aws:TokenIssueTime"}},
		{"variables in string and ARN condition values", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:DeleteRole","Resource":"*","Condition":{
			"StringEquals":{"iam:ResourceTag/product":"${aws:PrincipalTag/product}"},
			"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:${aws:PrincipalAccount}:t"},
			"NumericLessThan":{"aws:MultiFactorAuthAge":"1"}}}}`,
			[]string{"iam:ResourceTag/product", "aws:PrincipalTag/product", "aws:SourceArn", "aws:PrincipalAccount", "aws:MultiFactorAuthAge"}},
		{"default value and escapes", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'all'}/${*}${?}${$}"}}`,
			[]string{"aws:PrincipalTag/team"}},
		{"2008-10-17: variables are text", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}","Condition":{"StringLike":{"s3:prefix":"${aws:userid}"}}}}`,
			[]string{"s3:prefix"}},
		{"no Version: variables are text", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`, nil},
		{"empty operator blocks read nothing", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"x":{},"DateGreaterThan":{}}}}`, nil},
		{"a key with no values is read", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"a":[]}}}}`, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustParse(t, tt.doc).ContextKeys(); !slices.Equal(got, tt.want) {
				t.Errorf("ContextKeys = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEvaluateDoesNotAllocate: the hot path stays allocation-free, for
// each of the benchmark's requests.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	policies, requests := benchmarkSetup(t)
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, func() { Evaluate(policies, r.req) }); n != 0 {
				t.Errorf("Evaluate: %v allocations", n)
			}
		})
	}
}
