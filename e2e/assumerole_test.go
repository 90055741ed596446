package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestAssumeRole: STS AssumeRole issues temporary credentials that are
// verified on every request and authorized by the role's current policies.
func TestAssumeRole(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), Path: aws.String("/ci/"), AssumeRolePolicyDocument: aws.String(trustAccount)}))
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(doc(allow(act("iam:List*"), res("*"))))}))
	const roleARN = acctARN + ":role/ci/deploy"
	// The operator may assume roles; the root may not (AWS: "Roles may not
	// be assumed by root accounts.").
	operator := newUserWithKey(t, s, "operator")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole"), res("*"))))}))

	assume := func(t *testing.T, c e2etest.Creds, in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
		t.Helper()
		if in.RoleArn == nil {
			in.RoleArn = aws.String(roleARN)
		}
		if in.RoleSessionName == nil {
			in.RoleSessionName = aws.String("job-1")
		}
		return s.GoSTS(c).AssumeRole(ctx, in)
	}
	session := func(out *sts.AssumeRoleOutput) e2etest.Creds {
		return e2etest.Creds{KeyID: aws.ToString(out.Credentials.AccessKeyId), Secret: aws.ToString(out.Credentials.SecretAccessKey), Token: aws.ToString(out.Credentials.SessionToken)}
	}

	t.Run("the root may not", func(t *testing.T) {
		_, err := s.GoSTS(e2etest.Root).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("root")})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "Roles may not be assumed by root accounts.")
	})

	t.Run("MFA inputs are refused, not ignored", func(t *testing.T) {
		_, err := assume(t, operator, &sts.AssumeRoleInput{SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/operator"), TokenCode: aws.String("123456")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("a user assumes the role", func(t *testing.T) {
		before := time.Now()
		out := must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{DurationSeconds: aws.Int32(900)}))
		c := out.Credentials
		if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 || len(aws.ToString(c.SecretAccessKey)) != 40 || aws.ToString(c.SessionToken) == "" {
			t.Fatalf("credentials %+v", c)
		}
		if exp := c.Expiration.Sub(before); exp < 899*time.Second || exp > 902*time.Second {
			t.Fatalf("expires in %v, want 15 minutes", exp)
		}
		role := must[*iam.GetRoleOutput](t)(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))
		if aws.ToString(out.AssumedRoleUser.AssumedRoleId) != aws.ToString(role.Role.RoleId)+":job-1" || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/deploy/job-1" {
			t.Fatalf("assumed role user %+v", out.AssumedRoleUser)
		}
		creds := session(out)
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:assumed-role/deploy/job-1" || aws.ToString(id.UserId) != aws.ToString(role.Role.RoleId)+":job-1" || aws.ToString(id.Account) != e2etest.AccountID {
			t.Fatalf("caller identity %+v", id)
		}
		sc := s.GoIAM(creds)
		must[*iam.ListUsersOutput](t)(sc.ListUsers(ctx, &iam.ListUsersInput{}))
		_, err := sc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
		wantDenied(t, err, "arn:aws:sts::123456789012:assumed-role/deploy/job-1", "iam:CreateUser")
	})

	t.Run("assuming the role is its last use", func(t *testing.T) {
		before := time.Now().Add(-time.Second)
		must[*sts.AssumeRoleOutput](t)(s.GoSTS(operator, "eu-west-3").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("last-used")}))
		role := must[*iam.GetRoleOutput](t)(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}))
		lu := role.Role.RoleLastUsed
		if lu == nil || lu.LastUsedDate == nil || lu.LastUsedDate.Before(before) || aws.ToString(lu.Region) != "eu-west-3" {
			t.Fatalf("RoleLastUsed after AssumeRole: %+v", lu)
		}
	})

	t.Run("tokens are verified", func(t *testing.T) {
		creds := session(must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{})))
		other := session(must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{})))
		for name, c := range map[string]e2etest.Creds{
			"altered":        {KeyID: creds.KeyID, Secret: creds.Secret, Token: creds.Token[:len(creds.Token)-2] + "AA"},
			"truncated":      {KeyID: creds.KeyID, Secret: creds.Secret, Token: creds.Token[:len(creds.Token)/2]},
			"another key's":  {KeyID: creds.KeyID, Secret: creds.Secret, Token: other.Token},
			"without token":  {KeyID: creds.KeyID, Secret: creds.Secret},
			"long-term key ": {KeyID: e2etest.RootKeyID, Secret: e2etest.RootSecret, Token: creds.Token},
		} {
			_, err := s.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if msg := wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId"); msg != "The security token included in the request is invalid." {
				t.Fatalf("%s token: %q", name, msg)
			}
		}
		_, err := s.GoSTS(e2etest.Creds{KeyID: creds.KeyID, Secret: "wrong" + creds.Secret[5:], Token: creds.Token}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, http.StatusForbidden, "SignatureDoesNotMatch")
	})

	t.Run("the trust policy and the caller's policies must both allow", func(t *testing.T) {
		alice := newUserWithKey(t, s, "alice")
		_, err := assume(t, alice, &sts.AssumeRoleInput{})
		wantDenied(t, err, acctARN+":user/alice", "sts:AssumeRole")
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole"), res(roleARN))))}))
		must[*sts.AssumeRoleOutput](t)(assume(t, alice, &sts.AssumeRoleInput{}))
		// A trust policy naming someone else refuses her.
		must[*iam.UpdateAssumeRolePolicyOutput](t)(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}`)}))
		_, err = assume(t, alice, &sts.AssumeRoleInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "User: "+acctARN+":user/alice is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
		// ExternalId, as third parties are told to use it.
		must[*iam.UpdateAssumeRolePolicyOutput](t)(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cr3t"}}}]}`)}))
		_, err = assume(t, alice, &sts.AssumeRoleInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		_, err = assume(t, alice, &sts.AssumeRoleInput{ExternalId: aws.String("guess")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		must[*sts.AssumeRoleOutput](t)(assume(t, alice, &sts.AssumeRoleInput{ExternalId: aws.String("s3cr3t")}))
		_, err = assume(t, operator, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/ci/missing")})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "User: "+acctARN+":user/operator is not authorized to perform: sts:AssumeRole on resource: "+acctARN+":role/ci/missing")
		// A Deny in the trust policy sees the caller's tags and transport.
		must[*iam.TagUserOutput](t)(root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("suspended"), Value: aws.String("true")}}}))
		must[*iam.UpdateAssumeRolePolicyOutput](t)(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"},
			{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalTag/suspended":"true"}}}]}`)}))
		_, err = assume(t, alice, &sts.AssumeRoleInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{}))
		must[*iam.UpdateAssumeRolePolicyOutput](t)(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"},
			{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)}))
		_, err = assume(t, operator, &sts.AssumeRoleInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		must[*iam.UpdateAssumeRolePolicyOutput](t)(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("deploy"), PolicyDocument: aws.String(trustAccount)}))
	})

	t.Run("a session policy limits the session", func(t *testing.T) {
		out := must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{Policy: aws.String(doc(allow(act("iam:ListUsers"), res("*"))))}))
		if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
			t.Fatalf("PackedPolicySize %v", out.PackedPolicySize)
		}
		sc := s.GoIAM(session(out))
		must[*iam.ListUsersOutput](t)(sc.ListUsers(ctx, &iam.ListUsersInput{}))
		_, err := sc.ListRoles(ctx, &iam.ListRolesInput{})
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		if !strings.HasSuffix(msg, "because no session policy allows the iam:ListRoles action") {
			t.Fatalf("message %q", msg)
		}
		_, err = assume(t, operator, &sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow"}}`)})
		wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument")
	})

	t.Run("durations", func(t *testing.T) {
		_, err := assume(t, operator, &sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"), "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		must[*iam.UpdateRoleOutput](t)(root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("deploy"), MaxSessionDuration: aws.Int32(7200)}))
		chained := session(must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)})))
		// Role chaining: the session assumes a role trusting its role.
		must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("next"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"}]}`), MaxSessionDuration: aws.Int32(7200)}))
		must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("chain"),
			PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole"), res(acctARN+":role/next"))))}))
		_, err = assume(t, chained, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/next"), DurationSeconds: aws.Int32(3601)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"), "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		out := must[*sts.AssumeRoleOutput](t)(assume(t, chained, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/next")}))
		if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/next/job-1" {
			t.Fatalf("chained session %+v", out.AssumedRoleUser)
		}
	})

	t.Run("revocation takes effect on the next request", func(t *testing.T) {
		creds := session(must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{})))
		sc := s.GoIAM(creds)
		must[*iam.ListUsersOutput](t)(sc.ListUsers(ctx, &iam.ListUsersInput{}))
		// AWS's "revoke active sessions": deny sessions issued before now.
		cutoff := time.Now().Add(time.Second).UTC().Format("2006-01-02T15:04:05Z")
		must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("revoke"),
			PolicyDocument: aws.String(doc(deny(act("*"), res("*"), `{"DateLessThan":{"aws:TokenIssueTime":"`+cutoff+`"}}`)))}))
		_, err := sc.ListUsers(ctx, &iam.ListUsersInput{})
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		if !strings.HasSuffix(msg, "with an explicit deny in an identity-based policy") {
			t.Fatalf("message %q", msg)
		}
		must[*iam.DeleteRolePolicyOutput](t)(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("revoke")}))
		must[*iam.ListUsersOutput](t)(sc.ListUsers(ctx, &iam.ListUsersInput{}))
		// The role's policy removed: denied at once.
		must[*iam.DeleteRolePolicyOutput](t)(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("read")}))
		_, err = sc.ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, "arn:aws:sts::123456789012:assumed-role/deploy/job-1", "iam:ListUsers")
		// A role deleted and made again under the same name: old sessions
		// get nothing of the new role.
		must[*iam.DeleteRolePolicyOutput](t)(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("chain")}))
		must[*iam.UpdateRoleOutput](t)(root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("deploy"), MaxSessionDuration: aws.Int32(3600)}))
		must[*iam.DeleteRoleOutput](t)(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("deploy")}))
		must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("deploy"), Path: aws.String("/ci/"), AssumeRolePolicyDocument: aws.String(trustAccount)}))
		must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"), PolicyName: aws.String("all"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))}))
		_, err = sc.ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, "arn:aws:sts::123456789012:assumed-role/deploy/job-1", "iam:ListUsers")
	})

	t.Run("a session is never taken for the root", func(t *testing.T) {
		// Even allowed everything, a session that names no user acts on no
		// one's keys: never the root's, as an empty UserName means for the
		// root itself.
		must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"), AssumeRolePolicyDocument: aws.String(trustAccount)}))
		must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("all"), PolicyDocument: aws.String(doc(allow(act("*"), res("*"))))}))
		sc := s.GoIAM(session(must[*sts.AssumeRoleOutput](t)(assume(t, operator, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/admin")}))))
		const msg = "Must specify userName when calling with non-User credentials"
		_, err := sc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"), msg)
		_, err = sc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"), msg)
		_, err = sc.GetUser(ctx, &iam.GetUserInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"), msg)
		for name, call := range map[string]func() error{
			"UpdateAccessKey": func() error {
				_, err := sc.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(e2etest.RootKeyID), Status: "Inactive"})
				return err
			},
			"DeleteAccessKey": func() error {
				_, err := sc.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(e2etest.RootKeyID)})
				return err
			},
			"ListMFADevices":    func() error { _, err := sc.ListMFADevices(ctx, &iam.ListMFADevicesInput{}); return err },
			"ListSSHPublicKeys": func() error { _, err := sc.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{}); return err },
			"ListSigningCertificates": func() error {
				_, err := sc.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{})
				return err
			},
		} {
			if err := call(); err == nil {
				t.Fatalf("%s without a user name succeeded for a session", name)
			} else if got, gotMsg := apiCode(t, err); got != "ValidationError" || gotMsg != msg {
				t.Fatalf("%s: %s %q", name, got, gotMsg)
			}
		}
		keys := must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
		if len(keys.AccessKeyMetadata) != 1 {
			t.Fatalf("the root has %d keys", len(keys.AccessKeyMetadata))
		}
		// Naming a user works as the policy allows.
		newUserWithKey(t, s, "carol")
		must[*iam.ListAccessKeysOutput](t)(sc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("carol")}))
	})

	t.Run("stscreds.AssumeRoleProvider", func(t *testing.T) {
		provider := stscreds.NewAssumeRoleProvider(s.GoSTS(operator), roleARN, func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "sdk" })
		c := iam.New(iam.Options{Region: e2etest.Region, BaseEndpoint: aws.String(s.URL), Credentials: aws.NewCredentialsCache(provider), RetryMaxAttempts: 1})
		must[*iam.ListUsersOutput](t)(c.ListUsers(context.Background(), &iam.ListUsersInput{}))
		got, err := provider.Retrieve(ctx)
		if err != nil || !got.CanExpire || !strings.HasPrefix(got.AccessKeyID, "ASIA") {
			t.Fatalf("provider credentials %+v, %v", got, err)
		}
	})
}

