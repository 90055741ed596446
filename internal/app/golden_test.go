package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/awsmanaged"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenResponses pins the XML of every action's response byte for
// byte (ids, dates, secrets and request ids normalized) against
// testdata/golden. Regenerate with -update and review the diff like code.
func TestGoldenResponses(t *testing.T) {
	_, srv := goldenServer(t)

	var keyID string
	steps := []struct {
		name    string
		service string
		params  []string
	}{
		{"CreateUser", "iam", []string{"Action", "CreateUser", "UserName", "Bob", "Path", "/r&d<core>/", "Tags.member.1.Key", "dept", "Tags.member.1.Value", "R and D"}},
		{"GetUser", "iam", []string{"Action", "GetUser", "UserName", "Bob"}},
		{"GetUserRoot", "iam", []string{"Action", "GetUser"}},
		{"ListUsers", "iam", []string{"Action", "ListUsers"}},
		{"ListUserTags", "iam", []string{"Action", "ListUserTags", "UserName", "Bob"}},
		{"CreateAccessKey", "iam", []string{"Action", "CreateAccessKey", "UserName", "Bob"}},
		{"ListAccessKeys", "iam", []string{"Action", "ListAccessKeys", "UserName", "Bob"}},
		{"GetAccessKeyLastUsed", "iam", []string{"Action", "GetAccessKeyLastUsed", "AccessKeyId", "$KEY"}},
		{"UpdateAccessKey", "iam", []string{"Action", "UpdateAccessKey", "UserName", "Bob", "AccessKeyId", "$KEY", "Status", "Inactive"}},
		{"PutUserPolicy", "iam", []string{"Action", "PutUserPolicy", "UserName", "Bob", "PolicyName", "p", "PolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`}},
		{"GetUserPolicy", "iam", []string{"Action", "GetUserPolicy", "UserName", "Bob", "PolicyName", "p"}},
		{"ListUserPolicies", "iam", []string{"Action", "ListUserPolicies", "UserName", "Bob"}},
		{"ListGroupsForUser", "iam", []string{"Action", "ListGroupsForUser", "UserName", "Bob"}},
		{"ListVirtualMFADevices", "iam", []string{"Action", "ListVirtualMFADevices", "AssignmentStatus", "Assigned"}},
		{"GetLoginProfile", "iam", []string{"Action", "GetLoginProfile", "UserName", "Bob"}},
		{"DeleteUserConflict", "iam", []string{"Action", "DeleteUser", "UserName", "Bob"}},
		{"NoSuchUser", "iam", []string{"Action", "GetUser", "UserName", "Nobody"}},
		{"ValidationError", "iam", []string{"Action", "CreateUser", "UserName", "bad name!"}},
		{"InvalidAction", "iam", []string{"Action", "Frobnicate"}},
		{"GetCallerIdentity", "sts", []string{"Action", "GetCallerIdentity"}},
		{"GetAccessKeyInfo", "sts", []string{"Action", "GetAccessKeyInfo", "AccessKeyId", "AKIAIOSFODNN7EXAMPLE"}},

		// Groups.
		{"CreateGroup", "iam", []string{"Action", "CreateGroup", "GroupName", "Developers", "Path", "/eng/"}},
		{"CreateGroupOps", "iam", []string{"Action", "CreateGroup", "GroupName", "Ops"}},
		{"AddUserToGroup", "iam", []string{"Action", "AddUserToGroup", "GroupName", "Developers", "UserName", "Bob"}},
		{"GetGroup", "iam", []string{"Action", "GetGroup", "GroupName", "Developers"}},
		{"ListGroups", "iam", []string{"Action", "ListGroups"}},
		{"ListGroupsPaged", "iam", []string{"Action", "ListGroups", "MaxItems", "1"}},
		{"ListGroupsForUserMember", "iam", []string{"Action", "ListGroupsForUser", "UserName", "Bob"}},
		{"PutGroupPolicy", "iam", []string{"Action", "PutGroupPolicy", "GroupName", "Ops", "PolicyName", "list", "PolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}`}},
		{"GetGroupPolicy", "iam", []string{"Action", "GetGroupPolicy", "GroupName", "Ops", "PolicyName", "list"}},
		{"NoSuchGroup", "iam", []string{"Action", "GetGroup", "GroupName", "Nobody"}},

		// Managed policies, their versions and attachments.
		{"CreatePolicy", "iam", []string{"Action", "CreatePolicy", "PolicyName", "ReadShared", "Path", "/team/", "Description", "Read <shared> & more",
			"PolicyDocument", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"arn:aws:s3:::shared/*\"}\n}",
			"Tags.member.1.Key", "team", "Tags.member.1.Value", "data"}},
		{"GetPolicy", "iam", []string{"Action", "GetPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"GetPolicyAWSManaged", "iam", []string{"Action", "GetPolicy", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{"CreatePolicyVersion", "iam", []string{"Action", "CreatePolicyVersion", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared", "SetAsDefault", "true",
			"PolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}}`}},
		{"GetPolicyVersion", "iam", []string{"Action", "GetPolicyVersion", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared", "VersionId", "v1"}},
		{"ListPolicyVersions", "iam", []string{"Action", "ListPolicyVersions", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"ListPoliciesLocal", "iam", []string{"Action", "ListPolicies", "Scope", "Local"}},
		{"AttachUserPolicy", "iam", []string{"Action", "AttachUserPolicy", "UserName", "Bob", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"AttachUserPolicyAWSManaged", "iam", []string{"Action", "AttachUserPolicy", "UserName", "Bob", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}},
		{"AttachGroupPolicy", "iam", []string{"Action", "AttachGroupPolicy", "GroupName", "Developers", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"ListAttachedUserPolicies", "iam", []string{"Action", "ListAttachedUserPolicies", "UserName", "Bob"}},
		{"ListAttachedGroupPolicies", "iam", []string{"Action", "ListAttachedGroupPolicies", "GroupName", "Developers"}},
		{"ListEntitiesForPolicy", "iam", []string{"Action", "ListEntitiesForPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"ListPolicyTags", "iam", []string{"Action", "ListPolicyTags", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"NoSuchPolicy", "iam", []string{"Action", "GetPolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/nope"}},

		// Permissions boundaries.
		{"CreateUserBoundary", "iam", []string{"Action", "CreateUser", "UserName", "Carol", "PermissionsBoundary", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}},
		{"GetUserBoundary", "iam", []string{"Action", "GetUser", "UserName", "Carol"}},

		// Simulation: AWS's own example (the AWS CLI reference's
		// simulate-custom-policy Example 1), and a user's policies.
		{"SimulateCustomPolicy", "iam", []string{"Action", "SimulateCustomPolicy", "ActionNames.member.1", "dynamodb:CreateBackup",
			"PolicyInputList.member.1", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
			"ContextEntries.member.1.ContextKeyName", "aws:CurrentTime", "ContextEntries.member.1.ContextKeyType", "date", "ContextEntries.member.1.ContextKeyValues.member.1", "2019-04-25T11:00:00Z"}},
		{"SimulatePrincipalPolicy", "iam", []string{"Action", "SimulatePrincipalPolicy", "PolicySourceArn", "arn:aws:iam::123456789012:user/Carol",
			"ActionNames.member.1", "iam:ListUsers", "ActionNames.member.2", "iam:CreateUser", "ResourceArns.member.1", "arn:aws:iam::123456789012:user/x",
			"PolicyInputList.member.1", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`,
			"ContextEntries.member.1.ContextKeyName", "aws:SecureTransport", "ContextEntries.member.1.ContextKeyType", "boolean", "ContextEntries.member.1.ContextKeyValues.member.1", "false"}},
		{"GetContextKeysForCustomPolicy", "iam", []string{"Action", "GetContextKeysForCustomPolicy",
			"PolicyInputList.member.1", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`}},

		// Account-wide reads.
		{"GetAccountSummary", "iam", []string{"Action", "GetAccountSummary"}},
		{"GetAccountAuthorizationDetails", "iam", []string{"Action", "GetAccountAuthorizationDetails"}},

		// Conflicts and quotas.
		{"DeleteGroupConflict", "iam", []string{"Action", "DeleteGroup", "GroupName", "Developers"}},
		{"DeletePolicyConflict", "iam", []string{"Action", "DeletePolicy", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"PolicySizeLimitExceeded", "iam", []string{"Action", "CreatePolicy", "PolicyName", "TooBig", "PolicyDocument",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6100) + `"}}`}},

		// Roles and instance profiles, after the rest so that the
		// account-wide reads above do not see them.
		{"CreateRole", "iam", []string{"Action", "CreateRole", "RoleName", "AppServer", "Path", "/app/", "Description", "Runs <the> app & more",
			"AssumeRolePolicyDocument", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}\n}",
			"Tags.member.1.Key", "team", "Tags.member.1.Value", "core"}},
		{"CreateRoleWorker", "iam", []string{"Action", "CreateRole", "RoleName", "Worker",
			"AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}`}},
		{"GetRole", "iam", []string{"Action", "GetRole", "RoleName", "AppServer"}},
		{"ListRoles", "iam", []string{"Action", "ListRoles"}},
		{"UpdateRole", "iam", []string{"Action", "UpdateRole", "RoleName", "Worker", "MaxSessionDuration", "7200"}},
		{"PutRolePolicy", "iam", []string{"Action", "PutRolePolicy", "RoleName", "AppServer", "PolicyName", "read", "PolicyDocument", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}`}},
		{"GetRolePolicy", "iam", []string{"Action", "GetRolePolicy", "RoleName", "AppServer", "PolicyName", "read"}},
		{"AttachRolePolicy", "iam", []string{"Action", "AttachRolePolicy", "RoleName", "AppServer", "PolicyArn", "arn:aws:iam::123456789012:policy/team/ReadShared"}},
		{"AttachRolePolicyAWSManaged", "iam", []string{"Action", "AttachRolePolicy", "RoleName", "AppServer", "PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}},
		{"ListAttachedRolePolicies", "iam", []string{"Action", "ListAttachedRolePolicies", "RoleName", "AppServer"}},
		{"CreateInstanceProfile", "iam", []string{"Action", "CreateInstanceProfile", "InstanceProfileName", "WebProfile", "Path", "/app/", "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod"}},
		{"AddRoleToInstanceProfile", "iam", []string{"Action", "AddRoleToInstanceProfile", "InstanceProfileName", "WebProfile", "RoleName", "AppServer"}},
		{"GetInstanceProfile", "iam", []string{"Action", "GetInstanceProfile", "InstanceProfileName", "WebProfile"}},
		{"ListInstanceProfilesForRole", "iam", []string{"Action", "ListInstanceProfilesForRole", "RoleName", "AppServer"}},
		{"DeleteRoleConflict", "iam", []string{"Action", "DeleteRole", "RoleName", "AppServer"}},
		{"AddRoleToInstanceProfileLimitExceeded", "iam", []string{"Action", "AddRoleToInstanceProfile", "InstanceProfileName", "WebProfile", "RoleName", "Worker"}},
		{"NoSuchRole", "iam", []string{"Action", "GetRole", "RoleName", "Nobody"}},
		{"CreateRoleAssumable", "iam", []string{"Action", "CreateRole", "RoleName", "Assumable",
			"AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`}},
		{"AssumeRoleByRoot", "sts", []string{"Action", "AssumeRole", "RoleArn", "arn:aws:iam::123456789012:role/Assumable", "RoleSessionName", "golden"}},
		{"GetSessionToken", "sts", []string{"Action", "GetSessionToken", "DurationSeconds", "900"}},
		{"GetFederationToken", "sts", []string{"Action", "GetFederationToken", "Name", "carol", "Policy", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`}},
		{"GetAccessKeyInfoTemporary", "sts", []string{"Action", "GetAccessKeyInfo", "AccessKeyId", "ASIAQNZGKIQY56JQ7WML"}},
		{"AssumeRoleWithWebIdentityNotAJWT", "sts", []string{"Action", "AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::123456789012:role/Assumable", "RoleSessionName", "golden", "WebIdentityToken", "not-a-jwt"}},
		{"AssumeRoleWithWebIdentityNoProvider", "sts", []string{"Action", "AssumeRoleWithWebIdentity", "RoleArn", "arn:aws:iam::123456789012:role/Assumable", "RoleSessionName", "golden",
			"WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlLmNvbSIsInN1YiI6InMifQ.c2ln"}},

		// OpenID Connect providers, after the account-wide reads too.
		{"CreateOpenIDConnectProvider", "iam", []string{"Action", "CreateOpenIDConnectProvider", "Url", "https://server.example.com/oidc",
			"ClientIDList.member.1", "my-application-id", "ClientIDList.member.2", "sts.amazonaws.com",
			"ThumbprintList.member.1", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "Tags.member.1.Key", "team", "Tags.member.1.Value", "R and D"}},
		{"CreateOpenIDConnectProviderPlain", "iam", []string{"Action", "CreateOpenIDConnectProvider", "Url", "https://token.example.org"}},
		{"GetOpenIDConnectProvider", "iam", []string{"Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc"}},
		{"GetOpenIDConnectProviderPlain", "iam", []string{"Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.example.org"}},
		{"ListOpenIDConnectProviders", "iam", []string{"Action", "ListOpenIDConnectProviders"}},
		{"UpdateOpenIDConnectProviderThumbprint", "iam", []string{"Action", "UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc",
			"ThumbprintList.member.1", "6938fd4d98bab03faadb97b34396831e3780aea1", "ThumbprintList.member.2", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"}},
		{"AddClientIDToOpenIDConnectProvider", "iam", []string{"Action", "AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc", "ClientID", "another-app"}},
		{"RemoveClientIDFromOpenIDConnectProvider", "iam", []string{"Action", "RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc", "ClientID", "my-application-id"}},
		{"TagOpenIDConnectProvider", "iam", []string{"Action", "TagOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc", "Tags.member.1.Key", "env", "Tags.member.1.Value", "prod"}},
		{"UntagOpenIDConnectProvider", "iam", []string{"Action", "UntagOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc", "TagKeys.member.1", "team"}},
		{"ListOpenIDConnectProviderTags", "iam", []string{"Action", "ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc"}},
		{"GetOpenIDConnectProviderUpdated", "iam", []string{"Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/server.example.com/oidc"}},
		{"CreateOpenIDConnectProviderDuplicate", "iam", []string{"Action", "CreateOpenIDConnectProvider", "Url", "https://server.example.com/oidc"}},
		{"CreateOpenIDConnectProviderInvalidURL", "iam", []string{"Action", "CreateOpenIDConnectProvider", "Url", "example.org"}},
		{"CreateOpenIDConnectProviderTooManyThumbprints", "iam", []string{"Action", "CreateOpenIDConnectProvider", "Url", "https://thumbs.example.org",
			"ThumbprintList.member.1", strings.Repeat("a", 40), "ThumbprintList.member.2", strings.Repeat("b", 40), "ThumbprintList.member.3", strings.Repeat("c", 40),
			"ThumbprintList.member.4", strings.Repeat("d", 40), "ThumbprintList.member.5", strings.Repeat("e", 40), "ThumbprintList.member.6", strings.Repeat("f", 40)}},
		{"DeleteOpenIDConnectProvider", "iam", []string{"Action", "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.example.org"}},
		{"NoSuchOpenIDConnectProvider", "iam", []string{"Action", "GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.example.org"}},
		{"DeleteOpenIDConnectProviderNoSuchEntity", "iam", []string{"Action", "DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.example.org"}},

		// The credential report (its CSV is pinned by iam's
		// TestCredentialReportCSV) and the account alias.
		{"GetCredentialReportNotPresent", "iam", []string{"Action", "GetCredentialReport"}},
		{"GenerateCredentialReport", "iam", []string{"Action", "GenerateCredentialReport"}},
		{"GenerateCredentialReportComplete", "iam", []string{"Action", "GenerateCredentialReport"}},
		{"GetCredentialReport", "iam", []string{"Action", "GetCredentialReport"}},
		{"ListAccountAliasesNone", "iam", []string{"Action", "ListAccountAliases"}},
		{"CreateAccountAlias", "iam", []string{"Action", "CreateAccountAlias", "AccountAlias", "example-corp"}},
		{"CreateAccountAliasDuplicate", "iam", []string{"Action", "CreateAccountAlias", "AccountAlias", "example-corp"}},
		{"CreateAccountAliasInvalid", "iam", []string{"Action", "CreateAccountAlias", "AccountAlias", "Example--Corp"}},

		// Login profiles and the password policy.
		{"GetAccountPasswordPolicyNone", "iam", []string{"Action", "GetAccountPasswordPolicy"}},
		{"UpdateAccountPasswordPolicy", "iam", []string{"Action", "UpdateAccountPasswordPolicy", "MinimumPasswordLength", "10", "RequireNumbers", "true", "AllowUsersToChangePassword", "true", "MaxPasswordAge", "90", "PasswordReusePrevention", "3"}},
		{"GetAccountPasswordPolicy", "iam", []string{"Action", "GetAccountPasswordPolicy"}},
		{"UpdateAccountPasswordPolicyInvalid", "iam", []string{"Action", "UpdateAccountPasswordPolicy", "MinimumPasswordLength", "5"}},
		{"CreateLoginProfileTooShort", "iam", []string{"Action", "CreateLoginProfile", "UserName", "Bob", "Password", "short-1"}},
		{"CreateLoginProfileNoNumber", "iam", []string{"Action", "CreateLoginProfile", "UserName", "Bob", "Password", "correct-horse"}},
		{"CreateLoginProfile", "iam", []string{"Action", "CreateLoginProfile", "UserName", "Bob", "Password", "correct-horse-42", "PasswordResetRequired", "true"}},
		{"CreateLoginProfileDuplicate", "iam", []string{"Action", "CreateLoginProfile", "UserName", "Bob", "Password", "correct-horse-42"}},
		{"CreateLoginProfileNoSuchUser", "iam", []string{"Action", "CreateLoginProfile", "UserName", "Nobody", "Password", "correct-horse-42"}},
		{"GetLoginProfileCreated", "iam", []string{"Action", "GetLoginProfile", "UserName", "Bob"}},
		{"UpdateLoginProfile", "iam", []string{"Action", "UpdateLoginProfile", "UserName", "Bob", "PasswordResetRequired", "false"}},
		{"UpdateLoginProfileReused", "iam", []string{"Action", "UpdateLoginProfile", "UserName", "Bob", "Password", "correct-horse-42"}},
		{"DeleteUserLoginProfileConflict", "iam", []string{"Action", "DeleteUser", "UserName", "Bob"}},
		{"ChangePasswordRoot", "iam", []string{"Action", "ChangePassword", "OldPassword", "correct-horse-42", "NewPassword", "battery-staple-7"}},
		{"DeleteLoginProfile", "iam", []string{"Action", "DeleteLoginProfile", "UserName", "Bob"}},
		{"DeleteLoginProfileNone", "iam", []string{"Action", "DeleteLoginProfile", "UserName", "Bob"}},
		{"DeleteAccountPasswordPolicy", "iam", []string{"Action", "DeleteAccountPasswordPolicy"}},
		{"DeleteAccountPasswordPolicyNone", "iam", []string{"Action", "DeleteAccountPasswordPolicy"}},
		{"ListAccountAliases", "iam", []string{"Action", "ListAccountAliases"}},
		{"DeleteAccountAlias", "iam", []string{"Action", "DeleteAccountAlias", "AccountAlias", "example-corp"}},
		{"DeleteAccountAliasNoSuchEntity", "iam", []string{"Action", "DeleteAccountAlias", "AccountAlias", "example-corp"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			form := url.Values{"Version": {map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}[st.service]}}
			for i := 0; i < len(st.params); i += 2 {
				form.Set(st.params[i], strings.ReplaceAll(st.params[i+1], "$KEY", keyID))
			}
			status, body := post(t, srv.URL, st.service, form.Encode())
			if m := regexp.MustCompile(`<AccessKeyId>(AKIA[A-Z2-7]{16})</AccessKeyId>`).FindStringSubmatch(body); m != nil && keyID == "" {
				keyID = m[1]
			}
			compareGolden(t, st.name, normalize(body, status))
		})
	}
}

func post(t *testing.T, base, service, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Type") != "text/xml" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(b)
}

var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`), "REQUEST-ID"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`), "DATE"},
	{regexp.MustCompile(`AIDA[A-Z2-7]{17}`), "USER-ID"},
	{regexp.MustCompile(`AGPA[A-Z2-7]{17}`), "GROUP-ID"},
	{regexp.MustCompile(`AROA[A-Z2-7]{17}`), "ROLE-ID"},
	{regexp.MustCompile(`AIPA[A-Z2-7]{17}`), "INSTANCE-PROFILE-ID"},
	{regexp.MustCompile(`ASIA[A-Z2-7]{16}`), "TEMPORARY-ACCESS-KEY-ID"},
	{regexp.MustCompile(`<SessionToken>LKS1\.[0-9a-f]+\.[A-Za-z0-9_-]+</SessionToken>`), "<SessionToken>SESSION-TOKEN</SessionToken>"},
	{regexp.MustCompile(`AKIA[A-Z2-7]{16}`), "ACCESS-KEY-ID"},
	{regexp.MustCompile(`<SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey>`), "<SecretAccessKey>SECRET</SecretAccessKey>"},
	{regexp.MustCompile(`<Content>[A-Za-z0-9+/=]+</Content>`), "<Content>BASE64-CSV</Content>"},
}

// policyIDs matches managed policy ids. Those of AWS managed policies are
// AWS's own, fixed, and stay in the golden files; generated ones become
// POLICY-ID.
var policyIDs = regexp.MustCompile(`ANPA[A-Z2-7]{17}`)

func normalize(body string, status int) string {
	for _, n := range normalizers {
		body = n.re.ReplaceAllString(body, n.with)
	}
	awsIDs := map[string]bool{}
	for _, p := range awsmanaged.All() {
		awsIDs[p.ID] = true
	}
	body = policyIDs.ReplaceAllStringFunc(body, func(id string) string {
		if awsIDs[id] {
			return id
		}
		return "POLICY-ID"
	})
	return "HTTP " + http.StatusText(status) + "\n" + body
}

// TestGoldenPasswordLastUsed pins where GetUser and ListUsers put
// PasswordLastUsed (after CreateDate, as AWS's User shape orders it),
// once a console sign-in has used the user's password.
func TestGoldenPasswordLastUsed(t *testing.T) {
	ctx := t.Context()
	d, srv := goldenServer(t)
	if status, body := post(t, srv.URL, "iam", "Action=CreateUser&Version=2010-05-08&UserName=Dana"); status != http.StatusOK {
		t.Fatalf("CreateUser: %d %s", status, body)
	}
	u, err := d.Store.GetUser(ctx, "123456789012", "Dana")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Store.RecordPasswordUse(ctx, "123456789012", u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"GetUserPasswordLastUsed":   "Action=GetUser&Version=2010-05-08&UserName=Dana",
		"ListUsersPasswordLastUsed": "Action=ListUsers&Version=2010-05-08",
	} {
		status, got := post(t, srv.URL, "iam", body)
		compareGolden(t, name, normalize(got, status))
	}
}

// goldenServer serves a fresh data dir whose first account is
// 123456789012 with AWS's example root key (the one post signs with).
func goldenServer(t *testing.T) (*Data, *httptest.Server) {
	t.Helper()
	d, err := Open(t.Context(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.CreateAccount(t.Context(), RootCredentials{AccountID: "123456789012", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}); err != nil {
		t.Fatal(err)
	}
	h, _, err := d.Handler(slog.New(slog.DiscardHandler), time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return d, srv
}

// compareGolden compares got with testdata/golden/NAME.xml (written with
// -update).
func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".xml")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Fatalf("response differs from %s:\n%s\nwant:\n%s", path, got, want)
	}
}
