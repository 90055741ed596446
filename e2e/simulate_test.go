package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The policy simulator through aws-sdk-go-v2: decisions, the statements
// that made them (with AWS's positions), missing context, boundaries,
// per-resource results and paging; and, case by case, that a simulated
// decision is the one a real call by the same user gets.

// awsSimulatorExample is the one-line document of the AWS CLI reference's
// simulate-custom-policy examples.
const awsSimulatorExample = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

// matchedOf renders MatchedStatements as "ID(type) L:C-L:C", in order.
func matchedOf(ms []types.Statement) string {
	var out []string
	for _, m := range ms {
		s := aws.ToString(m.SourcePolicyId) + "(" + string(m.SourcePolicyType) + ")"
		if m.StartPosition != nil && m.EndPosition != nil {
			s += fmt.Sprintf(" %d:%d-%d:%d", m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// matchedPolicies is the sorted "ID(type)" of MatchedStatements.
func matchedPolicies(ms []types.Statement) string {
	var out []string
	for _, m := range ms {
		out = append(out, aws.ToString(m.SourcePolicyId)+"("+string(m.SourcePolicyType)+")")
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func dateEntry(key, value string) types.ContextEntry {
	return types.ContextEntry{ContextKeyName: aws.String(key), ContextKeyType: types.ContextKeyTypeEnumDate, ContextKeyValues: []string{value}}
}

func stringEntry(key string, values ...string) types.ContextEntry {
	return types.ContextEntry{ContextKeyName: aws.String(key), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: values}
}

// observedDecision is what a real call's outcome says about its
// authorization, in the simulator's terms.
func observedDecision(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return string(types.PolicyEvaluationDecisionTypeAllowed)
	}
	msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	switch {
	case strings.Contains(msg, " with an explicit deny in "):
		return string(types.PolicyEvaluationDecisionTypeExplicitDeny)
	case strings.Contains(msg, " because no "):
		return string(types.PolicyEvaluationDecisionTypeImplicitDeny)
	}
	t.Fatalf("AccessDenied %q says neither an explicit nor an implicit deny", msg)
	return ""
}

func TestGoSDKSimulateCustomPolicy(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	simulate := func(t *testing.T, in *iam.SimulateCustomPolicyInput) []types.EvaluationResult {
		t.Helper()
		out := must[*iam.SimulateCustomPolicyOutput](t)(c.SimulateCustomPolicy(ctx, in))
		if out.IsTruncated || out.Marker != nil {
			t.Fatalf("truncated %v, marker %v", out.IsTruncated, out.Marker)
		}
		return out.EvaluationResults
	}
	one := func(t *testing.T, in *iam.SimulateCustomPolicyInput) types.EvaluationResult {
		t.Helper()
		r := simulate(t, in)
		if len(r) != 1 {
			t.Fatalf("%d results, want 1", len(r))
		}
		return r[0]
	}

	t.Run("AWSExampleAllowed", func(t *testing.T) {
		// simulate-custom-policy, Example 1 of the AWS CLI reference.
		r := one(t, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{awsSimulatorExample}, ActionNames: []string{"dynamodb:CreateBackup"},
			ContextEntries: []types.ContextEntry{dateEntry("aws:CurrentTime", "2019-04-25T11:00:00Z")}})
		if aws.ToString(r.EvalActionName) != "dynamodb:CreateBackup" || aws.ToString(r.EvalResourceName) != "*" || r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
			t.Fatalf("result: action %q resource %q decision %q", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), r.EvalDecision)
		}
		if got := matchedOf(r.MatchedStatements); got != "PolicyInputList.1(none) 1:38-1:167" {
			t.Fatalf("MatchedStatements %s, want AWS's PolicyInputList.1 from Line 1 Column 38 to Line 1 Column 167", got)
		}
		if r.MissingContextValues == nil || len(r.MissingContextValues) != 0 {
			t.Fatalf("MissingContextValues %#v, want an empty list", r.MissingContextValues)
		}
		if r.PermissionsBoundaryDecisionDetail != nil || r.ResourceSpecificResults != nil {
			t.Fatalf("no boundary and no resources given, yet %+v, %+v", r.PermissionsBoundaryDecisionDetail, r.ResourceSpecificResults)
		}
	})

	t.Run("AWSExampleTooEarly", func(t *testing.T) {
		// simulate-custom-policy, Example 2: the date is before the condition's.
		r := one(t, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{awsSimulatorExample}, ActionNames: []string{"dynamodb:CreateBackup"},
			ContextEntries: []types.ContextEntry{dateEntry("aws:CurrentTime", "2014-04-25T11:00:00Z")}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MatchedStatements) != 0 || len(r.MissingContextValues) != 0 {
			t.Fatalf("decision %q, matched %s, missing %v", r.EvalDecision, matchedOf(r.MatchedStatements), r.MissingContextValues)
		}
	})

	t.Run("MissingContextValues", func(t *testing.T) {
		r := one(t, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{awsSimulatorExample}, ActionNames: []string{"dynamodb:CreateBackup"}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MatchedStatements) != 0 {
			t.Fatalf("without aws:CurrentTime: decision %q, matched %s", r.EvalDecision, matchedOf(r.MatchedStatements))
		}
		if strings.Join(r.MissingContextValues, ",") != "aws:CurrentTime" {
			t.Fatalf("MissingContextValues %v, want [aws:CurrentTime]", r.MissingContextValues)
		}
	})

	t.Run("ExplicitDenyAndPositions", func(t *testing.T) {
		deny := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:DeleteBucket\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
		allow := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		results := simulate(t, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow, deny}, ActionNames: []string{"s3:DeleteBucket", "s3:GetObject", "ec2:RunInstances"}})
		var got []string
		for _, r := range results {
			got = append(got, aws.ToString(r.EvalActionName)+"="+string(r.EvalDecision)+" ["+matchedOf(r.MatchedStatements)+"]")
		}
		// The Allow's statement braces are at columns 38 and 96 of line 1;
		// the Deny's at line 4 column 5 and line 8 column 5. AWS reports
		// the positions just past each brace.
		want := []string{
			"s3:DeleteBucket=explicitDeny [PolicyInputList.2(none) 4:6-8:6]",
			"s3:GetObject=allowed [PolicyInputList.1(none) 1:39-1:97]",
			"ec2:RunInstances=implicitDeny []",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("PermissionsBoundary", func(t *testing.T) {
		results := simulate(t, &iam.SimulateCustomPolicyInput{
			PolicyInputList:                    []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`},
			PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}`},
			ActionNames:                        []string{"iam:ListUsers", "iam:CreateUser"},
		})
		if len(results) != 2 {
			t.Fatalf("%d results", len(results))
		}
		list, create := results[0], results[1]
		if list.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || list.PermissionsBoundaryDecisionDetail == nil || !list.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Fatalf("iam:ListUsers: %q, boundary detail %+v", list.EvalDecision, list.PermissionsBoundaryDecisionDetail)
		}
		if !strings.Contains(matchedOf(list.MatchedStatements), "PolicyInputList.1(none)") {
			t.Fatalf("iam:ListUsers matched %s", matchedOf(list.MatchedStatements))
		}
		if create.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || create.PermissionsBoundaryDecisionDetail == nil || create.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Fatalf("iam:CreateUser: %q, boundary detail %+v", create.EvalDecision, create.PermissionsBoundaryDecisionDetail)
		}
	})

	t.Run("ResourceSpecificResults", func(t *testing.T) {
		results := simulate(t, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-a/*"}}`},
			ActionNames:     []string{"s3:GetObject", "s3:PutObject"},
			ResourceArns:    []string{"arn:aws:s3:::team-a/report", "arn:aws:s3:::team-b/report"},
		})
		var got []string
		for _, r := range results {
			if len(r.ResourceSpecificResults) != 1 {
				t.Fatalf("%s on %s: %d resource-specific results", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), len(r.ResourceSpecificResults))
			}
			rr := r.ResourceSpecificResults[0]
			if aws.ToString(rr.EvalResourceName) != aws.ToString(r.EvalResourceName) || rr.EvalResourceDecision != r.EvalDecision || matchedOf(rr.MatchedStatements) != matchedOf(r.MatchedStatements) {
				t.Fatalf("resource-specific result %+v differs from its result %+v", rr, r)
			}
			got = append(got, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)+"="+string(r.EvalDecision))
		}
		want := "s3:GetObject arn:aws:s3:::team-a/report=allowed\ns3:GetObject arn:aws:s3:::team-b/report=implicitDeny\n" +
			"s3:PutObject arn:aws:s3:::team-a/report=implicitDeny\ns3:PutObject arn:aws:s3:::team-b/report=implicitDeny"
		if strings.Join(got, "\n") != want {
			t.Fatalf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
		}
	})

	t.Run("ContextEntries", func(t *testing.T) {
		doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`
		for _, tc := range []struct {
			name    string
			entries []types.ContextEntry
			want    types.PolicyEvaluationDecisionType
			missing string
		}{
			{"All", []types.ContextEntry{stringEntry("s3:prefix", "home/ann/x"), stringEntry("aws:username", "ann"),
				{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.1.2.3"}}}, types.PolicyEvaluationDecisionTypeAllowed, ""},
			{"OtherUser", []types.ContextEntry{stringEntry("s3:prefix", "home/ann/x"), stringEntry("aws:username", "bob"),
				{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.1.2.3"}}}, types.PolicyEvaluationDecisionTypeImplicitDeny, ""},
			{"OtherNetwork", []types.ContextEntry{stringEntry("s3:prefix", "home/ann/x"), stringEntry("aws:username", "ann"),
				{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{"192.168.0.1"}}}, types.PolicyEvaluationDecisionTypeImplicitDeny, ""},
			{"NoIP", []types.ContextEntry{stringEntry("s3:prefix", "home/ann/x"), stringEntry("aws:username", "ann")}, types.PolicyEvaluationDecisionTypeImplicitDeny, "aws:SourceIp"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := one(t, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:ListBucket"}, ContextEntries: tc.entries})
				if r.EvalDecision != tc.want || strings.Join(r.MissingContextValues, ",") != tc.missing {
					t.Fatalf("decision %q missing %v, want %q missing [%s]", r.EvalDecision, r.MissingContextValues, tc.want, tc.missing)
				}
			})
		}
	})

	t.Run("Paging", func(t *testing.T) {
		in := &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`},
			ActionNames: []string{"iam:GetUser", "iam:GetGroup", "iam:ListUsers"}, MaxItems: aws.Int32(2)}
		p1 := must[*iam.SimulateCustomPolicyOutput](t)(c.SimulateCustomPolicy(ctx, in))
		if len(p1.EvaluationResults) != 2 || !p1.IsTruncated || aws.ToString(p1.Marker) == "" {
			t.Fatalf("page 1: %d results, truncated %v, marker %q", len(p1.EvaluationResults), p1.IsTruncated, aws.ToString(p1.Marker))
		}
		in2 := *in
		in2.Marker = p1.Marker
		p2 := must[*iam.SimulateCustomPolicyOutput](t)(c.SimulateCustomPolicy(ctx, &in2))
		if len(p2.EvaluationResults) != 1 || p2.IsTruncated || p2.Marker != nil || aws.ToString(p2.EvaluationResults[0].EvalActionName) != "iam:ListUsers" ||
			p2.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Fatalf("page 2: %+v, truncated %v", p2.EvaluationResults, p2.IsTruncated)
		}
		pager := iam.NewSimulateCustomPolicyPaginator(c, &iam.SimulateCustomPolicyInput{PolicyInputList: in.PolicyInputList, ActionNames: in.ActionNames, MaxItems: aws.Int32(1)})
		var seen []string
		for pager.HasMorePages() && len(seen) < 10 {
			for _, r := range must[*iam.SimulateCustomPolicyOutput](t)(pager.NextPage(ctx)).EvaluationResults {
				seen = append(seen, aws.ToString(r.EvalActionName)+"="+string(r.EvalDecision))
			}
		}
		if strings.Join(seen, ",") != "iam:GetUser=allowed,iam:GetGroup=allowed,iam:ListUsers=implicitDeny" {
			t.Fatalf("the paginator saw %v", seen)
		}
	})

	t.Run("GetContextKeysForCustomPolicy", func(t *testing.T) {
		// The AWS CLI reference's get-context-keys-for-custom-policy example.
		doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
		got := must[*iam.GetContextKeysForCustomPolicyOutput](t)(c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}}))
		if strings.Join(got.ContextKeyNames, ",") != "aws:username,aws:CurrentTime" {
			t.Fatalf("ContextKeyNames %v, want AWS's [aws:username aws:CurrentTime]", got.ContextKeyNames)
		}
		// Across policies, each key once.
		other := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:CURRENTTIME":"x","s3:prefix":"a"}}}}`
		got = must[*iam.GetContextKeysForCustomPolicyOutput](t)(c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc, other}}))
		if strings.Join(got.ContextKeyNames, ",") != "aws:username,aws:CurrentTime,s3:prefix" {
			t.Fatalf("ContextKeyNames of two policies %v", got.ContextKeyNames)
		}
		none := must[*iam.GetContextKeysForCustomPolicyOutput](t)(c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`}}))
		if len(none.ContextKeyNames) != 0 {
			t.Fatalf("ContextKeyNames of a policy without conditions %v", none.ContextKeyNames)
		}
	})

	t.Run("MalformedInput", func(t *testing.T) {
		_, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":`}, ActionNames: []string{"s3:GetObject"}})
		if code, _ := apiCode(t, err); code != "InvalidInput" && code != "MalformedPolicyDocument" {
			t.Fatalf("a malformed policy input: %v", err)
		}
	})
}

func TestGoSDKSimulatePrincipalPolicy(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	sam := newUserWithKey(t, s, "sam")
	sc := s.GoIAM(sam)
	samARN := iamARN("user/sam")
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("victim")}))

	selfDoc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:TagUser","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}`
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("sam"), PolicyName: aws.String("self"), PolicyDocument: aws.String(selfDoc)}))
	must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("team")}))
	must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("team"), UserName: aws.String("sam")}))
	must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("team"), PolicyName: aws.String("list-groups"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*"}}`)}))
	must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("team"), PolicyName: aws.String("no-delete"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["iam:DeleteUser","s3:DeleteObject"],"Resource":"*"}}`)}))
	must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("team"), PolicyArn: aws.String(iamReadOnlyARN)}))
	cust := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("TeamGroups"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateGroup","Resource":"arn:aws:iam::123456789012:group/team-*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`)})).Policy
	must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("sam"), PolicyArn: cust.Arn}))

	simulate := func(t *testing.T, in *iam.SimulatePrincipalPolicyInput) types.EvaluationResult {
		t.Helper()
		out := must[*iam.SimulatePrincipalPolicyOutput](t)(c.SimulatePrincipalPolicy(ctx, in))
		if len(out.EvaluationResults) != 1 || out.IsTruncated {
			t.Fatalf("%d results, truncated %v", len(out.EvaluationResults), out.IsTruncated)
		}
		return out.EvaluationResults[0]
	}

	t.Run("SourcePolicies", func(t *testing.T) {
		for _, tc := range []struct {
			action, resource string
			decision         types.PolicyEvaluationDecisionType
			matched          string
		}{
			// Every policy that allows is named, whatever its source.
			{"iam:ListGroups", "*", types.PolicyEvaluationDecisionTypeAllowed, "IAMReadOnlyAccess(aws-managed), list-groups(group)"},
			{"s3:GetObject", "arn:aws:s3:::bucket/key", types.PolicyEvaluationDecisionTypeAllowed, "TeamGroups(user-managed)"},
			{"iam:CreateGroup", iamARN("group/team-red"), types.PolicyEvaluationDecisionTypeAllowed, "TeamGroups(user-managed)"},
			// A Deny names only the denying statements.
			{"s3:DeleteObject", "arn:aws:s3:::bucket/key", types.PolicyEvaluationDecisionTypeExplicitDeny, "no-delete(group)"},
			{"iam:DeleteUser", iamARN("user/victim"), types.PolicyEvaluationDecisionTypeExplicitDeny, "no-delete(group)"},
			{"iam:CreateUser", iamARN("user/x"), types.PolicyEvaluationDecisionTypeImplicitDeny, ""},
			{"iam:CreateGroup", iamARN("group/other"), types.PolicyEvaluationDecisionTypeImplicitDeny, ""},
		} {
			t.Run(tc.action+" "+tc.resource, func(t *testing.T) {
				r := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{tc.action}, ResourceArns: []string{tc.resource}})
				if r.EvalDecision != tc.decision || matchedPolicies(r.MatchedStatements) != tc.matched {
					t.Fatalf("decision %q matched [%s], want %q [%s]", r.EvalDecision, matchedPolicies(r.MatchedStatements), tc.decision, tc.matched)
				}
				if aws.ToString(r.EvalResourceName) != tc.resource || len(r.ResourceSpecificResults) != 1 || r.ResourceSpecificResults[0].EvalResourceDecision != tc.decision {
					t.Fatalf("resource %q, resource-specific results %+v", aws.ToString(r.EvalResourceName), r.ResourceSpecificResults)
				}
				if r.PermissionsBoundaryDecisionDetail != nil {
					t.Fatalf("sam has no boundary, yet %+v", r.PermissionsBoundaryDecisionDetail)
				}
			})
		}
	})

	t.Run("Positions", func(t *testing.T) {
		// The user's inline policy, one line: its statement's braces are at
		// columns 37 and 137, reported just past each.
		r := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{"iam:TagUser"}, ResourceArns: []string{samARN},
			ContextEntries: []types.ContextEntry{stringEntry("aws:username", "sam")}})
		want := fmt.Sprintf("self(user) 1:38-1:%d", len(selfDoc))
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || matchedOf(r.MatchedStatements) != want {
			t.Fatalf("decision %q matched %s, want allowed %s", r.EvalDecision, matchedOf(r.MatchedStatements), want)
		}
		// The variable needs its value: without it, the key is missing.
		r = simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{"iam:TagUser"}, ResourceArns: []string{samARN}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || !strings.Contains(","+strings.Join(r.MissingContextValues, ",")+",", ",aws:username,") {
			t.Fatalf("without aws:username: decision %q missing %v", r.EvalDecision, r.MissingContextValues)
		}
	})

	t.Run("SimulatedEqualsReal", func(t *testing.T) {
		username := []types.ContextEntry{stringEntry("aws:username", "sam")}
		for _, tc := range []struct {
			name     string
			action   string
			resource string
			entries  []types.ContextEntry
			call     func(ctx context.Context) error
			want     types.PolicyEvaluationDecisionType
		}{
			{"ListUsers", "iam:ListUsers", iamARN("user/"), nil, func(ctx context.Context) error {
				_, err := sc.ListUsers(ctx, &iam.ListUsersInput{})
				return err
			}, types.PolicyEvaluationDecisionTypeAllowed},
			{"ListGroups", "iam:ListGroups", iamARN("group/"), nil, func(ctx context.Context) error {
				_, err := sc.ListGroups(ctx, &iam.ListGroupsInput{})
				return err
			}, types.PolicyEvaluationDecisionTypeAllowed},
			{"GetUserOther", "iam:GetUser", iamARN("user/victim"), nil, func(ctx context.Context) error {
				_, err := sc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("victim")})
				return err
			}, types.PolicyEvaluationDecisionTypeAllowed},
			{"CreateUser", "iam:CreateUser", iamARN("user/newbie"), nil, func(ctx context.Context) error {
				_, err := sc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("newbie")})
				return err
			}, types.PolicyEvaluationDecisionTypeImplicitDeny},
			{"DeleteUser", "iam:DeleteUser", iamARN("user/victim"), nil, func(ctx context.Context) error {
				_, err := sc.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("victim")})
				return err
			}, types.PolicyEvaluationDecisionTypeExplicitDeny},
			{"CreateGroupTeam", "iam:CreateGroup", iamARN("group/team-blue"), nil, func(ctx context.Context) error {
				_, err := sc.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("team-blue")})
				return err
			}, types.PolicyEvaluationDecisionTypeAllowed},
			{"CreateGroupOther", "iam:CreateGroup", iamARN("group/rogue"), nil, func(ctx context.Context) error {
				_, err := sc.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("rogue")})
				return err
			}, types.PolicyEvaluationDecisionTypeImplicitDeny},
			{"TagSelf", "iam:TagUser", samARN, username, func(ctx context.Context) error {
				_, err := sc.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("sam"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
				return err
			}, types.PolicyEvaluationDecisionTypeAllowed},
			{"TagOther", "iam:TagUser", iamARN("user/victim"), username, func(ctx context.Context) error {
				_, err := sc.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("victim"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
				return err
			}, types.PolicyEvaluationDecisionTypeImplicitDeny},
			{"AttachAdmin", "iam:AttachUserPolicy", samARN, nil, func(ctx context.Context) error {
				_, err := sc.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("sam"), PolicyArn: aws.String(adminAccessARN)})
				return err
			}, types.PolicyEvaluationDecisionTypeImplicitDeny},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{tc.action}, ResourceArns: []string{tc.resource}, ContextEntries: tc.entries})
				if r.EvalDecision != tc.want {
					t.Fatalf("simulated %q, want %q", r.EvalDecision, tc.want)
				}
				if real := observedDecision(t, tc.call(ctx)); real != string(r.EvalDecision) {
					t.Fatalf("simulated %q, the real call got %q", r.EvalDecision, real)
				}
			})
		}
	})

	t.Run("PermissionsBoundary", func(t *testing.T) {
		capped := newUserWithKey(t, s, "capped")
		cc := s.GoIAM(capped)
		cappedARN := iamARN("user/capped")
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("capped"), PolicyArn: aws.String(adminAccessARN)}))
		must[*iam.PutUserPermissionsBoundaryOutput](t)(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("capped"), PermissionsBoundary: aws.String(iamReadOnlyARN)}))

		list := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(cappedARN), ActionNames: []string{"iam:ListUsers"}, ResourceArns: []string{iamARN("user/")}})
		if list.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || list.PermissionsBoundaryDecisionDetail == nil || !list.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Fatalf("iam:ListUsers: %q, boundary detail %+v", list.EvalDecision, list.PermissionsBoundaryDecisionDetail)
		}
		if !strings.Contains(matchedPolicies(list.MatchedStatements), "AdministratorAccess(aws-managed)") {
			t.Fatalf("iam:ListUsers matched [%s]", matchedPolicies(list.MatchedStatements))
		}
		if _, err := cc.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("the real ListUsers: %v", err)
		}
		create := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(cappedARN), ActionNames: []string{"iam:CreateUser"}, ResourceArns: []string{iamARN("user/y")}})
		if create.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || create.PermissionsBoundaryDecisionDetail == nil || create.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Fatalf("iam:CreateUser: %q, boundary detail %+v", create.EvalDecision, create.PermissionsBoundaryDecisionDetail)
		}
		_, err := cc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("y")})
		if real := observedDecision(t, err); real != string(create.EvalDecision) {
			t.Fatalf("simulated %q, the real CreateUser got %q", create.EvalDecision, real)
		}
		// A boundary given to the simulator replaces the user's.
		open := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(cappedARN), ActionNames: []string{"iam:CreateUser"}, ResourceArns: []string{iamARN("user/y")},
			PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`}})
		if open.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || open.PermissionsBoundaryDecisionDetail == nil || !open.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			t.Fatalf("with an open boundary given: %q, %+v", open.EvalDecision, open.PermissionsBoundaryDecisionDetail)
		}
	})

	t.Run("PolicyInputList", func(t *testing.T) {
		// A policy given beside the principal's is simulated as if attached.
		extra := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}}`
		r := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{"iam:CreateUser"}, PolicyInputList: []string{extra}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || matchedOf(r.MatchedStatements) != fmt.Sprintf("PolicyInputList.1(none) 1:38-1:%d", len(extra)) {
			t.Fatalf("with an extra policy: %q matched %s", r.EvalDecision, matchedOf(r.MatchedStatements))
		}
		// …but it does not lift the group's Deny.
		r = simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{"iam:DeleteUser"},
			PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:DeleteUser","Resource":"*"}}`}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny || matchedPolicies(r.MatchedStatements) != "no-delete(group)" {
			t.Fatalf("an extra Allow against the group's Deny: %q matched [%s]", r.EvalDecision, matchedPolicies(r.MatchedStatements))
		}
		// The real call is still denied: the simulation changed nothing.
		_, err := sc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("z")})
		wantDenied(t, err, samARN, "iam:CreateUser")
	})

	t.Run("GroupSource", func(t *testing.T) {
		r := simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("group/team")), ActionNames: []string{"iam:ListGroups"}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || matchedPolicies(r.MatchedStatements) != "IAMReadOnlyAccess(aws-managed), list-groups(group)" {
			t.Fatalf("the group's own policies: %q [%s]", r.EvalDecision, matchedPolicies(r.MatchedStatements))
		}
		// The group has none of sam's own policies.
		r = simulate(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("group/team")), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::bucket/key"}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Fatalf("s3:GetObject for the group: %q", r.EvalDecision)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		pager := iam.NewSimulatePrincipalPolicyPaginator(c, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN),
			ActionNames: []string{"iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"}, MaxItems: aws.Int32(1)})
		var seen []string
		for pager.HasMorePages() && len(seen) < 10 {
			page := must[*iam.SimulatePrincipalPolicyOutput](t)(pager.NextPage(ctx))
			if len(page.EvaluationResults) != 1 {
				t.Fatalf("a page of %d with MaxItems 1", len(page.EvaluationResults))
			}
			seen = append(seen, aws.ToString(page.EvaluationResults[0].EvalActionName)+"="+string(page.EvaluationResults[0].EvalDecision))
		}
		if strings.Join(seen, ",") != "iam:ListUsers=allowed,iam:CreateUser=implicitDeny,iam:DeleteUser=explicitDeny" {
			t.Fatalf("the paginator saw %v", seen)
		}
	})

	t.Run("GetContextKeysForPrincipalPolicy", func(t *testing.T) {
		got := must[*iam.GetContextKeysForPrincipalPolicyOutput](t)(c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(samARN)}))
		if strings.Join(got.ContextKeyNames, ",") != "aws:username" {
			t.Fatalf("sam's context keys %v", got.ContextKeyNames)
		}
		got = must[*iam.GetContextKeysForPrincipalPolicyOutput](t)(c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(samARN),
			PolicyInputList: []string{awsSimulatorExample}}))
		if strings.Join(got.ContextKeyNames, ",") != "aws:username,aws:CurrentTime" {
			t.Fatalf("sam's context keys with an extra policy %v", got.ContextKeyNames)
		}
		got = must[*iam.GetContextKeysForPrincipalPolicyOutput](t)(c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("group/team"))}))
		if len(got.ContextKeyNames) != 0 {
			t.Fatalf("the group's context keys %v", got.ContextKeyNames)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("user/ghost")), ActionNames: []string{"iam:ListUsers"}})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("group/ghosts")), ActionNames: []string{"iam:ListUsers"}})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name ghosts cannot be found.")
		_, err = c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("user/ghost"))})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		// Another account's principal is not this account's to simulate.
		_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::210987654321:user/sam"), ActionNames: []string{"iam:ListUsers"}})
		if code, _ := apiCode(t, err); code != "InvalidInput" && code != "NoSuchEntity" {
			t.Fatalf("another account's user: %v", err)
		}
		// Simulating needs its own permission.
		stranger := newUserWithKey(t, s, "stranger")
		_, err = s.GoIAM(stranger).SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(samARN), ActionNames: []string{"iam:ListUsers"}})
		wantDenied(t, err, iamARN("user/stranger"), "iam:SimulatePrincipalPolicy")
	})
}
