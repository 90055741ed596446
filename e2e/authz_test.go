package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The authorization matrix: named cases of (policies, action, resource,
// context) and the decision AWS's rules give. Every case is checked twice,
// through a real call by the user and through SimulatePrincipalPolicy with
// the context the real call has, so the request pipeline and the simulator
// are held to the same answer.

const acctARN = "arn:aws:iam::" + e2etest.AccountID

// matrixCall is an IAM call a case makes as its user.
type matrixCall struct {
	action   string
	resource func(user string) string
	// context is the request-specific context the real call has (beyond
	// the principal's and the connection's), for the simulation.
	context map[string][]string
	do      func(ctx context.Context, c *iam.Client, user string) error
}

var matrixCalls = map[string]matrixCall{
	"GetUser self": {action: "iam:GetUser", resource: func(u string) string { return acctARN + ":user/" + u },
		do: func(ctx context.Context, c *iam.Client, u string) error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(u)})
			return err
		}},
	"GetUser target": {action: "iam:GetUser", resource: func(string) string { return acctARN + ":user/ops/target" },
		context: map[string][]string{"aws:ResourceTag/team": {"core"}, "iam:ResourceTag/team": {"core"}},
		do: func(ctx context.Context, c *iam.Client, _ string) error {
			_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")})
			return err
		}},
	"ListUsers": {action: "iam:ListUsers", resource: func(string) string { return acctARN + ":user/" },
		do: func(ctx context.Context, c *iam.Client, _ string) error {
			_, err := c.ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
	"ListGroups": {action: "iam:ListGroups", resource: func(string) string { return acctARN + ":group/" },
		do: func(ctx context.Context, c *iam.Client, _ string) error {
			_, err := c.ListGroups(ctx, &iam.ListGroupsInput{})
			return err
		}},
	"TagUser self team": {action: "iam:TagUser", resource: func(u string) string { return acctARN + ":user/" + u },
		context: map[string][]string{"aws:TagKeys": {"team"}, "aws:RequestTag/team": {"blue"}},
		do: func(ctx context.Context, c *iam.Client, u string) error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
			return err
		}},
	"TagUser self owner": {action: "iam:TagUser", resource: func(u string) string { return acctARN + ":user/" + u },
		context: map[string][]string{"aws:TagKeys": {"owner"}, "aws:RequestTag/owner": {"me"}},
		do: func(ctx context.Context, c *iam.Client, u string) error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}})
			return err
		}},
	"AttachUserPolicy ReadOnly to target": {action: "iam:AttachUserPolicy", resource: func(string) string { return acctARN + ":user/ops/target" },
		context: map[string][]string{"iam:PolicyARN": {"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}, "aws:ResourceTag/team": {"core"}, "iam:ResourceTag/team": {"core"}},
		do: func(ctx context.Context, c *iam.Client, _ string) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("target"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})
			return err
		}},
	"AttachUserPolicy Admin to target": {action: "iam:AttachUserPolicy", resource: func(string) string { return acctARN + ":user/ops/target" },
		context: map[string][]string{"iam:PolicyARN": {"arn:aws:iam::aws:policy/AdministratorAccess"}, "aws:ResourceTag/team": {"core"}, "iam:ResourceTag/team": {"core"}},
		do: func(ctx context.Context, c *iam.Client, _ string) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("target"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}},
}

type matrixCase struct {
	name         string
	user         []string // the user's inline policies
	managed      []string // customer managed policies attached to the user
	awsManaged   []string // AWS managed policies attached to the user
	group        []string // inline policies of a group the user is in
	groupManaged []string // customer managed policies attached to that group
	boundary     string   // a customer managed policy set as the user's boundary
	tags         map[string]string
	call         string
	want         string // allowed, explicitDeny, implicitDeny
}

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func allow(action, resource string, condition ...string) string {
	return stmt("Allow", action, resource, condition...)
}