// TestAssumeRoleAcrossAccounts: a role of another account on the same
// server is assumed as across AWS accounts: its trust policy names the
// caller's account and the caller's own policies allow the call.
func TestAssumeRoleAcrossAccounts(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	otherID, otherRoot := newAccount(t, s)
	other := s.GoIAM(otherRoot)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t)(other.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("shared"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.PutRolePolicyOutput](t)(other.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("shared"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc(allow(act("iam:ListUsers"), res("*"))))}))
	roleARN := "arn:aws:iam::" + otherID + ":role/shared"

	bob := newUserWithKey(t, s, "bob")
	_, err := s.GoSTS(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xs")})
	wantDenied(t, err, acctARN+":user/bob", "sts:AssumeRole") // his own account's policies must allow it too
	must[*iam.PutUserPolicyOutput](t)(s.GoIAM(e2etest.Root).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole"), res(roleARN))))}))
	out := must[*sts.AssumeRoleOutput](t)(s.GoSTS(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xs")}))
	sess := e2etest.Creds{KeyID: aws.ToString(out.Credentials.AccessKeyId), Secret: aws.ToString(out.Credentials.SecretAccessKey), Token: aws.ToString(out.Credentials.SessionToken)}
	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Account) != otherID || aws.ToString(id.Arn) != "arn:aws:sts::"+otherID+":assumed-role/shared/xs" {
		t.Fatalf("caller identity %+v", id)
	}
	// The session acts in the role's account, not in bob's.
	users := must[*iam.ListUsersOutput](t)(s.GoIAM(sess).ListUsers(ctx, &iam.ListUsersInput{}))
	for _, u := range users.Users {
		if aws.ToString(u.UserName) == "bob" {
			t.Fatal("the session lists bob's account's users")
		}
	}
	// A trust policy naming a third account refuses bob's.
	must[*iam.UpdateAssumeRolePolicyOutput](t)(other.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("shared"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole"}]}`)}))
	_, err = s.GoSTS(bob).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("xs")})
	wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
}
