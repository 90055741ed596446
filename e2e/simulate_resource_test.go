package e2e

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestSimulateWithResourcePolicy: the simulator's ResourcePolicy,
// CallerArn and ResourceOwner, through the Go SDK.
func TestSimulateWithResourcePolicy(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
	const reader = acctARN + ":user/reader"
	bucket := `{"Version":"2012-10-17","Statement":[
  {"Sid":"ReaderGets","Effect":"Allow","Principal":{"AWS":"` + reader + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"},
  {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}]}`
	object := "arn:aws:s3:::reports/2026.csv"

	decide := func(t *testing.T, in *iam.SimulatePrincipalPolicyInput) types.EvaluationResult {
		t.Helper()
		out := must[*iam.SimulatePrincipalPolicyOutput](t)(root.SimulatePrincipalPolicy(ctx, in))
		if len(out.EvaluationResults) != 1 {
			t.Fatalf("%d results", len(out.EvaluationResults))
		}
		return out.EvaluationResults[0]
	}
	t.Run("the resource policy grants the user", func(t *testing.T) {
		r := decide(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(reader), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object}, ResourcePolicy: aws.String(bucket)})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 1 ||
			aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "ResourcePolicy" || r.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeResource ||
			r.MatchedStatements[0].StartPosition.Line != 2 {
			t.Fatalf("result %+v", r)
		}
	})
	t.Run("a resource deny wins", func(t *testing.T) {
		r := decide(t, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(reader), ActionNames: []string{"s3:DeleteObject"}, ResourceArns: []string{object}, ResourcePolicy: aws.String(bucket),
			PolicyInputList: []string{doc(allow(act("s3:*"), res("*")))}})
		if r.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny {
			t.Fatalf("decision %s", r.EvalDecision)
		}
	})
	t.Run("across accounts the identity must allow too", func(t *testing.T) {
		in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(reader), ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object}, ResourcePolicy: aws.String(bucket),
			ResourceOwner: aws.String("arn:aws:iam::210987654321:root")}
		if r := decide(t, in); r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Fatalf("without an identity allow: %s", r.EvalDecision)
		}
		in.PolicyInputList = []string{doc(allow(act("s3:GetObject"), res("*")))}
		if r := decide(t, in); r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 2 {
			t.Fatalf("with an identity allow: %+v", r)
		}
	})
	t.Run("another caller is not granted", func(t *testing.T) {
		out := must[*iam.SimulateCustomPolicyOutput](t)(root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{doc(allow(act("iam:GetUser"), res("*")))}, ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{object},
			ResourcePolicy: aws.String(bucket), CallerArn: aws.String(acctARN + ":user/someone")}))
		if d := out.EvaluationResults[0].EvalDecision; d != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Fatalf("decision %s", d)
		}
	})
	t.Run("a resource policy needs a caller", func(t *testing.T) {
		_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc(allow(act("s3:*"), res("*")))}, ActionNames: []string{"s3:GetObject"}, ResourcePolicy: aws.String(bucket)})
		wantAPIError(t, err, http.StatusBadRequest, "InvalidInput")
	})
	t.Run("a resource policy without a principal is refused", func(t *testing.T) {
		_, err := root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(reader), ActionNames: []string{"s3:GetObject"}, ResourcePolicy: aws.String(doc(allow(act("s3:*"), res("*"))))})
		wantAPIError(t, err, http.StatusBadRequest, "InvalidInput")
	})
}

// TestSimulateOnlyTheNamedEntity: SimulatePrincipalPolicy simulates only
// the user or group with exactly the PolicySourceArn its caller was
// authorized for. A caller allowed to simulate group/sandbox/* cannot
// simulate the /Admins group by writing its name under /sandbox/, nor a
// user denied by name by writing the name in another case.
func TestSimulateOnlyTheNamedEntity(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Admins")}))
	must[*iam.PutGroupPolicyOutput](t)(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Admins"), PolicyName: aws.String("all"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))}))
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	auditor := newUserWithKey(t, s, "auditor")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("sim"), PolicyDocument: aws.String(doc(
		allow(act("iam:SimulatePrincipalPolicy", "iam:GetContextKeysForPrincipalPolicy"), res(acctARN+":group/sandbox/*", acctARN+":user/*")),
		deny(act("iam:SimulatePrincipalPolicy"), res(acctARN+":user/admin")),
	))}))
	a := s.GoIAM(auditor)
	for _, src := range []string{acctARN + ":group/sandbox/Admins", acctARN + ":user/Admin", acctARN + ":user/x/admin"} {
		_, err := a.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(src), ActionNames: []string{"iam:CreateUser"}})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		_, err = a.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(src)})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	}
	_, err := a.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(acctARN + ":user/admin"), ActionNames: []string{"iam:CreateUser"}})
	wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	// The exact ARN works for whoever may simulate it.
	out := must[*iam.SimulatePrincipalPolicyOutput](t)(root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(acctARN + ":group/Admins"), ActionNames: []string{"iam:CreateUser"}}))
	if out.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Fatalf("the Admins group simulated %s", out.EvaluationResults[0].EvalDecision)
	}
}
