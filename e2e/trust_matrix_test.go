package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestTrustMatrix: who may assume a role, by AWS's rules: within an
// account the trust policy naming the user's ARN suffices, naming the
// account delegates to the user's own policies, and an explicit deny
// anywhere wins; across accounts both sides must allow; conditions see
// sts:ExternalId and the session's tags. Where AWS's simulator models the
// decision (a trust policy given as ResourcePolicy), SimulatePrincipalPolicy
// must agree with AssumeRole.
func TestTrustMatrix(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	other, otherRoot := newAccount(t, s)
	otherIAM := s.GoIAM(otherRoot)
	const userARN = acctARN + ":user/caller"
	caller := newUserWithKey(t, s, "caller")
	setIdentity := func(t *testing.T, document string) {
		t.Helper()
		if document == "" {
			_, _ = root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("p")})
			return
		}
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("p"), PolicyDocument: aws.String(document)}))
	}
	allowAssume := doc(allow(act("sts:AssumeRole", "sts:TagSession"), res("*")))
	trustOf := func(principal string, condition ...string) string {
		st := `{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["sts:AssumeRole","sts:TagSession"]`
		if len(condition) > 0 {
			st += `,"Condition":` + condition[0]
		}
		return `{"Version":"2012-10-17","Statement":[` + st + `}]}`
	}
	cases := []struct {
		name     string
		account  string // the role's account: "" for the caller's
		trust    string
		identity string
		in       sts.AssumeRoleInput
		want     string // "allowed", "explicitDeny", "implicitDeny"
		// simulate: AWS's simulator models this decision. It does not where
		// the user's own policies allow and the trust policy is silent in
		// the same account: the simulator treats a resource policy as
		// optional there, AssumeRole requires its trust policy to allow.
		simulate bool
		context  []types.ContextEntry
	}{
		{name: "account trusted, identity allows", trust: trustOf(e2etest.AccountID), identity: allowAssume, want: "allowed", simulate: true},
		{name: "account trusted, identity silent", trust: trustOf(acctARN + ":root"), want: "implicitDeny", simulate: true},
		{name: "user ARN trusted, identity silent", trust: trustOf(userARN), want: "allowed", simulate: true},
		{name: "user ARN trusted, identity denies", trust: trustOf(userARN), identity: doc(deny(act("sts:AssumeRole"), res("*"))), want: "explicitDeny", simulate: true},
		{name: "another user trusted, identity allows", trust: trustOf(acctARN + ":user/someone"), identity: allowAssume, want: "implicitDeny"},
		{name: "trust denies the user", trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + e2etest.AccountID + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`,
			identity: allowAssume, want: "explicitDeny", simulate: true},
		{name: "ExternalId matches", trust: trustOf(e2etest.AccountID, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`), identity: allowAssume,
			in: sts.AssumeRoleInput{ExternalId: aws.String("ext-123")}, want: "allowed", simulate: true,
			context: []types.ContextEntry{{ContextKeyName: aws.String("sts:ExternalId"), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"ext-123"}}}},
		{name: "ExternalId differs", trust: trustOf(e2etest.AccountID, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`), identity: allowAssume,
			in: sts.AssumeRoleInput{ExternalId: aws.String("ext-999")}, want: "implicitDeny"},
		{name: "ExternalId missing", trust: trustOf(e2etest.AccountID, `{"StringEquals":{"sts:ExternalId":"ext-123"}}`), identity: allowAssume, want: "implicitDeny"},
		{name: "session tag matches the trust condition", trust: trustOf(e2etest.AccountID, `{"StringEquals":{"aws:RequestTag/team":"blue"}}`), identity: allowAssume,
			in: sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}, want: "allowed"},
		{name: "session tag fails the trust condition", trust: trustOf(e2etest.AccountID, `{"StringEquals":{"aws:RequestTag/team":"blue"}}`), identity: allowAssume,
			in: sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}}, want: "implicitDeny"},
		{name: "cross account: both allow", account: other, trust: trustOf(e2etest.AccountID), identity: allowAssume, want: "allowed", simulate: true},
		{name: "cross account: identity silent", account: other, trust: trustOf(e2etest.AccountID), want: "implicitDeny", simulate: true},
		{name: "cross account: user ARN trusted, identity silent", account: other, trust: trustOf(userARN), want: "implicitDeny", simulate: true},
		{name: "cross account: another account trusted", account: other, trust: trustOf("210987654321"), identity: allowAssume, want: "implicitDeny", simulate: true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			account, admin := e2etest.AccountID, root
			if tc.account != "" {
				account, admin = tc.account, otherIAM
			}
			name := fmt.Sprintf("matrix-%d", i)
			roleARN := "arn:aws:iam::" + account + ":role/" + name
			must[*iam.CreateRoleOutput](t)(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(tc.trust)}))
			setIdentity(t, tc.identity)
			in := tc.in
			in.RoleArn, in.RoleSessionName = aws.String(roleARN), aws.String("matrix")
			_, err := s.GoSTS(caller).AssumeRole(ctx, &in)
			switch tc.want {
			case "allowed":
				if err != nil {
					t.Fatalf("AssumeRole: %v", err)
				}
			default:
				wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
			}
			if !tc.simulate {
				return
			}
			sim := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(userARN), ActionNames: []string{"sts:AssumeRole"}, ResourceArns: []string{roleARN},
				ResourcePolicy: aws.String(tc.trust), ContextEntries: tc.context}
			if tc.account != "" {
				sim.ResourceOwner = aws.String("arn:aws:iam::" + tc.account + ":root")
			}
			out := must[*iam.SimulatePrincipalPolicyOutput](t)(root.SimulatePrincipalPolicy(ctx, sim))
			if got := string(out.EvaluationResults[0].EvalDecision); got != tc.want {
				t.Fatalf("SimulatePrincipalPolicy says %s, AssumeRole %s", got, tc.want)
			}
		})
	}
}
