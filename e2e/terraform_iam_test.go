package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestTerraformIAM drives the real Terraform CLI and hashicorp/aws provider
// 5.100.0 through groups, managed policies and their attachments
// (testdata/terraform_iam/main.tf): apply, a clean plan, an update that makes
// a new version of a managed policy, changes group membership, tags and a
// permissions boundary, a clean plan again, import of every importable
// resource into a fresh state, and a destroy that must leave the account
// empty. Every result is checked through aws-sdk-go-v2 as well, not only
// through Terraform's idea of it.
//
// Like TestTerraformAccessKey, it installs the provider only from the
// machine's filesystem mirror and lists the IAM/STS calls the provider made;
// on failure it also lists the calls latchkey logged that it refused.
func TestTerraformIAM(t *testing.T) {
	tf := newTerraform(t)
	src, err := os.ReadFile(filepath.Join("testdata", "terraform_iam", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tf.work, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-format", "json", "--log-level", "info"}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	acct := tfIAMAccount{root}
	t.Cleanup(func() {
		tf.reportActions(t)
		if t.Failed() {
			tfIAMServerActions(t, s)
		}
	})

	const (
		account      = e2etest.AccountID
		readARN      = "arn:aws:iam::" + account + ":policy/team/read"
		sharedARN    = "arn:aws:iam::" + account + ":policy/shared"
		boundaryAARN = "arn:aws:iam::" + account + ":policy/boundary-a"
		boundaryBARN = "arn:aws:iam::" + account + ":policy/boundary-b"
		iamReadOnly  = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	)
	vars := map[string]any{
		"endpoint":   s.URL,
		"access_key": e2etest.Root.KeyID,
		"secret_key": e2etest.Root.Secret,
	}
	// A step that stopped (a terraform run or a call failed: t.Fatal) stops
	// the test, since the next one builds on it; a step that ran to its end
	// with failed checks (t.Error) does not, so that one wrong field does
	// not hide what the later steps would find.
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

	step("Apply", func(t *testing.T) {
		tf.writeVars(t, vars)
		tf.run(t, 0, "init", "-input=false")
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		if got := tfIAMOutput(t, tf, "read_policy_arn"); got != readARN {
			t.Errorf("read_policy_arn = %q, want %q", got, readARN)
		}

		p := must[*iam.GetPolicyOutput](t)(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(readARN)})).Policy
		if aws.ToString(p.Path) != "/team/" || aws.ToString(p.Description) != "Read users, written by aws_iam_policy_document" ||
			aws.ToString(p.DefaultVersionId) != "v1" || aws.ToInt32(p.AttachmentCount) != 2 {
			t.Errorf("policy read: path %q, description %q, default version %q, %d attachments; want /team/, the description, v1, 2 (alice, devs)",
				aws.ToString(p.Path), aws.ToString(p.Description), aws.ToString(p.DefaultVersionId), aws.ToInt32(p.AttachmentCount))
		}
		if id := aws.ToString(p.PolicyId); !tfIAMPolicyID.MatchString(id) {
			t.Errorf("policy id %q is not shaped like AWS's (ANPA and 17 base32 characters)", id)
		}
		acct.policyTags(t, readARN, map[string]string{"team": "platform", "owner": "alice"})
		acct.policyDocument(t, readARN, "v1", tfIAMOutput(t, tf, "read_policy_json"))

		acct.boundary(t, "alice", boundaryAARN)
		acct.boundaryUse(t, boundaryAARN, 1)
		acct.boundaryUse(t, boundaryBARN, 0)
		acct.groupMembers(t, "devs", "alice", "bob")
		acct.userGroups(t, "carol", "ops")
		acct.userGroups(t, "alice", "devs")
		acct.attachedToUser(t, "alice", readARN, iamReadOnly)
		acct.attachedToUser(t, "bob", sharedARN)
		acct.attachedToGroup(t, "devs", readARN)
		acct.attachedToGroup(t, "ops", sharedARN)
		acct.entities(t, sharedARN, []string{"bob"}, []string{"ops"})
		acct.entities(t, iamReadOnly, []string{"alice"}, nil)

		gp := must[*iam.GetGroupPolicyOutput](t)(root.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("devs-inline")}))
		if doc, err := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); err != nil || !strings.Contains(doc, `"iam:ListGroups"`) {
			t.Errorf("group inline policy document %q (%v)", aws.ToString(gp.PolicyDocument), err)
		}
		g := must[*iam.GetGroupOutput](t)(root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})).Group
		if want := "arn:aws:iam::" + account + ":group/teams/devs"; aws.ToString(g.Arn) != want {
			t.Errorf("group devs arn = %q, want %q", aws.ToString(g.Arn), want)
		}
		if id := aws.ToString(g.GroupId); !tfIAMGroupID.MatchString(id) {
			t.Errorf("group id %q is not shaped like AWS's (AGPA and 17 base32 characters)", id)
		}
	})

	step("PlanClean", func(t *testing.T) { tf.planClean(t) })

	step("Update", func(t *testing.T) {
		vars["read_actions"] = []string{"iam:GetUser", "iam:ListUsers", "iam:ListGroupsForUser"}
		vars["read_tags"] = map[string]string{"team": "identity", "env": "e2e"} // one changed, one added, one removed
		vars["devs_members"] = []string{"alice"}
		vars["carol_groups"] = []string{"ops", "auditors"}
		vars["alice_boundary"] = "b"
		tf.writeVars(t, vars)
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")

		// A changed document is a new version, set as the default; the
		// policy keeps its ARN and its attachments.
		p := must[*iam.GetPolicyOutput](t)(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(readARN)})).Policy
		if aws.ToString(p.DefaultVersionId) != "v2" || aws.ToInt32(p.AttachmentCount) != 2 {
			t.Errorf("policy read: default version %q, %d attachments; want v2, 2", aws.ToString(p.DefaultVersionId), aws.ToInt32(p.AttachmentCount))
		}
		doc := tfIAMOutput(t, tf, "read_policy_json")
		if !strings.Contains(doc, "iam:ListGroupsForUser") {
			t.Fatalf("the data source's document did not change: %s", doc)
		}
		acct.policyDocument(t, readARN, "v2", doc)
		versions := must[*iam.ListPolicyVersionsOutput](t)(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(readARN)})).Versions
		got := map[string]bool{}
		for _, v := range versions {
			got[aws.ToString(v.VersionId)] = v.IsDefaultVersion
		}
		if want := map[string]bool{"v1": false, "v2": true}; !reflect.DeepEqual(got, want) {
			t.Errorf("versions of read (id → default) = %v, want %v", got, want)
		}
		acct.policyTags(t, readARN, map[string]string{"team": "identity", "env": "e2e"})

		acct.boundary(t, "alice", boundaryBARN)
		acct.boundaryUse(t, boundaryAARN, 0)
		acct.boundaryUse(t, boundaryBARN, 1)
		acct.groupMembers(t, "devs", "alice")
		acct.userGroups(t, "bob")
		acct.userGroups(t, "carol", "auditors", "ops")
		acct.attachedToUser(t, "alice", readARN, iamReadOnly)
		acct.entities(t, sharedARN, []string{"bob"}, []string{"ops"})
	})

	step("PlanCleanAfterUpdate", func(t *testing.T) { tf.planClean(t) })

	// Every importable resource goes into a fresh state; the two that cannot
	// be imported are then planned for creation (and nothing else changes),
	// created again over what already exists (AddUserToGroup and
	// AttachUserPolicy/AttachGroupPolicy of what is already there succeed in
	// AWS), and the plan is clean.
	step("Import", func(t *testing.T) {
		state := filepath.Join(tf.work, "terraform.tfstate")
		if err := os.Rename(state, state+".applied"); err != nil {
			t.Fatal(err)
		}
		for _, imp := range [][2]string{
			{"aws_iam_user.alice", "alice"},
			{"aws_iam_user.bob", "bob"},
			{"aws_iam_user.carol", "carol"},
			{"aws_iam_group.devs", "devs"},
			{"aws_iam_group.ops", "ops"},
			{"aws_iam_group.auditors", "auditors"},
			{"aws_iam_group_policy.devs", "devs:devs-inline"},
			{"aws_iam_user_group_membership.carol", "carol/ops/auditors"},
			{"aws_iam_policy.read", readARN},
			{"aws_iam_policy.shared", sharedARN},
			{"aws_iam_policy.boundary_a", boundaryAARN},
			{"aws_iam_policy.boundary_b", boundaryBARN},
			{"aws_iam_user_policy_attachment.alice_read", "alice/" + readARN},
			{"aws_iam_user_policy_attachment.alice_iam_read_only", "alice/" + iamReadOnly},
			{"aws_iam_group_policy_attachment.devs_read", "devs/" + readARN},
		} {
			tf.run(t, 0, "import", "-input=false", imp[0], imp[1])
		}

		tf.run(t, 2, "plan", "-detailed-exitcode", "-input=false", "-out=import.plan")
		var plan struct {
			ResourceChanges []struct {
				Address string `json:"address"`
				Mode    string `json:"mode"`
				Change  struct {
					Actions []string `json:"actions"`
				} `json:"change"`
			} `json:"resource_changes"`
		}
		raw := tf.run(t, 0, "show", "-json", "import.plan")
		if err := json.Unmarshal([]byte(raw), &plan); err != nil {
			t.Fatalf("terraform show -json: %v", err)
		}
		changes := map[string]string{}
		for _, rc := range plan.ResourceChanges {
			if a := strings.Join(rc.Change.Actions, ","); rc.Mode == "managed" && a != "no-op" {
				changes[rc.Address] = a
			}
		}
		want := map[string]string{"aws_iam_group_membership.devs": "create", "aws_iam_policy_attachment.shared": "create"}
		if !reflect.DeepEqual(changes, want) {
			t.Fatalf("plan after import: %v, want only %v (the resources that cannot be imported)", changes, want)
		}
		tf.run(t, 0, "apply", "-auto-approve", "-input=false", "import.plan")
		tf.planClean(t)
		acct.groupMembers(t, "devs", "alice")
		acct.entities(t, sharedARN, []string{"bob"}, []string{"ops"})
	})

	step("Destroy", func(t *testing.T) {
		tf.run(t, 0, "destroy", "-auto-approve", "-input=false")
		for _, u := range must[*iam.ListUsersOutput](t)(root.ListUsers(ctx, &iam.ListUsersInput{})).Users {
			t.Errorf("user left after destroy: %s", aws.ToString(u.Arn))
		}
		for _, g := range must[*iam.ListGroupsOutput](t)(root.ListGroups(ctx, &iam.ListGroupsInput{})).Groups {
			t.Errorf("group left after destroy: %s", aws.ToString(g.Arn))
		}
		for _, p := range must[*iam.ListPoliciesOutput](t)(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})).Policies {
			t.Errorf("policy left after destroy: %s", aws.ToString(p.Arn))
		}
		_, err := root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(readARN)})
		wantCode(t, err, "NoSuchEntity")
		p := must[*iam.GetPolicyOutput](t)(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamReadOnly)})).Policy
		if n := aws.ToInt32(p.AttachmentCount); n != 0 {
			t.Errorf("IAMReadOnlyAccess still has %d attachments", n)
		}
		acct.entities(t, iamReadOnly, nil, nil)
	})
}