func deny(action, resource string, condition ...string) string {
	return stmt("Deny", action, resource, condition...)
}

func stmt(effect, action, resource string, condition ...string) string {
	s := `{"Effect":"` + effect + `",` + action + `,` + resource
	if len(condition) > 0 {
		s += `,"Condition":` + condition[0]
	}
	return s + "}"
}

func act(a ...string) string  { return `"Action":` + list(a) }
func nact(a ...string) string { return `"NotAction":` + list(a) }
func res(r ...string) string  { return `"Resource":` + list(r) }
func nres(r ...string) string { return `"NotResource":` + list(r) }

func list(v []string) string { return `["` + strings.Join(v, `","`) + `"]` }

var matrix = []matrixCase{
	// Sources and inheritance.
	{name: "no policy", call: "GetUser self", want: "implicitDeny"},
	{name: "user inline allow", user: []string{doc(allow(act("iam:GetUser"), res("*")))}, call: "GetUser self", want: "allowed"},
	{name: "user managed allow", managed: []string{doc(allow(act("iam:ListUsers"), res("*")))}, call: "ListUsers", want: "allowed"},
	{name: "AWS managed allow", awsManaged: []string{"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}, call: "ListGroups", want: "allowed"},
	{name: "AWS managed does not allow writes", awsManaged: []string{"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}, call: "TagUser self team", want: "implicitDeny"},
	{name: "group inline inherited", group: []string{doc(allow(act("iam:ListUsers"), res("*")))}, call: "ListUsers", want: "allowed"},
	{name: "group managed inherited", groupManaged: []string{doc(allow(act("iam:GetUser"), res("*")))}, call: "GetUser target", want: "allowed"},
	{name: "group deny beats user managed allow", managed: []string{doc(allow(act("iam:*"), res("*")))}, group: []string{doc(deny(act("iam:ListUsers"), res("*")))}, call: "ListUsers", want: "explicitDeny"},
	{name: "group managed deny beats AWS managed allow", awsManaged: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, groupManaged: []string{doc(deny(act("iam:Get*"), res("*")))}, call: "GetUser self", want: "explicitDeny"},
	// Boundaries.
	{name: "boundary intersects: allowed by both", awsManaged: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, boundary: doc(allow(act("iam:Get*", "iam:List*"), res("*"))), call: "ListUsers", want: "allowed"},
	{name: "boundary intersects: not in boundary", awsManaged: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, boundary: doc(allow(act("iam:Get*", "iam:List*"), res("*"))), call: "TagUser self team", want: "implicitDeny"},
	{name: "boundary alone grants nothing", boundary: doc(allow(act("*"), res("*"))), call: "ListUsers", want: "implicitDeny"},
	{name: "boundary deny", user: []string{doc(allow(act("*"), res("*")))}, boundary: doc(allow(act("*"), res("*")), deny(act("iam:ListUsers"), res("*"))), call: "ListUsers", want: "explicitDeny"},
	// NotAction, NotResource, wildcards.
	{name: "NotAction allows the rest", user: []string{doc(allow(nact("iam:Create*", "iam:Delete*"), res("*")))}, call: "GetUser self", want: "allowed"},
	{name: "NotAction excludes", user: []string{doc(allow(nact("iam:Tag*"), res("*")))}, call: "TagUser self team", want: "implicitDeny"},
	{name: "NotResource allows the rest", user: []string{doc(allow(act("iam:GetUser"), nres(acctARN+":user/ops/*")))}, call: "GetUser self", want: "allowed"},
	{name: "NotResource excludes", user: []string{doc(allow(act("iam:GetUser"), nres(acctARN+":user/ops/*")))}, call: "GetUser target", want: "implicitDeny"},
	{name: "action wildcard ?", user: []string{doc(allow(act("iam:Get?ser"), res("*")))}, call: "GetUser self", want: "allowed"},
	{name: "action case-insensitive", user: []string{doc(allow(act("IAM:getuser"), res("*")))}, call: "GetUser self", want: "allowed"},
	{name: "resource wildcard", user: []string{doc(allow(act("iam:GetUser"), res("arn:aws:iam::*:user/ops/t*")))}, call: "GetUser target", want: "allowed"},
	{name: "resource case-sensitive", user: []string{doc(allow(act("iam:GetUser"), res("arn:aws:iam::*:user/OPS/*")))}, call: "GetUser target", want: "implicitDeny"},
	// Policy variables.
	{name: "variable: own user", user: []string{doc(allow(act("iam:GetUser"), res("arn:aws:iam::*:user/${aws:username}")))}, call: "GetUser self", want: "allowed"},
	{name: "variable: other user", user: []string{doc(allow(act("iam:GetUser"), res("arn:aws:iam::*:user/${aws:username}")))}, call: "GetUser target", want: "implicitDeny"},
	// Condition operator families.
	{name: "StringEquals aws:username", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEquals":{"aws:username":"${aws:username}"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "StringNotEquals aws:PrincipalType", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringNotEquals":{"aws:PrincipalType":"User"}}`))}, call: "ListUsers", want: "implicitDeny"},
	{name: "StringLike aws:PrincipalArn", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/m*"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "StringEqualsIgnoreCase aws:RequestedRegion", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEqualsIgnoreCase":{"aws:RequestedRegion":"US-EAST-1"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "IpAddress loopback", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "NotIpAddress loopback denies", user: []string{doc(allow(act("iam:*"), res("*")), deny(act("iam:ListUsers"), res("*"), `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`))}, call: "ListUsers", want: "explicitDeny"},
	{name: "DateGreaterThan aws:CurrentTime", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "DateLessThan aws:CurrentTime", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`))}, call: "ListUsers", want: "implicitDeny"},
	{name: "NumericGreaterThan aws:EpochTime", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"NumericGreaterThan":{"aws:EpochTime":"1577836800"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "Bool aws:SecureTransport false", user: []string{doc(allow(act("iam:*"), res("*")), deny(act("*"), res("*"), `{"Bool":{"aws:SecureTransport":"false"}}`))}, call: "GetUser self", want: "explicitDeny"},
	{name: "Null: absent key", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"Null":{"aws:TokenIssueTime":"true"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "Null: present key", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"Null":{"aws:username":"true"}}`))}, call: "ListUsers", want: "implicitDeny"},
	{name: "IfExists on an absent key", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEqualsIfExists":{"aws:MultiFactorAuthAge":"1"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "positive operator on an absent key", user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEquals":{"aws:MultiFactorAuthAge":"1"}}`))}, call: "ListUsers", want: "implicitDeny"},
	// Tags: principal, resource, request.
	{name: "aws:PrincipalTag", tags: map[string]string{"dept": "eng"}, user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEquals":{"aws:PrincipalTag/dept":"eng"}}`))}, call: "ListUsers", want: "allowed"},
	{name: "aws:PrincipalTag mismatch", tags: map[string]string{"dept": "ops"}, user: []string{doc(allow(act("iam:ListUsers"), res("*"), `{"StringEquals":{"aws:PrincipalTag/dept":"eng"}}`))}, call: "ListUsers", want: "implicitDeny"},
	{name: "aws:ResourceTag of the target", user: []string{doc(allow(act("iam:GetUser"), res("*"), `{"StringEquals":{"aws:ResourceTag/team":"core"}}`))}, call: "GetUser target", want: "allowed"},
	{name: "iam:ResourceTag absent on self", user: []string{doc(allow(act("iam:GetUser"), res("*"), `{"StringEquals":{"iam:ResourceTag/team":"core"}}`))}, call: "GetUser self", want: "implicitDeny"},
	{name: "ForAllValues aws:TagKeys within", user: []string{doc(allow(act("iam:TagUser"), res("*"), `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}`))}, call: "TagUser self team", want: "allowed"},
	{name: "ForAllValues aws:TagKeys outside", user: []string{doc(allow(act("iam:TagUser"), res("*"), `{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}`))}, call: "TagUser self owner", want: "implicitDeny"},
	{name: "ForAnyValue aws:TagKeys", user: []string{doc(allow(act("iam:TagUser"), res("*"), `{"ForAnyValue:StringLike":{"aws:TagKeys":["te*"]}}`))}, call: "TagUser self team", want: "allowed"},
	{name: "aws:RequestTag", user: []string{doc(allow(act("iam:TagUser"), res("*"), `{"StringEquals":{"aws:RequestTag/team":"blue"}}`))}, call: "TagUser self team", want: "allowed"},
	// iam:PolicyARN.
	{name: "iam:PolicyARN allowed", user: []string{doc(allow(act("iam:AttachUserPolicy"), res("*"), `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}`))}, call: "AttachUserPolicy ReadOnly to target", want: "allowed"},
	{name: "iam:PolicyARN other", user: []string{doc(allow(act("iam:AttachUserPolicy"), res("*"), `{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}`))}, call: "AttachUserPolicy Admin to target", want: "implicitDeny"},
}

