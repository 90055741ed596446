package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

func credsOf(c *ststypes.Credentials) e2etest.Creds {
	return e2etest.Creds{KeyID: aws.ToString(c.AccessKeyId), Secret: aws.ToString(c.SecretAccessKey), Token: aws.ToString(c.SessionToken)}
}

// TestSessionLimits: what AssumeRole's session policies (inline and
// managed), session tags (and their transitive keys through role
// chaining) and source identity do to the session, each checked by the
// calls the session can and cannot make.
func TestSessionLimits(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`
	// The role may read users and tag the users whose team matches the
	// session's team tag; it may assume itself (role chaining).
	for _, name := range []string{"worker", "next"} {
		must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("role-default")}}}))
		must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(doc(
				allow(act("iam:GetUser", "iam:ListUsers", "iam:ListRoles", "sts:AssumeRole", "sts:TagSession"), res("*")),
				allow(act("iam:TagUser"), res("*"), `{"StringEquals":{"iam:ResourceTag/team":"${aws:PrincipalTag/team}"}}`),
				deny(act("iam:ListRoles"), res("*"), `{"StringEquals":{"aws:SourceIdentity":"mallory"}}`)))}))
	}
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("target"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("only-get"), PolicyDocument: aws.String(doc(allow(act("iam:GetUser"), res("*"))))}))
	operator := newUserWithKey(t, s, "operator")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"), res("*"))))}))
	assume := func(t *testing.T, c e2etest.Creds, role string, in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
		t.Helper()
		in.RoleArn, in.RoleSessionName = aws.String(acctARN+":role/"+role), aws.String("s1")
		return s.GoSTS(c).AssumeRole(ctx, in)
	}
	tagTarget := func(c e2etest.Creds) error {
		_, err := s.GoIAM(c).TagUser(ctx, &iam.TagUserInput{UserName: aws.String("target"), Tags: []types.Tag{{Key: aws.String("seen"), Value: aws.String("1")}}})
		return err
	}
	const sessionARN = "arn:aws:sts::123456789012:assumed-role/worker/s1"

	t.Run("managed and inline session policies intersect the role's", func(t *testing.T) {
		out := must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(acctARN + ":policy/only-get")}}}))
		if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 {
			t.Fatalf("PackedPolicySize = %v, want a percentage", out.PackedPolicySize)
		}
		c := credsOf(out.Credentials)
		must[*iam.GetUserOutput](t)(s.GoIAM(c).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")}))
		_, err := s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+sessionARN+" is not authorized to perform: iam:ListUsers on resource: "+acctARN+":user/ because no session policy allows the iam:ListUsers action")
		// Either session policy allowing is enough; the role must allow too.
		out = must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(acctARN + ":policy/only-get")}},
			Policy:     aws.String(doc(allow(act("iam:ListUsers", "iam:CreateUser"), res("*"))))}))
		c = credsOf(out.Credentials)
		must[*iam.ListUsersOutput](t)(s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{}))
		must[*iam.GetUserOutput](t)(s.GoIAM(c).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")}))
		_, err = s.GoIAM(c).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nope")})
		wantDenied(t, err, sessionARN, "iam:CreateUser")
		// A session policy deleted later allows nothing from then on.
		must[*iam.DeletePolicyOutput](t)(root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(acctARN + ":policy/only-get")}))
		_, err = s.GoIAM(c).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("target")})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+sessionARN+" is not authorized to perform: iam:GetUser on resource: "+acctARN+":user/target because no session policy allows the iam:GetUser action")
		must[*iam.ListUsersOutput](t)(s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{}))
		_, err = assume(t, operator, "worker", &sts.AssumeRoleInput{PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String("not-an-arn-but-long-enough")}}})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("session tags are principal tags and pass on when transitive", func(t *testing.T) {
		// The role's own tag says "role-default": no match with blue.
		plain := credsOf(must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{})).Credentials)
		wantDenied(t, tagTarget(plain), sessionARN, "iam:TagUser")
		// A session tag overrides the role's tag of the same key.
		out := must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{
			Tags: []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("blue")}}, TransitiveTagKeys: []string{"Team"}}))
		blue := credsOf(out.Credentials)
		if err := tagTarget(blue); err != nil {
			t.Fatalf("TagUser with the session tag team=blue: %v", err)
		}
		// The chained session inherits the transitive tag, and may not
		// override it.
		chained := credsOf(must[*sts.AssumeRoleOutput](t)(assume(t, blue, "next", &sts.AssumeRoleInput{})).Credentials)
		if err := tagTarget(chained); err != nil {
			t.Fatalf("TagUser with the inherited tag: %v", err)
		}
		_, err := assume(t, blue, "next", &sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
		wantAPIError(t, err, http.StatusBadRequest, "InvalidParameterValue")
		// A transitive key must be one of the tags.
		_, err = assume(t, operator, "worker", &sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, TransitiveTagKeys: []string{"b"}})
		wantAPIError(t, err, http.StatusBadRequest, "InvalidParameterValue")
	})

	t.Run("tagging needs sts:TagSession from both sides", func(t *testing.T) {
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole", "sts:SetSourceIdentity"), res("*"))))}))
		_, err := assume(t, operator, "worker", &sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+acctARN+":user/operator is not authorized to perform: sts:TagSession on resource: "+acctARN+":role/worker")
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"), res("*"))))}))
		must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("untagged"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`)}))
		_, err = assume(t, operator, "untagged", &sts.AssumeRoleInput{Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+acctARN+":user/operator is not authorized to perform: sts:TagSession on resource: "+acctARN+":role/untagged")
		_, err = assume(t, operator, "untagged", &sts.AssumeRoleInput{SourceIdentity: aws.String("alice")})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+acctARN+":user/operator is not authorized to perform: sts:SetSourceIdentity on resource: "+acctARN+":role/untagged")
	})

	t.Run("the source identity is a condition key and stays through chaining", func(t *testing.T) {
		out := must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{SourceIdentity: aws.String("mallory")}))
		if aws.ToString(out.SourceIdentity) != "mallory" {
			t.Fatalf("SourceIdentity = %q", aws.ToString(out.SourceIdentity))
		}
		c := credsOf(out.Credentials)
		_, err := s.GoIAM(c).ListRoles(ctx, &iam.ListRolesInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"),
			"User: "+sessionARN+" is not authorized to perform: iam:ListRoles on resource: "+acctARN+":role/ with an explicit deny in an identity-based policy")
		chained := must[*sts.AssumeRoleOutput](t)(assume(t, c, "next", &sts.AssumeRoleInput{}))
		if aws.ToString(chained.SourceIdentity) != "mallory" {
			t.Fatalf("chained SourceIdentity = %q", aws.ToString(chained.SourceIdentity))
		}
		_, err = s.GoIAM(credsOf(chained.Credentials)).ListRoles(ctx, &iam.ListRolesInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		_, err = assume(t, c, "next", &sts.AssumeRoleInput{SourceIdentity: aws.String("alice")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		other := credsOf(must[*sts.AssumeRoleOutput](t)(assume(t, operator, "worker", &sts.AssumeRoleInput{SourceIdentity: aws.String("alice")})).Credentials)
		must[*iam.ListRolesOutput](t)(s.GoIAM(other).ListRoles(ctx, &iam.ListRolesInput{}))
	})
}