// The shapes of AWS's unique ids of managed policies and groups.
var (
	tfIAMPolicyID = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)
	tfIAMGroupID  = regexp.MustCompile(`^AGPA[A-Z2-7]{17}$`)
)

// tfIAMAccount checks, through aws-sdk-go-v2, what Terraform did to the
// account. Its methods are named for the file alone, apart from the
// package's other helpers.
type tfIAMAccount struct{ c *iam.Client }

// tfIAMOutput returns the string output name of the last apply.
func tfIAMOutput(t *testing.T, tf *terraform, name string) string {
	t.Helper()
	raw := strings.TrimSpace(tf.run(t, 0, "output", "-json", name))
	var v string
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("output %s: %v\n%s", name, err, raw)
	}
	return v
}

// policyDocument asserts that version of the managed policy holds a
// document equal, as JSON, to want. IAM returns documents URL-encoded.
func (a tfIAMAccount) policyDocument(t *testing.T, policyARN, version, want string) {
	t.Helper()
	v := must[*iam.GetPolicyVersionOutput](t)(a.c.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(version)})).PolicyVersion
	doc, err := url.QueryUnescape(aws.ToString(v.Document))
	if err != nil {
		t.Fatalf("%s %s: document %q is not URL-encoded: %v", policyARN, version, aws.ToString(v.Document), err)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(doc), &got); err != nil {
		t.Fatalf("%s %s: document %q: %v", policyARN, version, doc, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Errorf("%s %s: document\n%s\nwant\n%s", policyARN, version, doc, want)
	}
	if !v.IsDefaultVersion {
		t.Errorf("%s %s is not the default version", policyARN, version)
	}
}