func TestAuthorizationMatrix(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("target"), Path: aws.String("/ops/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))

	seq := 0
	newManaged := func(t *testing.T, document string) string {
		t.Helper()
		seq++
		out := must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("matrix%d", seq)), PolicyDocument: aws.String(document)}))
		return aws.ToString(out.Policy.Arn)
	}
	decisions := map[string]int{}
	for i, tc := range matrix {
		t.Run(tc.name, func(t *testing.T) {
			call, ok := matrixCalls[tc.call]
			if !ok {
				t.Fatalf("no call %q", tc.call)
			}
			user := "m" + strconv.Itoa(i)
			in := &iam.CreateUserInput{UserName: aws.String(user)}
			for k, v := range tc.tags {
				in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			if tc.boundary != "" {
				in.PermissionsBoundary = aws.String(newManaged(t, tc.boundary))
			}
			created := must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, in))
			for j, d := range tc.user {
				must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p" + strconv.Itoa(j)), PolicyDocument: aws.String(d)}))
			}
			attach := func(a string) {
				must[*iam.AttachUserPolicyOutput](t)(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String(a)}))
			}
			for _, d := range tc.managed {
				attach(newManaged(t, d))
			}
			for _, a := range tc.awsManaged {
				attach(a)
			}
			if len(tc.group) > 0 || len(tc.groupManaged) > 0 {
				g := aws.String("g" + user)
				must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: g}))
				must[*iam.AddUserToGroupOutput](t)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: g, UserName: aws.String(user)}))
				for j, d := range tc.group {
					must[*iam.PutGroupPolicyOutput](t)(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: g, PolicyName: aws.String("gp" + strconv.Itoa(j)), PolicyDocument: aws.String(d)}))
				}
				for _, d := range tc.groupManaged {
					must[*iam.AttachGroupPolicyOutput](t)(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: g, PolicyArn: aws.String(newManaged(t, d))}))
				}
			}
			key := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)}))
			c := s.GoIAM(e2etest.Creds{KeyID: aws.ToString(key.AccessKey.AccessKeyId), Secret: aws.ToString(key.AccessKey.SecretAccessKey)})

			// The real call.
			before := time.Now()
			got := realDecision(t, call.do(ctx, c, user))

			// The simulation, with the context that call had.
			userARN := acctARN + ":user/" + user
			entries := map[string][]string{
				"aws:username": {user}, "aws:userid": {aws.ToString(created.User.UserId)}, "aws:PrincipalArn": {userARN},
				"aws:PrincipalAccount": {e2etest.AccountID}, "aws:PrincipalType": {"User"}, "aws:SourceIp": {"127.0.0.1"},
				"aws:SecureTransport": {"false"}, "aws:RequestedRegion": {e2etest.Region},
				"aws:CurrentTime": {before.UTC().Format("2006-01-02T15:04:05Z")}, "aws:EpochTime": {strconv.FormatInt(before.Unix(), 10)},
			}
			for k, v := range tc.tags {
				entries["aws:PrincipalTag/"+k] = []string{v}
			}
			for k, v := range call.context {
				entries[k] = v
			}
			sim := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(userARN), ActionNames: []string{call.action}, ResourceArns: []string{call.resource(user)}}
			for k, v := range entries {
				sim.ContextEntries = append(sim.ContextEntries, types.ContextEntry{ContextKeyName: aws.String(k), ContextKeyValues: v, ContextKeyType: types.ContextKeyTypeEnumStringList})
			}
			out := must[*iam.SimulatePrincipalPolicyOutput](t)(root.SimulatePrincipalPolicy(ctx, sim))
			if len(out.EvaluationResults) != 1 {
				t.Fatalf("%d evaluation results", len(out.EvaluationResults))
			}
			simulated := string(out.EvaluationResults[0].EvalDecision)
			if got != tc.want || simulated != tc.want {
				t.Fatalf("%s on %s: real call %s, simulation %s; want %s", call.action, call.resource(user), got, simulated, tc.want)
			}
			if tc.want != "implicitDeny" && len(out.EvaluationResults[0].MatchedStatements) == 0 {
				t.Fatalf("%s without matched statements", tc.want)
			}
			decisions[tc.want]++
		})
	}
	// The matrix is not lopsided: each decision is exercised many times.
	for _, d := range []string{"allowed", "explicitDeny", "implicitDeny"} {
		if decisions[d] < 5 {
			t.Errorf("only %d cases decided %s", decisions[d], d)
		}
	}
}

