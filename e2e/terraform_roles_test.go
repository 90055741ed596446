package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestTerraformRoles drives the real Terraform CLI and hashicorp/aws provider
// 5.100.0 through roles and instance profiles (testdata/terraform_roles/
// main.tf): apply, a clean plan, an update of a role's trust policy,
// description, session length, tags and permissions boundary, of the
// instance profile's role and of the OpenID Connect provider's client ids,
// thumbprints and tags, a clean plan again, import of every resource into a
// fresh state followed by a clean plan, and a destroy that must leave the
// account without roles, instance profiles, OpenID Connect providers or
// customer managed policies.
// Every apply is checked through aws-sdk-go-v2 as well.
//
// It reuses TestTerraformAccessKey's terraform runner (the provider from the
// machine's filesystem mirror only, the provider's calls listed at the end)
// and TestTerraformIAM's helpers; on failure it also lists the calls latchkey
// logged that it refused.
func TestTerraformRoles(t *testing.T) {
	tf := newTerraform(t)
	src, err := os.ReadFile(filepath.Join("testdata", "terraform_roles", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tf.work, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-format", "json", "--log-level", "info"}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	acct := tfRolesAccount{root}
	policies := tfIAMAccount{root}
	t.Cleanup(func() {
		tf.reportActions(t)
		if t.Failed() {
			tfIAMServerActions(t, s)
		}
	})

	const (
		account      = e2etest.AccountID
		appARN       = "arn:aws:iam::" + account + ":role/service/app"
		auditorARN   = "arn:aws:iam::" + account + ":role/auditor"
		profileARN   = "arn:aws:iam::" + account + ":instance-profile/profiles/app-profile"
		appPolicyARN = "arn:aws:iam::" + account + ":policy/team/app"
		boundaryAARN = "arn:aws:iam::" + account + ":policy/role-boundary-a"
		boundaryBARN = "arn:aws:iam::" + account + ":policy/role-boundary-b"
		iamReadOnly  = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
		ciARN        = "arn:aws:iam::" + account + ":role/ci"
		oidcARN      = "arn:aws:iam::" + account + ":oidc-provider/token.ci.example.com/org"
	)
	vars := map[string]any{
		"endpoint":   s.URL,
		"access_key": e2etest.Root.KeyID,
		"secret_key": e2etest.Root.Secret,
	}
	// As in TestTerraformIAM: a step that stopped (t.Fatal) stops the test;
	// one that ran to its end with failed checks does not.
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		start := time.Now()
		finished := false
		t.Run(name, func(t *testing.T) {
			f(t)
			finished = true
		})
		t.Logf("step %s: %s", name, time.Since(start).Round(100*time.Millisecond))
		if !finished {
			t.FailNow()
		}
	}

	// The checks every apply is followed by; what differs is what the
	// variables made of the app role and the instance profile.
	auditor := tfRolesWant{ARN: auditorARN, Path: "/", MaxSessionDuration: 3600, Tags: map[string]string{"team": "security"}}
	ci := tfRolesWant{ARN: ciARN, Path: "/", MaxSessionDuration: 3600, Tags: map[string]string{}}
	check := func(t *testing.T, app tfRolesWant, profileRole string, oidc tfOIDCWant) {
		t.Helper()
		acct.role(t, "app", app)
		acct.role(t, "auditor", auditor)
		acct.role(t, "ci", ci)
		acct.trustPolicy(t, "app", tfIAMOutput(t, tf, "app_trust_json"))
		acct.trustPolicy(t, "auditor", tfIAMOutput(t, tf, "auditor_trust_json"))
		acct.trustPolicy(t, "ci", tfIAMOutput(t, tf, "ci_trust_json"))
		acct.oidcProvider(t, oidcARN, oidc)
		acct.rolePolicies(t, "app", map[string]string{"app-inline": "iam:GetRole"})
		acct.rolePolicies(t, "auditor", nil)
		acct.attached(t, "app", appPolicyARN)
		acct.attached(t, "auditor", iamReadOnly)
		acct.policyRoles(t, appPolicyARN, "app")
		acct.policyRoles(t, iamReadOnly, "auditor")
		acct.roles(t, "/service/", "app")
		acct.roles(t, "/", "app", "auditor", "ci")
		for _, b := range []string{boundaryAARN, boundaryBARN} {
			n := int32(0)
			if b == app.Boundary {
				n = 1
			}
			policies.boundaryUse(t, b, n)
		}
		acct.instanceProfile(t, "app-profile", profileARN, profileRole, map[string]string{"team": "platform"})
		other := map[string]string{"app": "auditor", "auditor": "app"}[profileRole]
		acct.profilesForRole(t, profileRole, "app-profile")
		acct.profilesForRole(t, other)
	}

	step("Apply", func(t *testing.T) {
		tf.writeVars(t, vars)
		tf.run(t, 0, "init", "-input=false")
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		check(t, tfRolesWant{
			ARN: appARN, Path: "/service/", Description: "Runs the app on EC2", MaxSessionDuration: 7200,
			Boundary: boundaryAARN, Tags: map[string]string{"team": "platform", "owner": "alice"},
		}, "app", tfOIDCWant{
			URL: "token.ci.example.com/org", ClientIDs: []string{"sts.amazonaws.com", "legacy"},
			Thumbprints: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}, Tags: map[string]string{"team": "platform"},
		})
	})

	step("PlanClean", func(t *testing.T) { tf.planClean(t) })

	step("Update", func(t *testing.T) {
		vars["app_services"] = []string{"ec2.amazonaws.com", "lambda.amazonaws.com"}
		vars["app_description"] = "Runs the app on EC2 and Lambda"
		vars["app_max_session_duration"] = 14400
		vars["app_tags"] = map[string]string{"team": "identity", "env": "e2e"} // one changed, one added, one removed
		vars["app_boundary"] = "b"
		vars["profile_role"] = "auditor"
		vars["oidc_client_ids"] = []string{"deploy", "sts.amazonaws.com"} // one added, one removed
		vars["oidc_thumbprints"] = []string{"1c58a3a8518e8759bf075b76b750d4f2df264fcd", "6938fd4d98bab03faadb97b34396831e3780aea1"}
		vars["oidc_tags"] = map[string]string{"team": "identity", "env": "e2e"}
		tf.writeVars(t, vars)
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		if doc := tfIAMOutput(t, tf, "app_trust_json"); !regexp.MustCompile(`lambda\.amazonaws\.com`).MatchString(doc) {
			t.Fatalf("the data source's trust policy did not change: %s", doc)
		}
		check(t, tfRolesWant{
			ARN: appARN, Path: "/service/", Description: "Runs the app on EC2 and Lambda", MaxSessionDuration: 14400,
			Boundary: boundaryBARN, Tags: map[string]string{"team": "identity", "env": "e2e"},
		}, "auditor", tfOIDCWant{
			URL: "token.ci.example.com/org", ClientIDs: []string{"deploy", "sts.amazonaws.com"},
			Thumbprints: []string{"1c58a3a8518e8759bf075b76b750d4f2df264fcd", "6938fd4d98bab03faadb97b34396831e3780aea1"},
			Tags:        map[string]string{"team": "identity", "env": "e2e"},
		})
	})

	step("PlanCleanAfterUpdate", func(t *testing.T) { tf.planClean(t) })

	step("Import", func(t *testing.T) {
		state := filepath.Join(tf.work, "terraform.tfstate")
		if err := os.Rename(state, state+".applied"); err != nil {
			t.Fatal(err)
		}
		for _, imp := range [][2]string{
			{"aws_iam_policy.boundary_a", boundaryAARN},
			{"aws_iam_policy.boundary_b", boundaryBARN},
			{"aws_iam_policy.app", appPolicyARN},
			{"aws_iam_role.app", "app"},
			{"aws_iam_role.auditor", "auditor"},
			{"aws_iam_role_policy.app", "app:app-inline"},
			{"aws_iam_role_policy_attachment.app", "app/" + appPolicyARN},
			{"aws_iam_role_policy_attachment.auditor_iam_read_only", "auditor/" + iamReadOnly},
			{"aws_iam_instance_profile.app", "app-profile"},
			{"aws_iam_openid_connect_provider.ci", oidcARN},
			{"aws_iam_role.ci", "ci"},
		} {
			tf.run(t, 0, "import", "-input=false", imp[0], imp[1])
		}
		tf.planClean(t)
	})

	step("Destroy", func(t *testing.T) {
		tf.run(t, 0, "destroy", "-auto-approve", "-input=false")
		for _, r := range must[*iam.ListRolesOutput](t)(root.ListRoles(ctx, &iam.ListRolesInput{})).Roles {
			t.Errorf("role left after destroy: %s", aws.ToString(r.Arn))
		}
		for _, p := range must[*iam.ListInstanceProfilesOutput](t)(root.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{})).InstanceProfiles {
			t.Errorf("instance profile left after destroy: %s", aws.ToString(p.Arn))
		}
		for _, p := range must[*iam.ListPoliciesOutput](t)(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})).Policies {
			t.Errorf("policy left after destroy: %s", aws.ToString(p.Arn))
		}
		for _, p := range must[*iam.ListOpenIDConnectProvidersOutput](t)(root.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList {
			t.Errorf("OpenID Connect provider left after destroy: %s", aws.ToString(p.Arn))
		}
		_, err := root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
		wantCode(t, err, "NoSuchEntity")
		_, err = root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("app-profile")})
		wantCode(t, err, "NoSuchEntity")
		_, err = root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN)})
		wantCode(t, err, "NoSuchEntity")
		p := must[*iam.GetPolicyOutput](t)(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamReadOnly)})).Policy
		if n := aws.ToInt32(p.AttachmentCount); n != 0 {
			t.Errorf("IAMReadOnlyAccess still has %d attachments", n)
		}
		acct.policyRoles(t, iamReadOnly)
	})
}