// policyTags asserts ListPolicyTags.
func (a tfIAMAccount) policyTags(t *testing.T, policyARN string, want map[string]string) {
	t.Helper()
	tags := must[*iam.ListPolicyTagsOutput](t)(a.c.ListPolicyTags(t.Context(), &iam.ListPolicyTagsInput{PolicyArn: aws.String(policyARN)})).Tags
	got := map[string]string{}
	for _, tag := range tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tags of %s: %v, want %v", policyARN, got, want)
	}
}

// boundary asserts GetUser's PermissionsBoundary: the policy's ARN, and the
// type AWS always gives (the one value of PermissionsBoundaryAttachmentType).
// The provider reads only the ARN, so this is the check that sees the type.
func (a tfIAMAccount) boundary(t *testing.T, user, policyARN string) {
	t.Helper()
	b := must[*iam.GetUserOutput](t)(a.c.GetUser(t.Context(), &iam.GetUserInput{UserName: aws.String(user)})).User.PermissionsBoundary
	want := types.PermissionsBoundaryAttachmentTypePolicy
	switch {
	case b == nil:
		t.Errorf("permissions boundary of %s: none, want %s %s", user, want, policyARN)
	case aws.ToString(b.PermissionsBoundaryArn) != policyARN || b.PermissionsBoundaryType != want:
		t.Errorf("permissions boundary of %s: %s %s, want %s %s", user, b.PermissionsBoundaryType, aws.ToString(b.PermissionsBoundaryArn), want, policyARN)
	}
}