// realDecision reads a call's outcome as an EvalDecision.
func realDecision(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return "allowed"
	}
	msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	if strings.Contains(msg, "with an explicit deny") {
		return "explicitDeny"
	}
	if !strings.Contains(msg, "because no identity-based policy allows") && !strings.Contains(msg, "because no permissions boundary allows") {
		t.Fatalf("AccessDenied worded %q", msg)
	}
	return "implicitDeny"
}

// TestAuditNamesTheDecidingStatement: every denied call's audit record
// says which statement decided it (policy, Sid, position), or that none
// matched; the client sees only AWS's wording.
func TestAuditNamesTheDecidingStatement(t *testing.T) {
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--audit-log", auditFile}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	bob := newUserWithKey(t, s, "Bob")
	must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoUsers"),
		PolicyDocument: aws.String("{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Sid\":\"DenyCreate\",\"Effect\":\"Deny\",\"Action\":\"iam:CreateUser\",\"Resource\":\"*\"}]}")}))
	must[*iam.AttachUserPolicyOutput](t)(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("Bob"), PolicyArn: aws.String(acctARN + ":policy/NoUsers")}))
	b := s.GoIAM(bob)
	_, err := b.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	if strings.Contains(msg, "DenyCreate") || strings.Contains(msg, "NoUsers") {
		t.Fatalf("the client is told the policy: %q", msg)
	}
	_, err = b.ListUsers(ctx, &iam.ListUsersInput{})
	wantDenied(t, err, acctARN+":user/Bob", "iam:ListUsers")

	raw, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	decisions := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r struct {
			Action    string `json:"action"`
			ErrorCode string `json:"error_code"`
			Decision  string `json:"decision"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if r.ErrorCode == "AccessDenied" {
			decisions[r.Action] = r.Decision
		}
	}
	want := map[string]string{
		"CreateUser": "explicitDeny by user-managed policy " + acctARN + ":policy/NoUsers statement DenyCreate at 2:15-2:91",
		"ListUsers":  "implicit deny: no statement allows it",
	}
	for action, d := range want {
		if decisions[action] != d {
			t.Errorf("%s: audit decision %q, want %q", action, decisions[action], d)
		}
	}
}
