package e2e

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// boto3IAMScript drives groups, managed policies, their versions and the
// simulator with boto3 as a user of it writes them, and prints one JSON
// object for the Go test to check. Modeled exceptions are caught by their
// exact classes: any other exception escapes and fails the script.
const boto3IAMScript = `
def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


DOC_V1 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}]}
DOC_V2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}
INLINE = {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}}

# A group with two members and a managed policy attached.
group = iam.create_group(GroupName="Engineers", Path="/eng/")["Group"]
out["group_keys"] = sorted(group)
out["group"] = plain(group)
out["group_create_date_is_aware"] = isinstance(group["CreateDate"], datetime.datetime) and group["CreateDate"].tzinfo is not None
for name in ("ann", "ben"):
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="Engineers", UserName=name)
key = iam.create_access_key(UserName="ann")["AccessKey"]

policy = iam.create_policy(PolicyName="EngRead", PolicyDocument=json.dumps(DOC_V1, indent=2))["Policy"]
out["policy"] = plain(policy)
iam.attach_group_policy(GroupName="Engineers", PolicyArn=policy["Arn"])
iam.put_group_policy(GroupName="Engineers", PolicyName="no-delete", PolicyDocument=json.dumps(INLINE))

members = []
for page in iam.get_paginator("get_group").paginate(GroupName="Engineers", PaginationConfig={"PageSize": 1}):
    members += [u["UserName"] for u in page["Users"]]
out["members"] = members
out["groups_for_ann"] = [g["GroupName"] for g in iam.list_groups_for_user(UserName="ann")["Groups"]]
out["attached"] = plain(iam.list_attached_group_policies(GroupName="Engineers")["AttachedPolicies"])
out["attachment_count"] = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"]
entities = iam.list_entities_for_policy(PolicyArn=policy["Arn"])
out["entities"] = {k: plain(entities[k]) for k in ("PolicyGroups", "PolicyUsers", "PolicyRoles")}
# botocore decodes policy documents: URL-decoded, then parsed as JSON.
out["group_policy_document"] = iam.get_group_policy(GroupName="Engineers", PolicyName="no-delete")["PolicyDocument"]

# The member may do what the group's policies allow, as ann.
ann = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1",
                   aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
out["ann_lists"] = sorted(u["UserName"] for u in ann.list_users()["Users"])
try:
    ann.create_user(UserName="mallory")
    out["ann_create"] = None
except ann.exceptions.ClientError as exc:
    out["ann_create"] = error(exc)

# Policy versions: create, list, set the default, delete.
v2 = iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(DOC_V2), SetAsDefault=True)["PolicyVersion"]
out["v2"] = plain(v2)
out["versions_after_create"] = [(v["VersionId"], v["IsDefaultVersion"]) for v in iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]]
out["v2_document"] = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v2")["PolicyVersion"]["Document"]
out["v1_document"] = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]["Document"]
out["ann_lists_groups_with_v2"] = [g["GroupName"] for g in ann.list_groups()["Groups"]]
try:
    iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v2")
    out["delete_default"] = None
except iam.exceptions.DeleteConflictException as exc:
    out["delete_default"] = error(exc)
iam.set_default_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
out["default_after_set"] = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["DefaultVersionId"]
iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v2")
out["versions_after_delete"] = [(v["VersionId"], v["IsDefaultVersion"]) for v in iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]]
try:
    ann.list_groups()
    out["ann_lists_groups_with_v1"] = None
except ann.exceptions.ClientError as exc:
    out["ann_lists_groups_with_v1"] = error(exc)
for i in range(4):
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(DOC_V2))
try:
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(DOC_V2))
    out["sixth_version"] = None
except iam.exceptions.LimitExceededException as exc:
    out["sixth_version"] = error(exc)

# Simulation.
sim = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:user/ann",
                                    ActionNames=["iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"])
out["simulated"] = [{"action": r["EvalActionName"], "decision": r["EvalDecision"],
                     "matched": [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in r["MatchedStatements"]]}
                    for r in sim["EvaluationResults"]]
paged = []
for page in iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn="arn:aws:iam::123456789012:user/ann", ActionNames=["iam:ListUsers", "iam:CreateUser", "iam:DeleteUser"],
        PaginationConfig={"PageSize": 1}):
    paged += [r["EvalDecision"] for r in page["EvaluationResults"]]
out["simulated_paged"] = paged
custom = iam.simulate_custom_policy(
    PolicyInputList=['{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'],
    ActionNames=["dynamodb:CreateBackup"],
    ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"], "ContextKeyType": "date"}])
out["custom"] = plain(custom["EvaluationResults"])

# Errors, by their modeled exception classes.
try:
    iam.delete_group(GroupName="Engineers")
    out["delete_group"] = None
except iam.exceptions.DeleteConflictException as exc:
    out["delete_group"] = error(exc)
try:
    iam.get_group(GroupName="Nobody")
    out["no_such_group"] = None
except iam.exceptions.NoSuchEntityException as exc:
    out["no_such_group"] = error(exc)
try:
    iam.create_group(GroupName="ENGINEERS")
    out["group_exists"] = None
except iam.exceptions.EntityAlreadyExistsException as exc:
    out["group_exists"] = error(exc)
try:
    iam.create_policy(PolicyName="Broken", PolicyDocument='{"Statement":')
    out["malformed"] = None
except iam.exceptions.MalformedPolicyDocumentException as exc:
    out["malformed"] = error(exc)
aws_policies = []
for page in iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 2}):
    aws_policies += [p["PolicyName"] for p in page["Policies"]]
out["aws_policies"] = aws_policies

print(json.dumps(out))
`