// boundaryUse asserts how many users and roles have the managed policy as
// their permissions boundary; AWS counts those apart from attachments, which
// a boundary is not.
func (a tfIAMAccount) boundaryUse(t *testing.T, policyARN string, want int32) {
	t.Helper()
	p := must[*iam.GetPolicyOutput](t)(a.c.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy
	if got := aws.ToInt32(p.PermissionsBoundaryUsageCount); got != want || aws.ToInt32(p.AttachmentCount) != 0 {
		t.Errorf("%s: used as a boundary %d times, attached %d times; want %d, 0", policyARN, got, aws.ToInt32(p.AttachmentCount), want)
	}
}

// tfIAMSameNames compares two lists of names regardless of order.
func tfIAMSameNames(got, want []string) bool {
	got, want = append([]string{}, got...), append([]string{}, want...)
	sort.Strings(got)
	sort.Strings(want)
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// groupMembers asserts the users GetGroup lists.
func (a tfIAMAccount) groupMembers(t *testing.T, group string, want ...string) {
	t.Helper()
	var got []string
	for _, u := range must[*iam.GetGroupOutput](t)(a.c.GetGroup(t.Context(), &iam.GetGroupInput{GroupName: aws.String(group)})).Users {
		got = append(got, aws.ToString(u.UserName))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("members of %s: %v, want %v", group, got, want)
	}
}

// userGroups asserts ListGroupsForUser.
func (a tfIAMAccount) userGroups(t *testing.T, user string, want ...string) {
	t.Helper()
	var got []string
	for _, g := range must[*iam.ListGroupsForUserOutput](t)(a.c.ListGroupsForUser(t.Context(), &iam.ListGroupsForUserInput{UserName: aws.String(user)})).Groups {
		got = append(got, aws.ToString(g.GroupName))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("groups of %s: %v, want %v", user, got, want)
	}
}

// attachedToUser asserts the ARNs ListAttachedUserPolicies lists.
func (a tfIAMAccount) attachedToUser(t *testing.T, user string, want ...string) {
	t.Helper()
	var got []string
	for _, p := range must[*iam.ListAttachedUserPoliciesOutput](t)(a.c.ListAttachedUserPolicies(t.Context(), &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})).AttachedPolicies {
		got = append(got, aws.ToString(p.PolicyArn))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("policies attached to user %s: %v, want %v", user, got, want)
	}
}

// attachedToGroup asserts the ARNs ListAttachedGroupPolicies lists.
func (a tfIAMAccount) attachedToGroup(t *testing.T, group string, want ...string) {
	t.Helper()
	var got []string
	for _, p := range must[*iam.ListAttachedGroupPoliciesOutput](t)(a.c.ListAttachedGroupPolicies(t.Context(), &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})).AttachedPolicies {
		got = append(got, aws.ToString(p.PolicyArn))
	}
	if !tfIAMSameNames(got, want) {
		t.Errorf("policies attached to group %s: %v, want %v", group, got, want)
	}
}