// The shapes of AWS's unique ids of roles and instance profiles.
var (
	tfRolesRoleID    = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	tfRolesProfileID = regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`)
)

// tfRolesWant is what GetRole should say of a role.
type tfRolesWant struct {
	ARN, Path, Description string
	MaxSessionDuration     int32
	Boundary               string // a policy ARN, or "" for none
	Tags                   map[string]string
}

// tfRolesAccount checks, through aws-sdk-go-v2, the roles and instance
// profiles Terraform made.
type tfRolesAccount struct{ c *iam.Client }

// tfRolesTags turns a tag list into a map; an empty list is an empty map.
func tfRolesTags(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, tag := range tags {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

// role asserts GetRole's members, and that ListRoleTags agrees with the
// tags GetRole gives.
func (a tfRolesAccount) role(t *testing.T, name string, want tfRolesWant) {
	t.Helper()
	r := must[*iam.GetRoleOutput](t)(a.c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(name)})).Role
	if aws.ToString(r.RoleName) != name || aws.ToString(r.Arn) != want.ARN || aws.ToString(r.Path) != want.Path ||
		aws.ToString(r.Description) != want.Description || aws.ToInt32(r.MaxSessionDuration) != want.MaxSessionDuration {
		t.Errorf("role %s: name %q, arn %q, path %q, description %q, max session %d; want %q %q %q %d",
			name, aws.ToString(r.RoleName), aws.ToString(r.Arn), aws.ToString(r.Path), aws.ToString(r.Description), aws.ToInt32(r.MaxSessionDuration),
			want.ARN, want.Path, want.Description, want.MaxSessionDuration)
	}
	if id := aws.ToString(r.RoleId); !tfRolesRoleID.MatchString(id) {
		t.Errorf("role %s: id %q is not shaped like AWS's (AROA and 17 base32 characters)", name, id)
	}
	if r.CreateDate == nil || time.Since(*r.CreateDate) > 10*time.Minute || time.Since(*r.CreateDate) < -time.Minute {
		t.Errorf("role %s: create date %v is not about now", name, r.CreateDate)
	}
	b := r.PermissionsBoundary
	switch {
	case want.Boundary == "" && b != nil:
		t.Errorf("role %s: permissions boundary %s, want none", name, aws.ToString(b.PermissionsBoundaryArn))
	case want.Boundary != "" && b == nil:
		t.Errorf("role %s: no permissions boundary, want %s", name, want.Boundary)
	case b != nil && (aws.ToString(b.PermissionsBoundaryArn) != want.Boundary || b.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy):
		t.Errorf("role %s: permissions boundary %s %s, want %s %s", name, b.PermissionsBoundaryType, aws.ToString(b.PermissionsBoundaryArn),
			types.PermissionsBoundaryAttachmentTypePolicy, want.Boundary)
	}
	if got := tfRolesTags(r.Tags); !reflect.DeepEqual(got, want.Tags) {
		t.Errorf("role %s: GetRole tags %v, want %v", name, got, want.Tags)
	}
	tags := must[*iam.ListRoleTagsOutput](t)(a.c.ListRoleTags(t.Context(), &iam.ListRoleTagsInput{RoleName: aws.String(name)})).Tags
	if got := tfRolesTags(tags); !reflect.DeepEqual(got, want.Tags) {
		t.Errorf("role %s: ListRoleTags %v, want %v", name, got, want.Tags)
	}
}

// trustPolicy asserts that the role's AssumeRolePolicyDocument, URL-decoded
// as AWS returns it, is equal as JSON to want (the data source's document).
func (a tfRolesAccount) trustPolicy(t *testing.T, name, want string) {
	t.Helper()
	r := must[*iam.GetRoleOutput](t)(a.c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: aws.String(name)})).Role
	doc, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatalf("role %s: trust policy %q is not URL-encoded: %v", name, aws.ToString(r.AssumeRolePolicyDocument), err)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatalf("role %s: trust policy %q: %v", name, doc, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("role %s: trust policy\n%s\nwant\n%s", name, doc, want)
	}
}

// rolePolicies asserts ListRolePolicies, and that each inline policy's
// document (URL-decoded) names the action given for it.
func (a tfRolesAccount) rolePolicies(t *testing.T, role string, want map[string]string) {
	t.Helper()
	names := must[*iam.ListRolePoliciesOutput](t)(a.c.ListRolePolicies(t.Context(), &iam.ListRolePoliciesInput{RoleName: aws.String(role)})).PolicyNames
	var wantNames []string
	for n := range want {
		wantNames = append(wantNames, n)
	}
	if !tfIAMSameNames(names, wantNames) {
		t.Errorf("inline policies of role %s: %v, want %v", role, names, wantNames)
		return
	}
	for n, action := range want {
		p := must[*iam.GetRolePolicyOutput](t)(a.c.GetRolePolicy(t.Context(), &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(n)}))
		doc, err := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if err != nil || !regexp.MustCompile(`"`+regexp.QuoteMeta(action)+`"`).MatchString(doc) ||
			aws.ToString(p.RoleName) != role || aws.ToString(p.PolicyName) != n {
			t.Errorf("role %s inline policy %s: %s/%s %q (%v), want a document naming %s",
				role, n, aws.ToString(p.RoleName), aws.ToString(p.PolicyName), aws.ToString(p.PolicyDocument), err, action)
		}
	}
}

// attached asserts the ARNs ListAttachedRolePolicies lists.
func (a tfRolesAccount) attached(t *testing.T, role string, want ...string) {
	t.Helper()
	var got []string
	for _, p := range must[*iam.ListAttachedRolePoliciesOutput](t)(a.c.ListAttachedRolePolicies(t.Context(), &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})).AttachedPolicies {
		got = append(got, aws.ToString(p.PolicyArn))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("policies attached to role %s: %v, want %v", role, got, want)
	}
}

// policyRoles asserts the roles ListEntitiesForPolicy lists for a managed
// policy (and no users or groups), and that GetPolicy counts them.
func (a tfRolesAccount) policyRoles(t *testing.T, policyARN string, want ...string) {
	t.Helper()
	out := must[*iam.ListEntitiesForPolicyOutput](t)(a.c.ListEntitiesForPolicy(t.Context(), &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(policyARN)}))
	var got []string
	for _, r := range out.PolicyRoles {
		got = append(got, aws.ToString(r.RoleName))
		if aws.ToString(r.RoleId) == "" {
			t.Errorf("entities of %s: role %s without its id", policyARN, aws.ToString(r.RoleName))
		}
	}
	if !tfIAMSameNames(got, want) || len(out.PolicyUsers) != 0 || len(out.PolicyGroups) != 0 {
		t.Errorf("entities of %s: roles %v, %d users, %d groups; want roles %v only", policyARN, got, len(out.PolicyUsers), len(out.PolicyGroups), want)
	}
	p := must[*iam.GetPolicyOutput](t)(a.c.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy
	if n := aws.ToInt32(p.AttachmentCount); int(n) != len(want) {
		t.Errorf("%s: attachment count %d, want %d", policyARN, n, len(want))
	}
}

// roles asserts the names ListRoles gives under a path prefix.
func (a tfRolesAccount) roles(t *testing.T, prefix string, want ...string) {
	t.Helper()
	var got []string
	for _, r := range must[*iam.ListRolesOutput](t)(a.c.ListRoles(t.Context(), &iam.ListRolesInput{PathPrefix: aws.String(prefix)})).Roles {
		got = append(got, aws.ToString(r.RoleName))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("ListRoles under %s: %v, want %v", prefix, got, want)
	}
}

// instanceProfile asserts GetInstanceProfile: its ARN and id, the one role
// it holds, and its tags (with ListInstanceProfileTags agreeing).
func (a tfRolesAccount) instanceProfile(t *testing.T, name, wantARN, wantRole string, wantTags map[string]string) {
	t.Helper()
	p := must[*iam.GetInstanceProfileOutput](t)(a.c.GetInstanceProfile(t.Context(), &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})).InstanceProfile
	if aws.ToString(p.Arn) != wantARN || aws.ToString(p.InstanceProfileName) != name {
		t.Errorf("instance profile %s: %s %q, want %s", name, aws.ToString(p.Arn), aws.ToString(p.InstanceProfileName), wantARN)
	}
	if id := aws.ToString(p.InstanceProfileId); !tfRolesProfileID.MatchString(id) {
		t.Errorf("instance profile %s: id %q is not shaped like AWS's (AIPA and 17 base32 characters)", name, id)
	}
	var roles []string
	for _, r := range p.Roles {
		roles = append(roles, aws.ToString(r.RoleName))
		if !tfRolesRoleID.MatchString(aws.ToString(r.RoleId)) || aws.ToString(r.AssumeRolePolicyDocument) == "" {
			t.Errorf("instance profile %s: role %s with id %q and trust policy %q", name, aws.ToString(r.RoleName), aws.ToString(r.RoleId), aws.ToString(r.AssumeRolePolicyDocument))
		}
	}
	if !tfIAMSameNames(roles, []string{wantRole}) {
		t.Errorf("instance profile %s: roles %v, want [%s]", name, roles, wantRole)
	}
	if got := tfRolesTags(p.Tags); !reflect.DeepEqual(got, wantTags) {
		t.Errorf("instance profile %s: GetInstanceProfile tags %v, want %v", name, got, wantTags)
	}
	tags := must[*iam.ListInstanceProfileTagsOutput](t)(a.c.ListInstanceProfileTags(t.Context(), &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String(name)})).Tags
	if got := tfRolesTags(tags); !reflect.DeepEqual(got, wantTags) {
		t.Errorf("instance profile %s: ListInstanceProfileTags %v, want %v", name, got, wantTags)
	}
}

// profilesForRole asserts ListInstanceProfilesForRole.
func (a tfRolesAccount) profilesForRole(t *testing.T, role string, want ...string) {
	t.Helper()
	var got []string
	for _, p := range must[*iam.ListInstanceProfilesForRoleOutput](t)(a.c.ListInstanceProfilesForRole(t.Context(), &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(role)})).InstanceProfiles {
		got = append(got, aws.ToString(p.InstanceProfileName))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("instance profiles of role %s: %v, want %v", role, got, want)
	}
}

// tfOIDCWant is what GetOpenIDConnectProvider should say of a provider:
// its client ids as a set (the provider's client_id_list is one), its
// thumbprints in order (thumbprint_list is a list).
type tfOIDCWant struct {
	URL         string
	ClientIDs   []string
	Thumbprints []string
	Tags        map[string]string
}

// oidcProvider asserts GetOpenIDConnectProvider's members, that
// ListOpenIDConnectProviderTags agrees with its tags, and that
// ListOpenIDConnectProviders lists the provider.
func (a tfRolesAccount) oidcProvider(t *testing.T, providerARN string, want tfOIDCWant) {
	t.Helper()
	p := must[*iam.GetOpenIDConnectProviderOutput](t)(a.c.GetOpenIDConnectProvider(t.Context(), &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN)}))
	if aws.ToString(p.Url) != want.URL || !tfIAMSameNames(p.ClientIDList, want.ClientIDs) || !reflect.DeepEqual(p.ThumbprintList, want.Thumbprints) {
		t.Errorf("OpenID Connect provider %s: url %q, client ids %v, thumbprints %v; want %q %v %v",
			providerARN, aws.ToString(p.Url), p.ClientIDList, p.ThumbprintList, want.URL, want.ClientIDs, want.Thumbprints)
	}
	if p.CreateDate == nil || time.Since(*p.CreateDate) > 10*time.Minute || time.Since(*p.CreateDate) < -time.Minute {
		t.Errorf("OpenID Connect provider %s: create date %v is not about now", providerARN, p.CreateDate)
	}
	if got := tfRolesTags(p.Tags); !reflect.DeepEqual(got, want.Tags) {
		t.Errorf("OpenID Connect provider %s: GetOpenIDConnectProvider tags %v, want %v", providerARN, got, want.Tags)
	}
	tags := must[*iam.ListOpenIDConnectProviderTagsOutput](t)(a.c.ListOpenIDConnectProviderTags(t.Context(), &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(providerARN)})).Tags
	if got := tfRolesTags(tags); !reflect.DeepEqual(got, want.Tags) {
		t.Errorf("OpenID Connect provider %s: ListOpenIDConnectProviderTags %v, want %v", providerARN, got, want.Tags)
	}
	var listed []string
	for _, e := range must[*iam.ListOpenIDConnectProvidersOutput](t)(a.c.ListOpenIDConnectProviders(t.Context(), &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList {
		listed = append(listed, aws.ToString(e.Arn))
	}
	if !tfIAMSameNames(listed, []string{providerARN}) {
		t.Errorf("ListOpenIDConnectProviders: %v, want [%s]", listed, providerARN)
	}
}
