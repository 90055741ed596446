package e2e

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The AWS CLI through groups, managed policies, their versions and the
// simulator, as an administrator types them.

func jsonList(t *testing.T, m map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := m[key].([]any)
	if !ok {
		t.Fatalf("no list %q in %v", key, m)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		o, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s[%d] is %T, not an object", key, i, v)
		}
		out[i] = o
	}
	return out
}

func TestAWSCLIIAM(t *testing.T) {
	t.Parallel() // the CLI's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	root := e2etest.Root
	cli := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		return awsCLIJSON(t, s, root, append([]string{"iam"}, args...)...)
	}
	const v1 = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListGroups"], "Resource": "*"}]}`
	const v2 = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}`

	t.Run("GroupWithMembersAndPolicy", func(t *testing.T) {
		g := jsonObject(t, cli(t, "create-group", "--group-name", "Ops", "--path", "/ops/"), "Group")
		if sortedJSONKeys(g) != "Arn,CreateDate,GroupId,GroupName,Path" || jsonString(g, "Arn") != iamARN("group/ops/Ops") || !groupIDPattern.MatchString(jsonString(g, "GroupId")) {
			t.Fatalf("create-group: %v", g)
		}
		cliDate(t, "create-group CreateDate", jsonString(g, "CreateDate"))
		for _, u := range []string{"zoe", "yan"} {
			cli(t, "create-user", "--user-name", u)
			if out := cli(t, "add-user-to-group", "--group-name", "Ops", "--user-name", u); out != nil {
				t.Fatalf("add-user-to-group printed %v", out)
			}
		}
		got := cli(t, "get-group", "--group-name", "Ops")
		if jsonString(jsonObject(t, got, "Group"), "GroupId") != jsonString(g, "GroupId") {
			t.Fatalf("get-group: %v", got)
		}
		var members []string
		for _, u := range jsonList(t, got, "Users") {
			members = append(members, jsonString(u, "UserName"))
		}
		if strings.Join(members, ",") != "yan,zoe" {
			t.Fatalf("get-group users %v", members)
		}
		groups := jsonList(t, cli(t, "list-groups-for-user", "--user-name", "zoe"), "Groups")
		if len(groups) != 1 || jsonString(groups[0], "GroupName") != "Ops" {
			t.Fatalf("list-groups-for-user: %v", groups)
		}

		p := jsonObject(t, cli(t, "create-policy", "--policy-name", "OpsRead", "--policy-document", v1, "--description", "what ops reads"), "Policy")
		if jsonString(p, "Arn") != iamARN("policy/OpsRead") || jsonString(p, "DefaultVersionId") != "v1" || p["IsAttachable"] != true || p["AttachmentCount"] != float64(0) ||
			!policyIDPattern.MatchString(jsonString(p, "PolicyId")) {
			t.Fatalf("create-policy: %v", p)
		}
		if out := cli(t, "attach-group-policy", "--group-name", "Ops", "--policy-arn", iamARN("policy/OpsRead")); out != nil {
			t.Fatalf("attach-group-policy printed %v", out)
		}
		cli(t, "attach-group-policy", "--group-name", "Ops", "--policy-arn", iamReadOnlyARN)
		attached := jsonList(t, cli(t, "list-attached-group-policies", "--group-name", "Ops"), "AttachedPolicies")
		if len(attached) != 2 || jsonString(attached[0], "PolicyName") != "IAMReadOnlyAccess" || jsonString(attached[1], "PolicyArn") != iamARN("policy/OpsRead") {
			t.Fatalf("list-attached-group-policies: %v", attached)
		}
		gp := jsonObject(t, cli(t, "get-policy", "--policy-arn", iamARN("policy/OpsRead")), "Policy")
		if gp["AttachmentCount"] != float64(1) || jsonString(gp, "Description") != "what ops reads" {
			t.Fatalf("get-policy: %v", gp)
		}
		e := cli(t, "list-entities-for-policy", "--policy-arn", iamARN("policy/OpsRead"))
		if pg := jsonList(t, e, "PolicyGroups"); len(pg) != 1 || jsonString(pg[0], "GroupName") != "Ops" || jsonString(pg[0], "GroupId") != jsonString(g, "GroupId") {
			t.Fatalf("list-entities-for-policy: %v", e)
		}

		msg := awsCLIFails(t, s, root, "DeleteConflict", "iam", "delete-group", "--group-name", "Ops")
		wantMessage(t, msg, "Cannot delete entity, must remove users from group first.")
		msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-group", "--group-name", "Nobody")
		wantMessage(t, msg, "The group with name Nobody cannot be found.")
	})

	t.Run("PolicyVersions", func(t *testing.T) {
		arn := iamARN("policy/OpsRead")
		v := jsonObject(t, cli(t, "create-policy-version", "--policy-arn", arn, "--policy-document", v2, "--set-as-default"), "PolicyVersion")
		if sortedJSONKeys(v) != "CreateDate,IsDefaultVersion,VersionId" || jsonString(v, "VersionId") != "v2" || v["IsDefaultVersion"] != true {
			t.Fatalf("create-policy-version: %v", v)
		}
		cliDate(t, "create-policy-version CreateDate", jsonString(v, "CreateDate"))
		versions := func() string {
			var out []string
			for _, v := range jsonList(t, cli(t, "list-policy-versions", "--policy-arn", arn), "Versions") {
				s := jsonString(v, "VersionId")
				if v["IsDefaultVersion"] == true {
					s += "*"
				}
				if _, ok := v["Document"]; ok {
					t.Fatalf("list-policy-versions printed a document: %v", v)
				}
				out = append(out, s)
			}
			return strings.Join(out, ",")
		}
		if got := versions(); got != "v2*,v1" {
			t.Fatalf("list-policy-versions: %s", got)
		}
		// The CLI decodes the document: URL-decoded, then JSON.
		doc := jsonObject(t, jsonObject(t, cli(t, "get-policy-version", "--policy-arn", arn, "--version-id", "v1"), "PolicyVersion"), "Document")
		if !sameJSON(t, fmtAny(doc), v1) {
			t.Fatalf("get-policy-version v1 document %v", doc)
		}
		msg := awsCLIFails(t, s, root, "DeleteConflict", "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")
		wantMessage(t, msg, "Cannot delete the default version of a policy.")
		if out := cli(t, "set-default-policy-version", "--policy-arn", arn, "--version-id", "v1"); out != nil {
			t.Fatalf("set-default-policy-version printed %v", out)
		}
		if out := cli(t, "delete-policy-version", "--policy-arn", arn, "--version-id", "v2"); out != nil {
			t.Fatalf("delete-policy-version printed %v", out)
		}
		if got := versions(); got != "v1*" {
			t.Fatalf("list-policy-versions after the delete: %s", got)
		}
		msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")
		wantMessage(t, msg, "Policy "+arn+" version v2 does not exist or is not attachable.")
	})

	t.Run("SimulatePrincipalPolicy", func(t *testing.T) {
		out := cli(t, "simulate-principal-policy", "--policy-source-arn", iamARN("user/zoe"), "--action-names", "iam:ListGroups", "iam:CreateUser")
		results := jsonList(t, out, "EvaluationResults")
		if len(results) != 2 {
			t.Fatalf("simulate-principal-policy: %v", out)
		}
		list, create := results[0], results[1]
		if jsonString(list, "EvalActionName") != "iam:ListGroups" || jsonString(list, "EvalResourceName") != "*" || jsonString(list, "EvalDecision") != "allowed" {
			t.Fatalf("iam:ListGroups: %v", list)
		}
		var sources []string
		for _, m := range jsonList(t, list, "MatchedStatements") {
			sources = append(sources, jsonString(m, "SourcePolicyId")+"("+jsonString(m, "SourcePolicyType")+")")
			if sortedJSONKeys(m) != "EndPosition,SourcePolicyId,SourcePolicyType,StartPosition" {
				t.Fatalf("statement %v", m)
			}
		}
		if strings.Join(sources, ",") != "IAMReadOnlyAccess(aws-managed),OpsRead(user-managed)" && strings.Join(sources, ",") != "OpsRead(user-managed),IAMReadOnlyAccess(aws-managed)" {
			t.Fatalf("iam:ListGroups matched %v", sources)
		}
		if jsonString(create, "EvalDecision") != "implicitDeny" || len(jsonList(t, create, "MatchedStatements")) != 0 || fmtAny(create["MissingContextValues"]) != "[]" {
			t.Fatalf("iam:CreateUser: %v", create)
		}
		msg := awsCLIFails(t, s, root, "NoSuchEntity", "iam", "simulate-principal-policy", "--policy-source-arn", iamARN("user/ghost"), "--action-names", "iam:ListUsers")
		wantMessage(t, msg, "The user with name ghost cannot be found.")
	})

	t.Run("SimulateCustomPolicy", func(t *testing.T) {
		// The AWS CLI reference's simulate-custom-policy Example 1, as printed.
		out := cli(t, "simulate-custom-policy",
			"--policy-input-list", awsSimulatorExample,
			"--action-names", "dynamodb:CreateBackup",
			"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date")
		results := jsonList(t, out, "EvaluationResults")
		if len(results) != 1 || jsonString(results[0], "EvalDecision") != "allowed" || fmtAny(results[0]["MissingContextValues"]) != "[]" {
			t.Fatalf("simulate-custom-policy: %v", out)
		}
		if m := fmtAny(results[0]["MatchedStatements"]); m != `[{"EndPosition":{"Column":167,"Line":1},"SourcePolicyId":"PolicyInputList.1","SourcePolicyType":"none","StartPosition":{"Column":38,"Line":1}}]` {
			t.Fatalf("MatchedStatements %s", m)
		}
		keys := cli(t, "get-context-keys-for-custom-policy", "--policy-input-list",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`)
		if fmtAny(keys) != `{"ContextKeyNames":["aws:username","aws:CurrentTime"]}` {
			t.Fatalf("get-context-keys-for-custom-policy: %v", keys)
		}
	})

	t.Run("ListPoliciesPaged", func(t *testing.T) {
		// --max-items pages on the client: the CLI follows Marker and
		// prints a NextToken.
		out := cli(t, "list-policies", "--scope", "AWS", "--max-items", "2")
		if len(jsonList(t, out, "Policies")) != 2 || jsonString(out, "NextToken") == "" {
			t.Fatalf("list-policies --max-items 2: %v", out)
		}
		all := jsonList(t, cli(t, "list-policies", "--scope", "AWS", "--page-size", "2"), "Policies")
		var names []string
		for _, p := range all {
			names = append(names, jsonString(p, "PolicyName"))
		}
		if got := "," + strings.Join(names, ",") + ","; !strings.Contains(got, ",AdministratorAccess,") || !strings.Contains(got, ",IAMReadOnlyAccess,") || len(names) < 5 {
			t.Fatalf("list-policies --page-size 2 saw %v", names)
		}
		local := jsonList(t, cli(t, "list-policies", "--scope", "Local", "--only-attached"), "Policies")
		if len(local) != 1 || jsonString(local[0], "PolicyName") != "OpsRead" {
			t.Fatalf("list-policies --scope Local --only-attached: %v", local)
		}
	})
}