// TestBoto3IAM runs boto3IAMScript: a group with members and an attached
// managed policy, policy versions and the simulator, and boto3's modeled
// exceptions for their errors.
func TestBoto3IAM(t *testing.T) {
	t.Parallel() // Python's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	stdout := runBoto3Script(t, s, "boto3_iam.py", boto3IAMScript)
	type simulated struct {
		Action, Decision string
		Matched          [][2]string
	}
	var out struct {
		GroupKeys              []string          `json:"group_keys"`
		Group                  map[string]string `json:"group"`
		GroupCreateDateIsAware bool              `json:"group_create_date_is_aware"`
		Policy                 map[string]any    `json:"policy"`
		Members                []string
		GroupsForAnn           []string            `json:"groups_for_ann"`
		Attached               []map[string]string `json:"attached"`
		AttachmentCount        int                 `json:"attachment_count"`
		Entities               map[string][]map[string]string
		GroupPolicyDocument    map[string]any   `json:"group_policy_document"`
		AnnLists               []string         `json:"ann_lists"`
		AnnCreate              *boto3Error      `json:"ann_create"`
		V2                     map[string]any   `json:"v2"`
		VersionsAfterCreate    [][2]any         `json:"versions_after_create"`
		V2Document             map[string]any   `json:"v2_document"`
		V1Document             map[string]any   `json:"v1_document"`
		AnnListsGroupsWithV2   []string         `json:"ann_lists_groups_with_v2"`
		DeleteDefault          *boto3Error      `json:"delete_default"`
		DefaultAfterSet        string           `json:"default_after_set"`
		VersionsAfterDelete    [][2]any         `json:"versions_after_delete"`
		AnnListsGroupsWithV1   *boto3Error      `json:"ann_lists_groups_with_v1"`
		SixthVersion           *boto3Error      `json:"sixth_version"`
		Simulated              []simulated      `json:"simulated"`
		SimulatedPaged         []string         `json:"simulated_paged"`
		Custom                 []map[string]any `json:"custom"`
		DeleteGroup            *boto3Error      `json:"delete_group"`
		NoSuchGroup            *boto3Error      `json:"no_such_group"`
		GroupExists            *boto3Error      `json:"group_exists"`
		Malformed              *boto3Error      `json:"malformed"`
		AWSPolicies            []string         `json:"aws_policies"`
	}
	jsonDecode(t, stdout, &out)
	wantBoto := func(t *testing.T, what string, e *boto3Error, class, code string, status int, message string) {
		t.Helper()
		if e == nil || e.Class != class || e.Code != code || e.Status != status {
			t.Fatalf("%s raised %+v, want %s (%s, HTTP %d)", what, e, class, code, status)
		}
		wantMessage(t, e.Message, message)
	}

	t.Run("GroupShape", func(t *testing.T) {
		g := out.Group
		if strings.Join(out.GroupKeys, ",") != "Arn,CreateDate,GroupId,GroupName,Path" {
			t.Fatalf("Group holds %v", out.GroupKeys)
		}
		if g["GroupName"] != "Engineers" || g["Path"] != "/eng/" || g["Arn"] != iamARN("group/eng/Engineers") || !groupIDPattern.MatchString(g["GroupId"]) {
			t.Fatalf("create_group: %v", g)
		}
		if !out.GroupCreateDateIsAware {
			t.Fatal("CreateDate is not a timezone-aware datetime")
		}
		cliDate(t, "CreateDate", g["CreateDate"])
	})

	t.Run("MembersAndAttachedPolicy", func(t *testing.T) {
		if strings.Join(out.Members, ",") != "ann,ben" || strings.Join(out.GroupsForAnn, ",") != "Engineers" {
			t.Fatalf("members %v (get_group paginator, PageSize 1), ann's groups %v", out.Members, out.GroupsForAnn)
		}
		p := out.Policy
		if p["PolicyName"] != "EngRead" || p["Arn"] != iamARN("policy/EngRead") || p["DefaultVersionId"] != "v1" || p["IsAttachable"] != true || !policyIDPattern.MatchString(p["PolicyId"].(string)) {
			t.Fatalf("create_policy: %v", p)
		}
		if len(out.Attached) != 1 || out.Attached[0]["PolicyName"] != "EngRead" || out.Attached[0]["PolicyArn"] != iamARN("policy/EngRead") || out.AttachmentCount != 1 {
			t.Fatalf("attached %v, AttachmentCount %d", out.Attached, out.AttachmentCount)
		}
		e := out.Entities
		if len(e["PolicyGroups"]) != 1 || e["PolicyGroups"][0]["GroupName"] != "Engineers" || !groupIDPattern.MatchString(e["PolicyGroups"][0]["GroupId"]) ||
			len(e["PolicyUsers"]) != 0 || len(e["PolicyRoles"]) != 0 {
			t.Fatalf("list_entities_for_policy: %v", e)
		}
		if !sameJSON(t, fmtAny(out.GroupPolicyDocument), `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}}`) {
			t.Fatalf("get_group_policy document %v", out.GroupPolicyDocument)
		}
	})

	t.Run("MemberPermissions", func(t *testing.T) {
		if strings.Join(out.AnnLists, ",") != "ann,ben" {
			t.Fatalf("ann's list_users: %v", out.AnnLists)
		}
		e := out.AnnCreate
		if e == nil || e.Code != "AccessDenied" || e.Status != 403 || !strings.HasPrefix(e.Message, "User: "+iamARN("user/ann")+" is not authorized to perform: iam:CreateUser on resource: ") {
			t.Fatalf("ann's create_user raised %+v", e)
		}
	})

	t.Run("PolicyVersions", func(t *testing.T) {
		if out.V2["VersionId"] != "v2" || out.V2["IsDefaultVersion"] != true {
			t.Fatalf("create_policy_version: %v", out.V2)
		}
		if _, ok := out.V2["Document"]; ok {
			t.Fatalf("create_policy_version echoed the document: %v", out.V2)
		}
		cliDate(t, "v2 CreateDate", out.V2["CreateDate"].(string))
		if fmtAny(out.VersionsAfterCreate) != `[["v2",true],["v1",false]]` {
			t.Fatalf("list_policy_versions after create: %v", out.VersionsAfterCreate)
		}
		if !sameJSON(t, fmtAny(out.V2Document), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`) ||
			!sameJSON(t, fmtAny(out.V1Document), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}]}`) {
			t.Fatalf("get_policy_version documents: v2 %v, v1 %v", out.V2Document, out.V1Document)
		}
		if strings.Join(out.AnnListsGroupsWithV2, ",") != "Engineers" {
			t.Fatalf("ann's list_groups with v2 the default: %v", out.AnnListsGroupsWithV2)
		}
		wantBoto(t, "delete_policy_version of the default", out.DeleteDefault, "DeleteConflictException", "DeleteConflict", 409, "Cannot delete the default version of a policy.")
		if out.DefaultAfterSet != "v1" || fmtAny(out.VersionsAfterDelete) != `[["v1",true]]` {
			t.Fatalf("after set_default_policy_version v1 and deleting v2: default %q, versions %v", out.DefaultAfterSet, out.VersionsAfterDelete)
		}
		if e := out.AnnListsGroupsWithV1; e == nil || e.Code != "AccessDenied" || e.Status != 403 {
			t.Fatalf("ann's list_groups with v1 the default again raised %+v", e)
		}
		wantBoto(t, "the sixth create_policy_version", out.SixthVersion, "LimitExceededException", "LimitExceeded", 409,
			"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	})

	t.Run("Simulation", func(t *testing.T) {
		got := fmtAny(out.Simulated)
		want := `[{"Action":"iam:ListUsers","Decision":"allowed","Matched":[["EngRead","user-managed"]]},` +
			`{"Action":"iam:CreateUser","Decision":"implicitDeny","Matched":[]},` +
			`{"Action":"iam:DeleteUser","Decision":"explicitDeny","Matched":[["no-delete","group"]]}]`
		if got != want {
			t.Fatalf("simulate_principal_policy:\n%s\nwant:\n%s", got, want)
		}
		if strings.Join(out.SimulatedPaged, ",") != "allowed,implicitDeny,explicitDeny" {
			t.Fatalf("the simulate_principal_policy paginator (PageSize 1) saw %v", out.SimulatedPaged)
		}
		if len(out.Custom) != 1 {
			t.Fatalf("simulate_custom_policy: %v", out.Custom)
		}
		r := out.Custom[0]
		if r["EvalDecision"] != "allowed" || r["EvalResourceName"] != "*" || fmtAny(r["MissingContextValues"]) != "[]" {
			t.Fatalf("simulate_custom_policy (AWS's example): %v", r)
		}
		if m := fmtAny(r["MatchedStatements"]); m != `[{"EndPosition":{"Column":167,"Line":1},"SourcePolicyId":"PolicyInputList.1","SourcePolicyType":"none","StartPosition":{"Column":38,"Line":1}}]` {
			t.Fatalf("MatchedStatements %s", m)
		}
	})

	t.Run("Exceptions", func(t *testing.T) {
		wantBoto(t, "delete_group with members", out.DeleteGroup, "DeleteConflictException", "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
		wantBoto(t, "get_group(Nobody)", out.NoSuchGroup, "NoSuchEntityException", "NoSuchEntity", 404, "The group with name Nobody cannot be found.")
		wantBoto(t, "create_group(ENGINEERS)", out.GroupExists, "EntityAlreadyExistsException", "EntityAlreadyExists", 409, "Group with name ENGINEERS already exists.")
		wantBoto(t, "create_policy of a broken document", out.Malformed, "MalformedPolicyDocumentException", "MalformedPolicyDocument", 400, "Syntax errors in policy.")
	})

	t.Run("AWSManagedPolicies", func(t *testing.T) {
		got := "," + strings.Join(out.AWSPolicies, ",") + ","
		for _, name := range []string{"AdministratorAccess", "IAMReadOnlyAccess", "IAMFullAccess", "PowerUserAccess", "IAMUserChangePassword"} {
			if !strings.Contains(got, ","+name+",") {
				t.Fatalf("list_policies(Scope=AWS) paged by 2 lacks %s: %v", name, out.AWSPolicies)
			}
		}
		seen := map[string]bool{}
		for _, n := range out.AWSPolicies {
			if seen[n] {
				t.Fatalf("the paginator saw %s twice: %v", n, out.AWSPolicies)
			}
			seen[n] = true
		}
	})
}
