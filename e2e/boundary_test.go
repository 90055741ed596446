package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestBoundaryDelegation walks AWS's documented delegation pattern (IAM
// User Guide, "Delegating responsibility to others by using permissions
// boundaries"): an administrator lets Zhang create and manage users only
// if they carry the XCompanyBoundaries boundary, and denies him editing
// or removing that boundary. Every escalation the guide warns of is tried
// and refused; the allowed path works, and a user Zhang creates cannot
// exceed the boundary even with AdministratorAccess attached.
func TestBoundaryDelegation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	const boundaryARN = acctARN + ":policy/XCompanyBoundaries"
	const otherARN = acctARN + ":policy/Wide"

	// What any delegated user may ever do: read IAM and manage their own
	// access keys.
	must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("XCompanyBoundaries"), PolicyDocument: aws.String(doc(
		allow(act("iam:Get*", "iam:List*"), res("*")),
		allow(act("iam:CreateAccessKey", "iam:DeleteAccessKey"), res("arn:aws:iam::*:user/${aws:username}")),
	))}))
	must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Wide"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))}))
	delegated := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"CreateOrChangeOnlyWithBoundary","Effect":"Allow",
	  "Action":["iam:CreateUser","iam:DeleteUserPolicy","iam:AttachUserPolicy","iam:DetachUserPolicy","iam:PutUserPermissionsBoundary","iam:PutUserPolicy"],
	  "Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundaryARN + `"}}},
	 {"Sid":"IAMTasks","Effect":"Allow","Action":["iam:GetUser","iam:ListUsers","iam:DeleteUser","iam:UpdateUser","iam:CreateAccessKey","iam:ListAccessKeys","iam:GetPolicy","iam:ListPolicies","iam:GetPolicyVersion"],"Resource":"*"},
	 {"Sid":"NoBoundaryPolicyEdit","Effect":"Deny","Action":["iam:CreatePolicyVersion","iam:DeletePolicy","iam:DeletePolicyVersion","iam:SetDefaultPolicyVersion"],"Resource":["` + boundaryARN + `"]},
	 {"Sid":"NoBoundaryUserDelete","Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*"}]}`
	zhang := newUserWithKey(t, s, "Zhang")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Zhang"), PolicyName: aws.String("DelegatedUserPolicy"), PolicyDocument: aws.String(delegated)}))
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("legacy")}))
	z := s.GoIAM(zhang)
	zARN := acctARN + ":user/Zhang"

	implicit := func(t *testing.T, err error, action string) {
		t.Helper()
		wantDenied(t, err, zARN, action)
	}
	explicit := func(t *testing.T, err error, action string) {
		t.Helper()
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		if !strings.HasPrefix(msg, "User: "+zARN+" is not authorized to perform: "+action+" on resource: ") || !strings.HasSuffix(msg, " with an explicit deny in an identity-based policy") {
			t.Fatalf("message %q", msg)
		}
	}

	t.Run("create a user without the boundary", func(t *testing.T) {
		_, err := z.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobound")})
		implicit(t, err, "iam:CreateUser")
	})
	t.Run("create a user with another boundary", func(t *testing.T) {
		_, err := z.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("wide"), PermissionsBoundary: aws.String(otherARN)})
		implicit(t, err, "iam:CreateUser")
	})
	t.Run("none of the refused users exist", func(t *testing.T) {
		for _, n := range []string{"nobound", "wide"} {
			_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(n)})
			wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		}
	})

	var devKey e2etest.Creds
	t.Run("create a user with the boundary", func(t *testing.T) {
		out := must[*iam.CreateUserOutput](t)(z.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(boundaryARN)}))
		if b := out.User.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != boundaryARN || b.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
			t.Fatalf("created user's boundary %+v", out.User.PermissionsBoundary)
		}
		got := must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))
		if aws.ToString(got.User.PermissionsBoundary.PermissionsBoundaryArn) != boundaryARN {
			t.Fatalf("GetUser boundary %+v", got.User.PermissionsBoundary)
		}
		// Zhang may give it AdministratorAccess: the boundary caps it.
		must[*iam.AttachUserPolicyOutput](t)(z.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
		must[*iam.PutUserPolicyOutput](t)(z.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("all"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))}))
		k := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
		devKey = e2etest.Creds{KeyID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
	})
	t.Run("the created user stays inside the boundary", func(t *testing.T) {
		dev := s.GoIAM(devKey)
		must[*iam.ListUsersOutput](t)(dev.ListUsers(ctx, &iam.ListUsersInput{}))
		must[*iam.CreateAccessKeyOutput](t)(dev.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
		devARN := acctARN + ":user/dev"
		_, err := dev.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("escalated")})
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		wantMessage(t, msg, "User: "+devARN+" is not authorized to perform: iam:CreateUser on resource: "+acctARN+":user/escalated because no permissions boundary allows the iam:CreateUser action")
		_, err = dev.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dev")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		_, err = dev.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Zhang")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	})
	t.Run("remove the boundary", func(t *testing.T) {
		_, err := z.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dev")})
		explicit(t, err, "iam:DeleteUserPermissionsBoundary")
	})
	t.Run("replace the boundary", func(t *testing.T) {
		_, err := z.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(otherARN)})
		implicit(t, err, "iam:PutUserPermissionsBoundary")
	})
	t.Run("edit the boundary policy", func(t *testing.T) {
		_, err := z.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(boundaryARN), PolicyDocument: aws.String(doc(allow(act("*"), res("*")))), SetAsDefault: true})
		explicit(t, err, "iam:CreatePolicyVersion")
		_, err = z.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(boundaryARN)})
		explicit(t, err, "iam:DeletePolicy")
		_, err = z.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(boundaryARN), VersionId: aws.String("v1")})
		explicit(t, err, "iam:SetDefaultPolicyVersion")
	})
	t.Run("grant a user without the boundary", func(t *testing.T) {
		_, err := z.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("legacy"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		implicit(t, err, "iam:AttachUserPolicy")
		_, err = z.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("legacy"), PolicyName: aws.String("x"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))})
		implicit(t, err, "iam:PutUserPolicy")
	})
	t.Run("grant himself", func(t *testing.T) {
		_, err := z.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("Zhang"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		implicit(t, err, "iam:AttachUserPolicy")
		_, err = z.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("Zhang"), PermissionsBoundary: aws.String(boundaryARN)})
		// Allowed by the guide's policy: it can only narrow him.
		if err != nil {
			t.Fatalf("put the boundary on himself: %v", err)
		}
		_, err = z.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("Zhang"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		wantMessage(t, msg, "User: "+zARN+" is not authorized to perform: iam:AttachUserPolicy on resource: "+zARN+" because no permissions boundary allows the iam:AttachUserPolicy action")
	})
	t.Run("nothing escalated", func(t *testing.T) {
		for _, u := range []string{"legacy", "Zhang"} {
			att := must[*iam.ListAttachedUserPoliciesOutput](t)(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(u)}))
			if len(att.AttachedPolicies) != 0 {
				t.Fatalf("%s has %+v attached", u, att.AttachedPolicies)
			}
		}
		v := must[*iam.ListPolicyVersionsOutput](t)(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(boundaryARN)}))
		if len(v.Versions) != 1 {
			t.Fatalf("boundary policy versions %+v", v.Versions)
		}
		got := must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))
		if got.User.PermissionsBoundary == nil || aws.ToString(got.User.PermissionsBoundary.PermissionsBoundaryArn) != boundaryARN {
			t.Fatalf("dev's boundary changed: %+v", got.User.PermissionsBoundary)
		}
	})
}