// TestGetSessionToken: a user's (and the root's) temporary credentials
// carry its identity and permissions, and are limited as AWS limits them:
// no IAM calls without MFA, in STS only AssumeRole and GetCallerIdentity.
func TestGetSessionToken(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}`)}))
	bob := newUserWithKey(t, s, "bob")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(doc(allow(act("iam:*", "sts:*"), res("*"))))}))
	user := must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}))

	before := time.Now()
	out := must[*sts.GetSessionTokenOutput](t)(s.GoSTS(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	if exp := out.Credentials.Expiration.Sub(before); exp < 12*time.Hour-time.Minute || exp > 12*time.Hour+time.Minute {
		t.Fatalf("a user's session expires in %v, want the default 12 hours", exp)
	}
	c := credsOf(out.Credentials)
	if !strings.HasPrefix(c.KeyID, "ASIA") {
		t.Fatalf("key id %q", c.KeyID)
	}
	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != acctARN+":user/bob" || aws.ToString(id.UserId) != aws.ToString(user.User.UserId) {
		t.Fatalf("caller identity %+v: a user's session is the user", id)
	}
	_, err := s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{})
	wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId"), "The security token included in the request is invalid.")
	_, err = s.GoSTS(c).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "Cannot call GetSessionToken with session credentials")
	_, err = s.GoSTS(c).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "Cannot call GetFederationToken with session credentials")
	// AssumeRole is allowed, with the user's permissions.
	role := must[*sts.AssumeRoleOutput](t)(s.GoSTS(c).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/r"), RoleSessionName: aws.String("via-session")}))
	if aws.ToString(role.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/r/via-session" {
		t.Fatalf("assumed %+v", role.AssumedRoleUser)
	}
	// The session follows the user: deleting the user's key does not end
	// it, deleting the user's permission does.
	must[*iam.DeleteUserPolicyOutput](t)(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p")}))
	_, err = s.GoSTS(c).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/r"), RoleSessionName: aws.String("again")})
	wantDenied(t, err, acctARN+":user/bob", "sts:AssumeRole")

	_, err = s.GoSTS(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)})
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	_, err = s.GoSTS(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::123456789012:mfa/bob"), TokenCode: aws.String("123456")})
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError")

	// The CLI's get-session-token, and the CLI signing with its answer.
	cliOut, stderr, err := s.AWSCLI(t, bob, "sts", "get-session-token", "--duration-seconds", "900")
	if err != nil {
		t.Fatalf("aws sts get-session-token: %v\n%s", err, stderr)
	}
	var cli struct {
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string
		}
	}
	jsonDecode(t, cliOut, &cli)
	if !strings.HasPrefix(cli.Credentials.AccessKeyID, "ASIA") || cli.Credentials.SessionToken == "" || cli.Credentials.Expiration == "" {
		t.Fatalf("get-session-token printed %s", cliOut)
	}
	cliOut, stderr, err = s.AWSCLI(t, e2etest.Creds{KeyID: cli.Credentials.AccessKeyID, Secret: cli.Credentials.SecretAccessKey, Token: cli.Credentials.SessionToken}, "sts", "get-caller-identity")
	if err != nil || !strings.Contains(cliOut, acctARN+":user/bob") {
		t.Fatalf("get-caller-identity with the CLI's session: %v\n%s%s", err, cliOut, stderr)
	}

	// A session's key id carries its account, as AWS's do.
	info := must[*sts.GetAccessKeyInfoOutput](t)(s.GoSTS(e2etest.Root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(c.KeyID)}))
	if aws.ToString(info.Account) != e2etest.AccountID {
		t.Fatalf("GetAccessKeyInfo(%s) = %q", c.KeyID, aws.ToString(info.Account))
	}

	// The root's sessions last an hour at most, and are the root.
	before = time.Now()
	rootOut := must[*sts.GetSessionTokenOutput](t)(s.GoSTS(e2etest.Root).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)}))
	if exp := rootOut.Credentials.Expiration.Sub(before); exp < 59*time.Minute || exp > 61*time.Minute {
		t.Fatalf("the root's session expires in %v, want an hour", exp)
	}
	rid := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(credsOf(rootOut.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(rid.Arn) != acctARN+":root" || aws.ToString(rid.UserId) != e2etest.AccountID {
		t.Fatalf("root session identity %+v", rid)
	}
}

// TestGetFederationToken: a federated user is named by the caller, has
// the caller's permissions limited by the session policies, and calls
// nothing but GetCallerIdentity here (AWS lets it call no IAM action and
// no other STS action).
func TestGetFederationToken(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	bob := newUserWithKey(t, s, "bob")

	_, err := s.GoSTS(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol")})
	wantDenied(t, err, acctARN+":user/bob", "sts:GetFederationToken")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(doc(allow(act("sts:GetFederationToken"), res("arn:aws:sts::123456789012:federated-user/carol"))))}))
	_, err = s.GoSTS(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("dave")})
	wantDenied(t, err, acctARN+":user/bob", "sts:GetFederationToken")

	before := time.Now()
	out := must[*sts.GetFederationTokenOutput](t)(s.GoSTS(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol"), DurationSeconds: aws.Int32(1800),
		Policy: aws.String(doc(allow(act("iam:ListUsers"), res("*"))))}))
	if aws.ToString(out.FederatedUser.Arn) != "arn:aws:sts::123456789012:federated-user/carol" || aws.ToString(out.FederatedUser.FederatedUserId) != "123456789012:carol" {
		t.Fatalf("federated user %+v", out.FederatedUser)
	}
	if exp := out.Credentials.Expiration.Sub(before); exp < 29*time.Minute || exp > 31*time.Minute {
		t.Fatalf("expires in %v, want 30 minutes", exp)
	}
	if out.PackedPolicySize == nil {
		t.Fatal("PackedPolicySize missing with a session policy")
	}
	c := credsOf(out.Credentials)
	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != "arn:aws:sts::123456789012:federated-user/carol" || aws.ToString(id.UserId) != "123456789012:carol" || aws.ToString(id.Account) != e2etest.AccountID {
		t.Fatalf("caller identity %+v", id)
	}
	_, err = s.GoIAM(c).ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId")
	_, err = s.GoSTS(c).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + ":role/any"), RoleSessionName: aws.String("x")})
	wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "AccessDenied"), "Cannot call AssumeRole with session credentials")

	// The root may federate too, for an hour at most.
	rootOut := must[*sts.GetFederationTokenOutput](t)(s.GoSTS(e2etest.Root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ops"), DurationSeconds: aws.Int32(7200)}))
	if exp := time.Until(*rootOut.Credentials.Expiration); exp > 61*time.Minute {
		t.Fatalf("the root's federated user expires in %v, want an hour at most", exp)
	}
	rid := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(credsOf(rootOut.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(rid.Arn) != "arn:aws:sts::123456789012:federated-user/ops" {
		t.Fatalf("caller identity %+v", rid)
	}
	_, err = s.GoSTS(bob).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x")})
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
}