// entities asserts the users and groups a managed policy is attached to.
func (a tfIAMAccount) entities(t *testing.T, policyARN string, users, groups []string) {
	t.Helper()
	out := must[*iam.ListEntitiesForPolicyOutput](t)(a.c.ListEntitiesForPolicy(t.Context(), &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(policyARN)}))
	var gotUsers, gotGroups []string
	for _, u := range out.PolicyUsers {
		gotUsers = append(gotUsers, aws.ToString(u.UserName))
	}
	for _, g := range out.PolicyGroups {
		gotGroups = append(gotGroups, aws.ToString(g.GroupName))
	}
	if !tfIAMSameNames(gotUsers, users) || !tfIAMSameNames(gotGroups, groups) || len(out.PolicyRoles) != 0 {
		t.Errorf("entities of %s: users %v groups %v roles %d, want users %v groups %v", policyARN, gotUsers, gotGroups, len(out.PolicyRoles), users, groups)
	}
}

// tfIAMServerActions lists, from latchkey's JSON request log, how often each
// action was answered with each status, and every refused call in order with
// its error code and request id (to find it in the provider's DEBUG log).
// The log holds the test's own SDK calls too, such as the GetPolicy after the
// destroy that must answer NoSuchEntity.
func tfIAMServerActions(t *testing.T, s *e2etest.Server) {
	t.Helper()
	type line struct {
		RequestID string `json:"request_id"`
		Service   string `json:"service"`
		Action    string `json:"action"`
		Status    int    `json:"status"`
		ErrorCode string `json:"error_code"`
		Cause     string `json:"cause"`
	}
	total := map[string]int{}
	var refused []string
	sc := bufio.NewScanner(strings.NewReader(s.Stderr()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Action == "" {
			continue
		}
		total[fmt.Sprintf("%-4s %-32s %d %s", l.Service, l.Action, l.Status, l.ErrorCode)]++
		if l.Status >= 400 {
			r := fmt.Sprintf("%s %s → %d %s (request %s)", l.Service, l.Action, l.Status, l.ErrorCode, l.RequestID)
			if l.Cause != "" {
				r += ": " + l.Cause
			}
			refused = append(refused, r)
		}
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s ×%d", k, total[k])
	}
	t.Logf("actions latchkey logged, with its answers:%s", b.String())
	if len(refused) > 0 {
		t.Logf("calls latchkey refused, in order:\n  %s", strings.Join(refused, "\n  "))
	}
}
