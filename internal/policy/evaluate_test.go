package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// ctx builds a request context from key, value pairs.
func ctx(kv ...string) map[string][]string {
	m := make(map[string][]string)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func parseAll(t testing.TB, docs ...string) []*Policy {
	t.Helper()
	ps := make([]*Policy, len(docs))
	for i, d := range docs {
		ps[i] = mustParse(t, d)
	}
	return ps
}

func testdataDoc(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "accepted", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	allowAll     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	denyDelete   = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}}`
	allowGetUser = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/alice"}}`
	alice        = "arn:aws:iam::123456789012:user/alice"
	bob          = "arn:aws:iam::123456789012:user/bob"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name     string
		policies []string // documents, or "@name" for testdata/accepted/name.json
		req      Request
		want     Decision
	}{
		// The three outcomes and their precedence.
		{"no policies is an implicit deny", nil, Request{Action: "iam:GetUser", Resource: alice}, NoDecision},
		{"allow", []string{allowGetUser}, Request{Action: "iam:GetUser", Resource: alice}, Allow},
		{"no matching allow", []string{allowGetUser}, Request{Action: "iam:GetUser", Resource: bob}, NoDecision},
		{"explicit deny wins over allow", []string{allowAll, denyDelete}, Request{Action: "iam:DeleteUser", Resource: alice}, Deny},
		{"explicit deny wins whatever the order", []string{denyDelete, allowAll}, Request{Action: "iam:DeleteUser", Resource: alice}, Deny},
		{"deny alone is a deny", []string{denyDelete}, Request{Action: "iam:DeleteUser", Resource: alice}, Deny},
		{"deny that does not apply", []string{allowAll, denyDelete}, Request{Action: "iam:CreateUser", Resource: alice}, Allow},
		{"deny in a later statement of one policy", []string{`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"iam:*","Resource":"*"},
			{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}]}`}, Request{Action: "iam:CreateAccessKey", Resource: alice}, Deny},

		// Actions: wildcards, case-insensitive.
		{"seed: ec2:Describe* allows DescribeInstances", []string{"@terraform-seed-ec2-describe"}, Request{Action: "ec2:DescribeInstances", Resource: "*"}, Allow},
		{"seed: ec2:Describe* on an ARN", []string{"@terraform-seed-ec2-describe"}, Request{Action: "ec2:DescribeVpcs", Resource: "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"}, Allow},
		{"seed: not RunInstances", []string{"@terraform-seed-ec2-describe"}, Request{Action: "ec2:RunInstances", Resource: "*"}, NoDecision},
		{"seed: not another service", []string{"@terraform-seed-ec2-describe"}, Request{Action: "iam:DescribeUser", Resource: "*"}, NoDecision},
		{"action case-insensitive in request", []string{allowGetUser}, Request{Action: "IAM:getuser", Resource: alice}, Allow},
		{"action case-insensitive in policy", []string{`{"Statement":{"Effect":"Allow","Action":"IAM:GETUSER","Resource":"*"}}`}, Request{Action: "iam:GetUser", Resource: alice}, Allow},
		{"action ? wildcard", []string{`{"Statement":{"Effect":"Allow","Action":"iam:?etUser","Resource":"*"}}`}, Request{Action: "iam:GetUser", Resource: alice}, Allow},
		{"action ? is exactly one character", []string{`{"Statement":{"Effect":"Allow","Action":"iam:?etUser","Resource":"*"}}`}, Request{Action: "iam:GGetUser", Resource: alice}, NoDecision},
		{"action is whole-string", []string{`{"Statement":{"Effect":"Allow","Action":"iam:Get","Resource":"*"}}`}, Request{Action: "iam:GetUser", Resource: alice}, NoDecision},
		{"action wildcard vendor", []string{`{"Statement":{"Effect":"Allow","Action":"*:Get*","Resource":"*"}}`}, Request{Action: "iam:GetUser", Resource: alice}, Allow},

		// NotAction.
		{"NotAction allows what it does not list", []string{"@not-action-all-but-iam"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Allow},
		{"NotAction does not allow what it lists", []string{"@not-action-all-but-iam"}, Request{Action: "iam:CreateUser", Resource: alice}, NoDecision},
		{"NotAction listed case-insensitively", []string{"@not-action-all-but-iam"}, Request{Action: "IAM:CreateUser", Resource: alice}, NoDecision},

		// Resources: wildcards per component, case-sensitive.
		{"resource case-sensitive", []string{allowGetUser}, Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/Alice"}, NoDecision},
		{"resource wildcard", []string{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/*"}}`}, Request{Action: "iam:GetUser", Resource: bob}, Allow},
		{"resource wildcard not another type", []string{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/*"}}`}, Request{Action: "iam:GetRole", Resource: "arn:aws:iam::123456789012:role/r"}, NoDecision},
		{"resource ? wildcard", []string{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:user/b?b"}}`}, Request{Action: "iam:GetUser", Resource: bob}, Allow},
		{"resource wildcard does not span components", []string{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:*:::b"}}`}, Request{Action: "iam:GetUser", Resource: "arn:aws:s3:x:::b"}, NoDecision},
		{"last component keeps its colons", []string{`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}}`}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/dir:with:colons"}, Allow},
		{"resource path wildcard", []string{`{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:user/division_abc/*"}}`}, Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/alice"}, Allow},
		{"star resource matches a non-ARN resource", []string{allowAll}, Request{Action: "iam:ListUsers", Resource: "*"}, Allow},
		{"ARN resource does not match star", []string{allowGetUser}, Request{Action: "iam:GetUser", Resource: "*"}, NoDecision},

		// NotResource.
		{"NotResource deny elsewhere", []string{allowAll, "@not-resource-deny-outside-payroll"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::Other/x"}, Deny},
		{"NotResource listed", []string{allowAll, "@not-resource-deny-outside-payroll"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::HRBucket/Payroll/2024.csv"}, Allow},
		{"NotResource other action", []string{allowAll, "@not-resource-deny-outside-payroll"}, Request{Action: "iam:GetUser", Resource: alice}, Allow},

		// Policy variables.
		{"${aws:username} own key", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice")}, Allow},
		{"${aws:username} someone else's key", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: bob, Context: ctx("aws:username", "alice")}, NoDecision},
		{"${aws:username} absent from the context", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: alice}, NoDecision},
		{"variable key case-insensitive", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("AWS:UserName", "alice")}, Allow},
		{"variable value is literal, not a wildcard", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: bob, Context: ctx("aws:username", "*")}, NoDecision},
		{"variable value ? is literal", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: bob, Context: ctx("aws:username", "b?b")}, NoDecision},
		{"multivalued key is no variable", []string{"@self-service-access-keys"}, Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice", "aws:username", "alice")}, NoDecision},
		{"variables are literal in 2008-10-17", []string{"@version-2008-with-id"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::mybucket/alice/f", Context: ctx("aws:username", "alice")}, NoDecision},
		{"2008-10-17 literal text matches", []string{"@version-2008-with-id"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::mybucket/${aws:username}/f"}, Allow},
		{"${*} ${?} ${$} are literal characters", []string{"@empty-condition-and-mixed-case-action"}, Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/*?$"}, Allow},
		{"${*} is not a wildcard", []string{"@empty-condition-and-mixed-case-action"}, Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/xy$"}, NoDecision},
		{"variable default used", []string{"@variable-with-default"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-bucket/company-wide/a"}, Allow},
		{"variable default overridden", []string{"@variable-with-default"}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-bucket/ops/a", Context: ctx("aws:PrincipalTag/team", "ops")}, Allow},
		{"variable in StringLike condition", []string{"@s3-home-folder"}, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket-name", Context: ctx("aws:username", "alice", "s3:prefix", "alice/photos")}, Allow},
		{"variable in StringLike condition, other prefix", []string{"@s3-home-folder"}, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::bucket-name", Context: ctx("aws:username", "alice", "s3:prefix", "bob/photos")}, NoDecision},

		// Conditions.
		{"MFA: BoolIfExists false denies", []string{"@mfa-self-manage-deny-unless-mfa", allowAll}, Request{Action: "iam:ListUsers", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "false")}, Deny},
		{"MFA: BoolIfExists absent key denies", []string{"@mfa-self-manage-deny-unless-mfa", allowAll}, Request{Action: "iam:ListUsers", Resource: "*"}, Deny},
		{"MFA: BoolIfExists true allows", []string{"@mfa-self-manage-deny-unless-mfa", allowAll}, Request{Action: "iam:ListUsers", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "true")}, Allow},
		{"MFA: NotAction exempts GetUser", []string{"@mfa-self-manage-deny-unless-mfa"}, Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:username", "alice")}, Allow},
		{"MFA: own keys need MFA", []string{"@mfa-self-manage-deny-unless-mfa"}, Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice")}, Deny},
		{"MFA: own keys with MFA", []string{"@mfa-self-manage-deny-unless-mfa"}, Request{Action: "iam:CreateAccessKey", Resource: alice, Context: ctx("aws:username", "alice", "aws:MultiFactorAuthPresent", "true")}, Allow},
		{"IP: outside the ranges denied", []string{allowAll, "@deny-by-source-ip"}, Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:SourceIp", "198.51.100.1", "aws:ViaAWSService", "false")}, Deny},
		{"IP: inside a range", []string{allowAll, "@deny-by-source-ip"}, Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:SourceIp", "203.0.113.77", "aws:ViaAWSService", "false")}, Allow},
		{"IP: via an AWS service", []string{allowAll, "@deny-by-source-ip"}, Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:SourceIp", "198.51.100.1", "aws:ViaAWSService", "true")}, Allow},
		{"IP: no source ip, NotIpAddress holds", []string{allowAll, "@deny-by-source-ip"}, Request{Action: "iam:GetUser", Resource: alice, Context: ctx("aws:ViaAWSService", "false")}, Deny},
		{"date: inside the window", []string{"@date-range"}, Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:CurrentTime", "2020-05-01T12:00:00Z")}, Allow},
		{"date: after the window", []string{"@date-range"}, Request{Action: "ec2:RunInstances", Resource: "*", Context: ctx("aws:CurrentTime", "2020-07-01T00:00:00Z")}, NoDecision},
		{"date: no current time", []string{"@date-range"}, Request{Action: "ec2:RunInstances", Resource: "*"}, NoDecision},
		{"ForAllValues: subset of tag keys", []string{"@tag-keys-for-all-values"}, Request{Action: "iam:TagUser", Resource: alice, Context: ctx("aws:TagKeys", "Department", "aws:TagKeys", "CostCenter")}, Allow},
		{"ForAllValues: a key outside the set", []string{"@tag-keys-for-all-values"}, Request{Action: "iam:TagUser", Resource: alice, Context: ctx("aws:TagKeys", "Department", "aws:TagKeys", "Owner")}, NoDecision},
		{"ForAllValues: no tag keys holds", []string{"@tag-keys-for-all-values"}, Request{Action: "iam:TagUser", Resource: alice}, Allow},
		{"ForAnyValue...IfExists: matching team", []string{"@tag-keys-for-all-values"}, Request{Action: "iam:TagUser", Resource: alice, Context: ctx("aws:PrincipalTag/team", "dev", "aws:PrincipalTag/team", "ops-eu")}, Allow},
		{"ForAnyValue...IfExists: other teams", []string{"@tag-keys-for-all-values"}, Request{Action: "iam:TagUser", Resource: alice, Context: ctx("aws:PrincipalTag/team", "dev")}, NoDecision},
		{"ForAnyValue without IfExists: absent key fails", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}}}`}, Request{Action: "iam:TagUser", Resource: alice}, NoDecision},
		{"Null true denies without MFA age", []string{"@mfa-age-null-numeric"}, Request{Action: "iam:DeleteUser", Resource: alice}, Deny},
		{"Numeric: recent MFA allows delete", []string{"@mfa-age-null-numeric"}, Request{Action: "iam:DeleteUser", Resource: alice, Context: ctx("aws:MultiFactorAuthAge", "120")}, Allow},
		{"Numeric: old MFA", []string{"@mfa-age-null-numeric"}, Request{Action: "iam:DeleteUser", Resource: alice, Context: ctx("aws:MultiFactorAuthAge", "7200")}, NoDecision},
		{"all conditions of a statement must hold", []string{"@pass-role-arn-conditions"}, Request{Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/service-role/r", Context: ctx("iam:PassedToService", "ec2.amazonaws.com", "aws:PrincipalArn", "arn:aws:iam::123456789012:user/ops/x")}, NoDecision},
		{"ArnLike and StringEquals hold, ArnNotEquals absent key holds", []string{"@pass-role-arn-conditions"}, Request{Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/service-role/r", Context: ctx("iam:PassedToService", "ec2.amazonaws.com", "aws:PrincipalArn", "arn:aws:iam::123456789012:user/deploy/x")}, Allow},
		{"ArnNotEquals with the listed ARN", []string{"@pass-role-arn-conditions"}, Request{Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/service-role/r", Context: ctx("iam:PassedToService", "ec2.amazonaws.com", "aws:PrincipalArn", "arn:aws:iam::123456789012:user/deploy/x", "aws:SourceArn", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0")}, NoDecision},
		{"nil policy skipped", []string{"", allowGetUser}, Request{Action: "iam:GetUser", Resource: alice}, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policies []*Policy
			for _, d := range tt.policies {
				switch {
				case d == "":
					policies = append(policies, nil)
				case d[0] == '@':
					policies = append(policies, mustParse(t, testdataDoc(t, d[1:])))
				default:
					policies = append(policies, mustParse(t, d))
				}
			}
			if got := Evaluate(policies, tt.req); got != tt.want {
				t.Errorf("Evaluate(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}

func TestHandMadeStatementMatchesNothing(t *testing.T) {
	p := &Policy{Version: Version2012, Statements: []Statement{{Effect: EffectDeny, NotActions: []string{"x:y"}, NotResources: []string{"arn:a:b:c:d:e"}}}}
	if got := Evaluate([]*Policy{p}, Request{Action: "iam:GetUser", Resource: alice}); got != NoDecision {
		t.Errorf("Evaluate = %v, want NoDecision", got)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{NoDecision: "NoDecision", Allow: "Allow", Deny: "Deny"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(d), got, want)
		}
	}
}

// TestEvaluateConcurrent: a parsed Policy is read-only, so one may be
// shared by every request (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	policies := parseAll(t, testdataDoc(t, "mfa-self-manage-deny-unless-mfa"), testdataDoc(t, "s3-home-folder"), denyDelete)
	done := make(chan Decision)
	for i := range 8 {
		go func() {
			user := []string{"alice", "bob"}[i%2]
			var d Decision
			for range 200 {
				d = Evaluate(policies, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-name/" + user + "/f", Context: ctx("aws:username", user, "aws:MultiFactorAuthPresent", "true")})
			}
			done <- d
		}()
	}
	for range 8 {
		if d := <-done; d != Allow {
			t.Errorf("Evaluate = %v, want Allow", d)
		}
	}
}
