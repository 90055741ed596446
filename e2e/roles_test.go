package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// Roles and instance profiles through aws-sdk-go-v2: their shapes, trust
// policies, inline and attached policies, boundaries, tags, quotas and
// paging, the account-wide reads and the simulator.
//
// Where AWS's answers are pinned without another source, they are those
// localstack recorded against AWS in February 2026 (its AWS-validated
// snapshots tests/aws/services/iam/test_iam_roles.snapshot.json,
// test_iam_instance_profiles.snapshot.json and
// test_iam_account_authorization_details.snapshot.json).

var (
	roleIDPattern    = regexp.MustCompile(`^AROA[A-Z2-7]{17}$`)
	profileIDPattern = regexp.MustCompile(`^AIPA[A-Z2-7]{17}$`)
)

// ec2Trust is the trust policy of most roles here.
const ec2Trust = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`

// sizedTrust is a valid trust policy of exactly n characters without white
// space (IAM's size measure), n at least 165.
func sizedTrust(t *testing.T, n int) string {
	t.Helper()
	const head = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"`
	const tail = `"}}}}`
	pad := n - len(head) - len(tail)
	if pad < 1 {
		t.Fatalf("no trust policy has %d characters", n)
	}
	return head + strings.Repeat("x", pad) + tail
}

func roleNamesOf(roles []types.Role) string {
	var names []string
	for _, r := range roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	return strings.Join(names, ",")
}

func profileNamesOf(ps []types.InstanceProfile) string {
	var names []string
	for _, p := range ps {
		names = append(names, aws.ToString(p.InstanceProfileName))
	}
	return strings.Join(names, ",")
}

func tagsOf(tags []types.Tag) string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return strings.Join(out, ",")
}

func TestGoSDKRoles(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	// Laid out as a person writes it, with characters that URL encoding
	// must keep ('+', '%', '&', '/', space): every byte must come back.
	trust := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"EC2\",\n      \"Effect\": \"Allow\",\n" +
		"      \"Principal\": {\"Service\": \"ec2.amazonaws.com\"},\n      \"Action\": \"sts:AssumeRole\"\n    },\n    {\n      \"Effect\": \"Allow\",\n" +
		"      \"Principal\": {\"AWS\": \"arn:aws:iam::" + e2etest.AccountID + ":root\"},\n      \"Action\": \"sts:AssumeRole\",\n" +
		"      \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"a+b c/d%e&f\"}}\n    }\n  ]\n}\n"
	roleARN := iamARN("role/app/app-server")

	created := must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("app-server"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("Runs the app"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
	})).Role

	getRole := func(t *testing.T, name string) *types.Role {
		t.Helper()
		return must[*iam.GetRoleOutput](t)(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})).Role
	}
	createRole := func(t *testing.T, name, path string) *types.Role {
		t.Helper()
		in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ec2Trust)}
		if path != "" {
			in.Path = aws.String(path)
		}
		return must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, in)).Role
	}
	wantNoSuchRole := func(t *testing.T, err error, name string) {
		t.Helper()
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The role with name "+name+" cannot be found.")
	}

	t.Run("CreateRole", func(t *testing.T) {
		r := created
		if aws.ToString(r.RoleName) != "app-server" || aws.ToString(r.Path) != "/app/" || aws.ToString(r.Arn) != roleARN {
			t.Fatalf("CreateRole: name %q path %q arn %q", aws.ToString(r.RoleName), aws.ToString(r.Path), aws.ToString(r.Arn))
		}
		if !roleIDPattern.MatchString(aws.ToString(r.RoleId)) {
			t.Fatalf("role id %q does not match %s", aws.ToString(r.RoleId), roleIDPattern)
		}
		wantRecent(t, "CreateRole CreateDate", r.CreateDate)
		if d := decodedDocument(t, r.AssumeRolePolicyDocument); d != trust {
			t.Fatalf("the trust policy came back as %q, want %q", d, trust)
		}
		if tagsOf(r.Tags) != "team=core" || r.PermissionsBoundary != nil {
			t.Fatalf("CreateRole tags %s, boundary %+v", tagsOf(r.Tags), r.PermissionsBoundary)
		}
		plain := createRole(t, "plain", "")
		if aws.ToString(plain.Path) != "/" || aws.ToString(plain.Arn) != iamARN("role/plain") || aws.ToString(plain.RoleId) == aws.ToString(r.RoleId) || plain.Tags != nil {
			t.Fatalf("CreateRole without a path: %+v", plain)
		}
	})

	t.Run("CreateRoleShape", func(t *testing.T) {
		// AWS's CreateRole answers Path, RoleName, RoleId, Arn, CreateDate,
		// AssumeRolePolicyDocument (and Tags and PermissionsBoundary when
		// set): no MaxSessionDuration, and no Description even when the
		// request gave one (localstack's recordings test_create_role_defaults
		// and test_role_permissions_boundary_lifecycle, the latter created
		// with Description "Role with permissions boundary"). Only GetRole
		// and ListRoles return them.
		if created.MaxSessionDuration != nil {
			t.Errorf("CreateRole returned MaxSessionDuration %d; AWS returns it from GetRole and ListRoles only", aws.ToInt32(created.MaxSessionDuration))
		}
		if created.Description != nil {
			t.Errorf("CreateRole returned Description %q; AWS returns it from GetRole and ListRoles only", aws.ToString(created.Description))
		}
		if created.RoleLastUsed != nil {
			t.Errorf("CreateRole returned RoleLastUsed %+v", created.RoleLastUsed)
		}
	})

	t.Run("GetRole", func(t *testing.T) {
		// Found ignoring case, named as created.
		r := getRole(t, "APP-SERVER")
		if aws.ToString(r.RoleName) != "app-server" || aws.ToString(r.RoleId) != aws.ToString(created.RoleId) || aws.ToString(r.Arn) != roleARN ||
			aws.ToString(r.Path) != "/app/" || r.CreateDate == nil || !r.CreateDate.Equal(*created.CreateDate) {
			t.Fatalf("GetRole: %+v", r)
		}
		if d := decodedDocument(t, r.AssumeRolePolicyDocument); d != trust {
			t.Fatalf("GetRole's trust policy %q, want %q", d, trust)
		}
		if aws.ToInt32(r.MaxSessionDuration) != 3600 || aws.ToString(r.Description) != "Runs the app" || tagsOf(r.Tags) != "team=core" || r.PermissionsBoundary != nil {
			t.Fatalf("GetRole: MaxSessionDuration %v, Description %q, tags %s, boundary %+v", r.MaxSessionDuration, aws.ToString(r.Description), tagsOf(r.Tags), r.PermissionsBoundary)
		}
		// A role never used has an empty RoleLastUsed.
		if r.RoleLastUsed == nil || r.RoleLastUsed.LastUsedDate != nil || r.RoleLastUsed.Region != nil {
			t.Fatalf("RoleLastUsed of a role never assumed: %+v", r.RoleLastUsed)
		}
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("CreateRoleErrors", func(t *testing.T) {
		create := func(in iam.CreateRoleInput) error {
			if in.AssumeRolePolicyDocument == nil {
				in.AssumeRolePolicyDocument = aws.String(ec2Trust)
			}
			_, err := c.CreateRole(ctx, &in)
			return err
		}
		long := strings.Repeat("r", 65)
		nope := iamARN("policy/nope")
		for _, tc := range []struct {
			name   string
			in     iam.CreateRoleInput
			status int
			code   string
			msg    string // "" when AWS's wording is not known
		}{
			// Names are unique ignoring case.
			{"Duplicate", iam.CreateRoleInput{RoleName: aws.String("APP-SERVER")}, http.StatusConflict, "EntityAlreadyExists", "Role with name APP-SERVER already exists."},
			{"BadName", iam.CreateRoleInput{RoleName: aws.String("bad name!")}, http.StatusBadRequest, "ValidationError",
				`1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
			{"LongName", iam.CreateRoleInput{RoleName: aws.String(long)}, http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '" + long + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
			{"MaxSessionDurationLow", iam.CreateRoleInput{RoleName: aws.String("short"), MaxSessionDuration: aws.Int32(3599)}, http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
			{"MaxSessionDurationHigh", iam.CreateRoleInput{RoleName: aws.String("long"), MaxSessionDuration: aws.Int32(43201)}, http.StatusBadRequest, "ValidationError",
				"1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
			// A trust policy is a resource-based policy: it names principals.
			// AWS's wording for a statement without one is not recorded.
			{"TrustWithoutPrincipal", iam.CreateRoleInput{RoleName: aws.String("unprincipled"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`)},
				http.StatusBadRequest, "MalformedPolicyDocument", ""},
			// An identity-based (permissions) policy given as the trust
			// policy: AWS refuses its Resource ("An error occurred
			// (MalformedPolicyDocument) when calling the CreateRole
			// operation: Has prohibited field Resource",
			// kubernetes-sigs/external-dns#3085 and hashicorp/terraform#34231,
			// both for a permissions policy passed to create-role).
			{"IdentityPolicyAsTrust", iam.CreateRoleInput{RoleName: aws.String("confused"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)},
				http.StatusBadRequest, "MalformedPolicyDocument", "Has prohibited field Resource"},
			// A trust policy with Principal and Resource, and one whose
			// action is not an sts:AssumeRole* one: AWS's answers to
			// UpdateAssumeRolePolicy (below, as localstack recorded them);
			// CreateRole checks the same document.
			{"TrustWithResource", iam.CreateRoleInput{RoleName: aws.String("resourceful"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`)},
				http.StatusBadRequest, "MalformedPolicyDocument", "Has prohibited field Resource"},
			// Not JSON: brendanhay/amazonka#434 logs the request
			// (AssumeRolePolicyDocument=AWSLambdaBasicExecutionRole) and
			// AWS's 400 "This policy contains invalid Json".
			{"TrustNotJSON", iam.CreateRoleInput{RoleName: aws.String("lambda_basic_execution"), AssumeRolePolicyDocument: aws.String("AWSLambdaBasicExecutionRole")},
				http.StatusBadRequest, "MalformedPolicyDocument", "This policy contains invalid Json"},
			{"TrustNotAssumeRole", iam.CreateRoleInput{RoleName: aws.String("misactioned"),
				AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:InvalidAction"}}`)},
				http.StatusBadRequest, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
			// AWS's trust policy quota (AssumeRolePolicySizeQuota), white
			// space not counted.
			{"TrustTooBig", iam.CreateRoleInput{RoleName: aws.String("bloated"), AssumeRolePolicyDocument: aws.String(sizedTrust(t, 2049))},
				http.StatusConflict, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
			{"UnknownBoundary", iam.CreateRoleInput{RoleName: aws.String("unbounded"), PermissionsBoundary: aws.String(nope)},
				http.StatusNotFound, "NoSuchEntity", "Scope ARN: " + nope + " does not exist or is not attachable."},
			{"BoundaryNotAPolicy", iam.CreateRoleInput{RoleName: aws.String("misbounded"), PermissionsBoundary: aws.String(iamARN("not_a_policy/invalid"))},
				http.StatusBadRequest, "InvalidInput", "ARN " + iamARN("not_a_policy/invalid") + " is not valid."},
			{"DuplicateTags", iam.CreateRoleInput{RoleName: aws.String("twice-tagged"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}},
				http.StatusBadRequest, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := create(tc.in)
				// Nothing was created (a name that is not one cannot be); a
				// role created all the same goes, so later lists stay exact.
				if tc.name != "Duplicate" && (tc.code != "ValidationError" || strings.HasPrefix(tc.name, "MaxSessionDuration")) {
					if _, gerr := c.GetRole(ctx, &iam.GetRoleInput{RoleName: tc.in.RoleName}); gerr == nil {
						t.Errorf("the refused CreateRole created %s", aws.ToString(tc.in.RoleName))
						must[*iam.DeleteRoleOutput](t)(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: tc.in.RoleName}))
					} else {
						wantAPIError(t, gerr, http.StatusNotFound, "NoSuchEntity")
					}
				}
				msg := wantAPIError(t, err, tc.status, tc.code)
				if tc.msg != "" {
					wantMessage(t, msg, tc.msg)
				}
			})
		}
		// At the quota, however much white space is around it.
		spread := strings.NewReplacer(`":`, "\":\t ", `,"`, ",\n    \"").Replace(sizedTrust(t, 2048))
		r := must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("roomy"), AssumeRolePolicyDocument: aws.String(spread)})).Role
		if decodedDocument(t, r.AssumeRolePolicyDocument) != spread {
			t.Fatal("a 2,048-character trust policy did not come back as sent")
		}
	})

	t.Run("UpdateRole", func(t *testing.T) {
		must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long-session"), AssumeRolePolicyDocument: aws.String(ec2Trust),
			MaxSessionDuration: aws.Int32(43200), Description: aws.String("twelve hours")}))
		if r := getRole(t, "long-session"); aws.ToInt32(r.MaxSessionDuration) != 43200 || aws.ToString(r.Description) != "twelve hours" {
			t.Fatalf("created with 43200: MaxSessionDuration %v, Description %q", r.MaxSessionDuration, aws.ToString(r.Description))
		}
		must[*iam.UpdateRoleOutput](t)(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("LONG-SESSION"), MaxSessionDuration: aws.Int32(7200), Description: aws.String("two hours")}))
		r := getRole(t, "long-session")
		if aws.ToInt32(r.MaxSessionDuration) != 7200 || aws.ToString(r.Description) != "two hours" || decodedDocument(t, r.AssumeRolePolicyDocument) != ec2Trust {
			t.Fatalf("after UpdateRole: MaxSessionDuration %v, Description %q", r.MaxSessionDuration, aws.ToString(r.Description))
		}
		// Nothing given, nothing changes (recorded on AWS by localstack's
		// test_update_role).
		must[*iam.UpdateRoleOutput](t)(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("long-session")}))
		if r := getRole(t, "long-session"); aws.ToInt32(r.MaxSessionDuration) != 7200 || aws.ToString(r.Description) != "two hours" {
			t.Fatalf("after an empty UpdateRole: MaxSessionDuration %v, Description %q", r.MaxSessionDuration, aws.ToString(r.Description))
		}
		// Only the duration.
		must[*iam.UpdateRoleOutput](t)(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("long-session"), MaxSessionDuration: aws.Int32(3600)}))
		if r := getRole(t, "long-session"); aws.ToInt32(r.MaxSessionDuration) != 3600 || aws.ToString(r.Description) != "two hours" {
			t.Fatalf("after UpdateRole MaxSessionDuration 3600: %v, Description %q", r.MaxSessionDuration, aws.ToString(r.Description))
		}
		_, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("long-session"), MaxSessionDuration: aws.Int32(43201)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200")
		_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("ghost"), Description: aws.String("x")})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("UpdateRoleDescription", func(t *testing.T) {
		before := getRole(t, "long-session")
		r := must[*iam.UpdateRoleDescriptionOutput](t)(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("Long-Session"), Description: aws.String("back to one hour")})).Role
		if r == nil || aws.ToString(r.RoleName) != "long-session" || aws.ToString(r.Description) != "back to one hour" || aws.ToString(r.Arn) != iamARN("role/long-session") ||
			!roleIDPattern.MatchString(aws.ToString(r.RoleId)) || decodedDocument(t, r.AssumeRolePolicyDocument) != ec2Trust {
			t.Fatalf("UpdateRoleDescription answered %+v", r)
		}
		if g := getRole(t, "long-session"); aws.ToString(g.Description) != "back to one hour" || aws.ToInt32(g.MaxSessionDuration) != aws.ToInt32(before.MaxSessionDuration) ||
			decodedDocument(t, g.AssumeRolePolicyDocument) != ec2Trust {
			t.Fatalf("after UpdateRoleDescription: Description %q MaxSessionDuration %d (%d before)", aws.ToString(g.Description), aws.ToInt32(g.MaxSessionDuration), aws.ToInt32(before.MaxSessionDuration))
		}
		_, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("ghost"), Description: aws.String("x")})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("UpdateRoleDescriptionShape", func(t *testing.T) {
		// AWS's UpdateRoleDescription answers the role with its new
		// Description but without MaxSessionDuration or RoleLastUsed
		// (localstack's recording test_update_role,
		// "update-role-description-response").
		r := must[*iam.UpdateRoleDescriptionOutput](t)(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("long-session"), Description: aws.String("again")})).Role
		if r.MaxSessionDuration != nil {
			t.Errorf("UpdateRoleDescription returned MaxSessionDuration %d", aws.ToInt32(r.MaxSessionDuration))
		}
		if r.RoleLastUsed != nil {
			t.Errorf("UpdateRoleDescription returned RoleLastUsed %+v", r.RoleLastUsed)
		}
	})

	t.Run("UpdateAssumeRolePolicy", func(t *testing.T) {
		next := "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"ecs-tasks.amazonaws.com\",\"lambda.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]}}"
		before := getRole(t, "long-session")
		must[*iam.UpdateAssumeRolePolicyOutput](t)(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("long-session"), PolicyDocument: aws.String(next)}))
		r := getRole(t, "long-session")
		if decodedDocument(t, r.AssumeRolePolicyDocument) != next || aws.ToString(r.Description) != aws.ToString(before.Description) ||
			aws.ToInt32(r.MaxSessionDuration) != aws.ToInt32(before.MaxSessionDuration) || aws.ToString(r.RoleId) != aws.ToString(before.RoleId) {
			t.Fatalf("after UpdateAssumeRolePolicy: %q, Description %q, MaxSessionDuration %d", decodedDocument(t, r.AssumeRolePolicyDocument), aws.ToString(r.Description), aws.ToInt32(r.MaxSessionDuration))
		}
		update := func(doc string) error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("long-session"), PolicyDocument: aws.String(doc)})
			return err
		}
		// As localstack's test_update_assume_role_policy_errors recorded them.
		for _, tc := range []struct{ name, doc, msg string }{
			{"NotJSON", "not valid json", "This policy contains invalid Json"},
			{"NotAssumeRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:InvalidAction"}]}`,
				"AssumeRole policy may only specify STS AssumeRole actions."},
			{"Resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"arn:aws:s3:::example_bucket"}]}`,
				"Has prohibited field Resource"},
			{"WithoutPrincipal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := update(tc.doc)
				if d := decodedDocument(t, getRole(t, "long-session").AssumeRolePolicyDocument); d != next {
					t.Errorf("the refused update replaced the trust policy: %q", d)
					must[*iam.UpdateAssumeRolePolicyOutput](t)(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("long-session"), PolicyDocument: aws.String(next)}))
				}
				msg := wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument")
				if tc.msg != "" {
					wantMessage(t, msg, tc.msg)
				}
			})
		}
		wantMessage(t, wantAPIError(t, update(sizedTrust(t, 2049)), http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for ACLSizePerRole: 2048")
		_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ghost"), PolicyDocument: aws.String(ec2Trust)})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("ListRoles", func(t *testing.T) {
		createRole(t, "batch", "/app/jobs/")
		createRole(t, "alpha", "/ops/")
		createRole(t, "Zeta", "")
		all := must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{}))
		const want = "alpha,app-server,batch,long-session,plain,roomy,Zeta"
		if roleNamesOf(all.Roles) != want || all.IsTruncated || all.Marker != nil {
			t.Fatalf("ListRoles: %s (truncated %v), want %s", roleNamesOf(all.Roles), all.IsTruncated, want)
		}
		// A listed role has its trust policy, description and session
		// duration, but not its tags, boundary or last use, as AWS lists it.
		r := all.Roles[1]
		if aws.ToString(r.RoleId) != aws.ToString(created.RoleId) || aws.ToString(r.Arn) != roleARN || aws.ToString(r.Path) != "/app/" || !r.CreateDate.Equal(*created.CreateDate) ||
			decodedDocument(t, r.AssumeRolePolicyDocument) != trust || aws.ToString(r.Description) != "Runs the app" || aws.ToInt32(r.MaxSessionDuration) != 3600 {
			t.Fatalf("listed app-server: %+v", r)
		}
		if r.Tags != nil || r.PermissionsBoundary != nil || r.RoleLastUsed != nil {
			t.Fatalf("listed app-server has tags %s, boundary %+v, last used %+v", tagsOf(r.Tags), r.PermissionsBoundary, r.RoleLastUsed)
		}
		for _, tc := range []struct{ prefix, want string }{
			{"/app/", "app-server,batch"}, {"/app/jobs/", "batch"}, {"/ops", "alpha"}, {"/", want}, {"/nonexistent-path/", ""},
		} {
			got := must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String(tc.prefix)}))
			if roleNamesOf(got.Roles) != tc.want || got.IsTruncated {
				t.Errorf("PathPrefix %s: %s, want %s", tc.prefix, roleNamesOf(got.Roles), tc.want)
			}
		}
		p1 := must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(3)}))
		if roleNamesOf(p1.Roles) != "alpha,app-server,batch" || !p1.IsTruncated || aws.ToString(p1.Marker) == "" {
			t.Fatalf("page 1: %s, truncated %v, marker %q", roleNamesOf(p1.Roles), p1.IsTruncated, aws.ToString(p1.Marker))
		}
		pager := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, roleNamesOf(must[*iam.ListRolesOutput](t)(pager.NextPage(ctx)).Roles))
		}
		if strings.Join(pages, "|") != "alpha,app-server|batch,long-session|plain,roomy|Zeta" {
			t.Fatalf("ListRoles paginator pages %v", pages)
		}
		prefixed := iam.NewListRolesPaginator(c, &iam.ListRolesInput{PathPrefix: aws.String("/app/"), MaxItems: aws.Int32(1)})
		pages = nil
		for prefixed.HasMorePages() && len(pages) < 10 {
			pages = append(pages, roleNamesOf(must[*iam.ListRolesOutput](t)(prefixed.NextPage(ctx)).Roles))
		}
		if strings.Join(pages, "|") != "app-server|batch" {
			t.Fatalf("ListRoles PathPrefix /app/ paginator pages %v", pages)
		}
		_, err := c.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("forged")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("InlinePolicies", func(t *testing.T) {
		readDoc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::bucket/a+b c/*\"}\n}"
		listDoc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket"}}`
		put := func(role, name, doc string) {
			t.Helper()
			must[*iam.PutRolePolicyOutput](t)(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}))
		}
		put("app-server", "read", readDoc)
		put("APP-SERVER", "List", listDoc)
		got := must[*iam.GetRolePolicyOutput](t)(c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("App-Server"), PolicyName: aws.String("READ")}))
		if aws.ToString(got.RoleName) != "app-server" || aws.ToString(got.PolicyName) != "read" || decodedDocument(t, got.PolicyDocument) != readDoc {
			t.Fatalf("GetRolePolicy: role %q policy %q document %q", aws.ToString(got.RoleName), aws.ToString(got.PolicyName), decodedDocument(t, got.PolicyDocument))
		}
		names := must[*iam.ListRolePoliciesOutput](t)(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-server")}))
		if strings.Join(names.PolicyNames, ",") != "List,read" || names.IsTruncated {
			t.Fatalf("ListRolePolicies: %v (truncated %v)", names.PolicyNames, names.IsTruncated)
		}
		pager := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String("app-server"), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, strings.Join(must[*iam.ListRolePoliciesOutput](t)(pager.NextPage(ctx)).PolicyNames, ","))
		}
		if strings.Join(pages, "|") != "List|read" {
			t.Fatalf("ListRolePolicies paginator pages %v", pages)
		}
		// Replacing by a name in another case keeps one policy, newly spelt.
		put("app-server", "list", readDoc)
		if names := must[*iam.ListRolePoliciesOutput](t)(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-server")})); strings.Join(names.PolicyNames, ",") != "list,read" {
			t.Fatalf("after replacing List: %v", names.PolicyNames)
		}
		put("app-server", "list", listDoc)
		if none := must[*iam.ListRolePoliciesOutput](t)(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("plain")})); len(none.PolicyNames) != 0 || none.IsTruncated {
			t.Fatalf("plain's inline policies %v", none.PolicyNames)
		}

		_, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app-server"), PolicyName: aws.String("non-existent-policy")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The role policy with name non-existent-policy cannot be found.")
		_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app-server"), PolicyName: aws.String("non-existent-policy")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The role policy with name non-existent-policy cannot be found.")
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(listDoc)})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p")})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p")})
		wantNoSuchRole(t, err, "ghost")
		// A permissions policy is identity-based: no Resource, no policy.
		_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app-server"), PolicyName: aws.String("broken"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Policy statement must contain resources.")

		must[*iam.DeleteRolePolicyOutput](t)(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app-server"), PolicyName: aws.String("LIST")}))
		if names := must[*iam.ListRolePoliciesOutput](t)(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-server")})); strings.Join(names.PolicyNames, ",") != "read" {
			t.Fatalf("after DeleteRolePolicy: %v", names.PolicyNames)
		}
	})

	t.Run("RolePolicySize", func(t *testing.T) {
		createRole(t, "sized", "")
		put := func(name, doc string) error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("sized"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		}
		// 10,240 characters in all, white space not counted.
		if err := put("big", strings.ReplaceAll(sizedDocument(t, 10000), ",", ",\n    ")); err != nil {
			t.Fatal(err)
		}
		if err := put("rest", sizedDocument(t, 240)); err != nil {
			t.Fatalf("10,240 characters in all: %v", err)
		}
		wantMessage(t, wantAPIError(t, put("rest", sizedDocument(t, 241)), http.StatusConflict, "LimitExceeded"), "Maximum policy size of 10240 bytes exceeded for role sized")
		got := must[*iam.GetRolePolicyOutput](t)(c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("sized"), PolicyName: aws.String("rest")}))
		if decodedDocument(t, got.PolicyDocument) != sizedDocument(t, 240) {
			t.Fatal("the refused put replaced the document")
		}
		wantAPIError(t, put("third", sizedDocument(t, 200)), http.StatusConflict, "LimitExceeded")
	})

	doc := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	teamPolicy := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("team-read"), Path: aws.String("/team/"), PolicyDocument: doc})).Policy

	t.Run("AttachedPolicies", func(t *testing.T) {
		attach := func(role string, policyARN *string) error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: policyARN})
			return err
		}
		if err := attach("app-server", teamPolicy.Arn); err != nil {
			t.Fatal(err)
		}
		if err := attach("APP-SERVER", aws.String(iamReadOnlyARN)); err != nil {
			t.Fatal(err)
		}
		// Attaching again changes nothing.
		if err := attach("app-server", teamPolicy.Arn); err != nil {
			t.Fatal(err)
		}
		got := must[*iam.ListAttachedRolePoliciesOutput](t)(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-server")}))
		if attachedNamesOf(got.AttachedPolicies) != "IAMReadOnlyAccess,team-read" || got.IsTruncated ||
			aws.ToString(got.AttachedPolicies[0].PolicyArn) != iamReadOnlyARN || aws.ToString(got.AttachedPolicies[1].PolicyArn) != aws.ToString(teamPolicy.Arn) {
			t.Fatalf("app-server's attached policies %+v (truncated %v)", got.AttachedPolicies, got.IsTruncated)
		}
		team := must[*iam.ListAttachedRolePoliciesOutput](t)(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-server"), PathPrefix: aws.String("/team/")}))
		if attachedNamesOf(team.AttachedPolicies) != "team-read" {
			t.Fatalf("PathPrefix /team/: %s", attachedNamesOf(team.AttachedPolicies))
		}
		pager := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-server"), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, attachedNamesOf(must[*iam.ListAttachedRolePoliciesOutput](t)(pager.NextPage(ctx)).AttachedPolicies))
		}
		if strings.Join(pages, "|") != "IAMReadOnlyAccess|team-read" {
			t.Fatalf("ListAttachedRolePolicies paginator pages %v", pages)
		}
		if none := must[*iam.ListAttachedRolePoliciesOutput](t)(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("plain")})); len(none.AttachedPolicies) != 0 || none.IsTruncated {
			t.Fatalf("plain's attached policies %s", attachedNamesOf(none.AttachedPolicies))
		}
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: teamPolicy.Arn})).Policy; aws.ToInt32(p.AttachmentCount) != 1 {
			t.Fatalf("team-read AttachmentCount %d", aws.ToInt32(p.AttachmentCount))
		}

		nope := iamARN("policy/nonexistent-policy")
		wantMessage(t, wantAPIError(t, attach("app-server", aws.String(nope)), http.StatusNotFound, "NoSuchEntity"), "Policy "+nope+" does not exist or is not attachable.")
		wantNoSuchRole(t, attach("ghost", teamPolicy.Arn), "ghost")
		_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("plain"), PolicyArn: teamPolicy.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+aws.ToString(teamPolicy.Arn)+" was not found.")
		_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("ghost"), PolicyArn: teamPolicy.Arn})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")

		// The detach takes effect, and the detached policy is not attached.
		must[*iam.DetachRolePolicyOutput](t)(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app-server"), PolicyArn: aws.String(iamReadOnlyARN)}))
		_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app-server"), PolicyArn: aws.String(iamReadOnlyARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamReadOnlyARN+" was not found.")
		if got := must[*iam.ListAttachedRolePoliciesOutput](t)(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-server")})); attachedNamesOf(got.AttachedPolicies) != "team-read" {
			t.Fatalf("after the detach: %s", attachedNamesOf(got.AttachedPolicies))
		}
	})

	t.Run("AttachedPoliciesQuota", func(t *testing.T) {
		createRole(t, "full", "")
		var arns []*string
		for i := range 10 {
			p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("q%02d", i)), PolicyDocument: doc})).Policy
			arns = append(arns, p.Arn)
		}
		for _, a := range arns[:9] {
			must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: a}))
		}
		// AWS managed policies count as any other: the tenth.
		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: aws.String(adminAccessARN)}))
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: arns[9]})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PoliciesPerRole: 10")
		// Attaching one already attached is no new attachment.
		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: arns[0]}))
		if got := must[*iam.ListAttachedRolePoliciesOutput](t)(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("full")})); len(got.AttachedPolicies) != 10 {
			t.Fatalf("full holds %d policies", len(got.AttachedPolicies))
		}
		must[*iam.DetachRolePolicyOutput](t)(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: aws.String(adminAccessARN)}))
		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: arns[9]}))
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagRoleOutput](t)(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("App-Server"), Tags: []types.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("TEAM"), Value: aws.String("platform")}, {Key: aws.String("empty"), Value: aws.String("")}}}))
		got := must[*iam.ListRoleTagsOutput](t)(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app-server")}))
		// A key that differs only in case replaced the tag, in its place.
		if tagsOf(got.Tags) != "TEAM=platform,env=prod,empty=" || got.IsTruncated {
			t.Fatalf("ListRoleTags %s (truncated %v)", tagsOf(got.Tags), got.IsTruncated)
		}
		if r := getRole(t, "app-server"); tagsOf(r.Tags) != "TEAM=platform,env=prod,empty=" {
			t.Fatalf("GetRole tags %s", tagsOf(r.Tags))
		}
		pager := iam.NewListRoleTagsPaginator(c, &iam.ListRoleTagsInput{RoleName: aws.String("app-server"), MaxItems: aws.Int32(2)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, tagsOf(must[*iam.ListRoleTagsOutput](t)(pager.NextPage(ctx)).Tags))
		}
		if strings.Join(pages, "|") != "TEAM=platform,env=prod|empty=" {
			t.Fatalf("ListRoleTags paginator pages %v", pages)
		}
		must[*iam.UntagRoleOutput](t)(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app-server"), TagKeys: []string{"ENV", "empty", "absent"}}))
		if got := must[*iam.ListRoleTagsOutput](t)(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app-server")})); tagsOf(got.Tags) != "TEAM=platform" {
			t.Fatalf("after UntagRole: %s", tagsOf(got.Tags))
		}
		if none := must[*iam.ListRoleTagsOutput](t)(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("plain")})); len(none.Tags) != 0 || none.IsTruncated {
			t.Fatalf("plain's tags %s", tagsOf(none.Tags))
		}
		_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app-server"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidInput"), "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("ghost"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("ghost"), TagKeys: []string{"k"}})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")
		// Put team=core back, as the simulation below expects.
		must[*iam.TagRoleOutput](t)(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app-server"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))
	})

	boundary := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("S3Only"), Path: aws.String("/boundaries/"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)})).Policy

	t.Run("PermissionsBoundary", func(t *testing.T) {
		wantBoundary := func(t *testing.T, r *types.Role, policyARN string) {
			t.Helper()
			b := r.PermissionsBoundary
			if policyARN == "" {
				if b != nil {
					t.Fatalf("role %s has boundary %+v, want none", aws.ToString(r.RoleName), b)
				}
				return
			}
			if b == nil || b.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy || aws.ToString(b.PermissionsBoundaryArn) != policyARN {
				t.Fatalf("role %s has boundary %+v, want Policy %s", aws.ToString(r.RoleName), b, policyARN)
			}
		}
		bounded := must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bounded"), AssumeRolePolicyDocument: aws.String(ec2Trust),
			PermissionsBoundary: boundary.Arn})).Role
		wantBoundary(t, bounded, aws.ToString(boundary.Arn))
		wantBoundary(t, getRole(t, "bounded"), aws.ToString(boundary.Arn))
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Fatalf("S3Only: PermissionsBoundaryUsageCount %d AttachmentCount %d", aws.ToInt32(p.PermissionsBoundaryUsageCount), aws.ToInt32(p.AttachmentCount))
		}
		e := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: boundary.Arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
		if len(e.PolicyRoles) != 1 || aws.ToString(e.PolicyRoles[0].RoleName) != "bounded" || aws.ToString(e.PolicyRoles[0].RoleId) != aws.ToString(bounded.RoleId) || len(e.PolicyUsers)+len(e.PolicyGroups) != 0 {
			t.Fatalf("entities bounded by S3Only: %+v", e)
		}
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: boundary.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete a policy attached to entities.")

		// Put on app-server: an AWS managed one, then the customer one.
		must[*iam.PutRolePermissionsBoundaryOutput](t)(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app-server"), PermissionsBoundary: aws.String(iamReadOnlyARN)}))
		wantBoundary(t, getRole(t, "app-server"), iamReadOnlyARN)
		must[*iam.PutRolePermissionsBoundaryOutput](t)(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app-server"), PermissionsBoundary: boundary.Arn}))
		wantBoundary(t, getRole(t, "app-server"), aws.ToString(boundary.Arn))
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 2 {
			t.Fatalf("S3Only bounds %d roles, want 2", aws.ToInt32(p.PermissionsBoundaryUsageCount))
		}
		// ListRoles does not show boundaries.
		for _, r := range must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{})).Roles {
			if r.PermissionsBoundary != nil {
				t.Fatalf("ListRoles shows %s's boundary", aws.ToString(r.RoleName))
			}
		}

		must[*iam.DeleteRolePermissionsBoundaryOutput](t)(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("bounded")}))
		wantBoundary(t, getRole(t, "bounded"), "")
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 {
			t.Fatalf("S3Only bounds %d roles after the delete, want 1", aws.ToInt32(p.PermissionsBoundaryUsageCount))
		}
		_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")
		_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("ghost"), PermissionsBoundary: boundary.Arn})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("PermissionsBoundaryErrors", func(t *testing.T) {
		// As localstack's test_role_permissions_boundary_errors recorded them.
		nope := iamARN("policy/nonexistent-policy")
		_, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("plain"), PermissionsBoundary: aws.String(nope)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Scope ARN: "+nope+" does not exist or is not attachable.")
		invalid := iamARN("not_a_policy/invalid")
		_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("plain"), PermissionsBoundary: aws.String(invalid)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidInput"), "ARN "+invalid+" is not valid.")
		if r := getRole(t, "plain"); r.PermissionsBoundary != nil {
			t.Fatalf("a refused boundary was set: %+v", r.PermissionsBoundary)
		}
	})

	t.Run("ListEntitiesForPolicy", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: teamPolicy.Arn}))
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: teamPolicy.Arn}))
		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("batch"), PolicyArn: teamPolicy.Arn}))

		got := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: teamPolicy.Arn}))
		var roles []string
		for _, r := range got.PolicyRoles {
			roles = append(roles, aws.ToString(r.RoleName))
		}
		if strings.Join(roles, ",") != "app-server,batch" || aws.ToString(got.PolicyRoles[0].RoleId) != aws.ToString(created.RoleId) || len(got.PolicyUsers) != 1 || len(got.PolicyGroups) != 1 || got.IsTruncated {
			t.Fatalf("team-read's entities: roles %+v users %+v groups %+v", got.PolicyRoles, got.PolicyUsers, got.PolicyGroups)
		}
		for _, tc := range []struct {
			name string
			in   iam.ListEntitiesForPolicyInput
			want string
		}{
			{"EntityFilterRole", iam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeRole}, "role app-server,role batch"},
			{"EntityFilterUser", iam.ListEntitiesForPolicyInput{EntityFilter: types.EntityTypeUser}, "user reader"},
			{"PathPrefix", iam.ListEntitiesForPolicyInput{PathPrefix: aws.String("/app/jobs/")}, "role batch"},
			{"PermissionsPolicy", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy, EntityFilter: types.EntityTypeRole}, "role app-server,role batch"},
			{"PermissionsBoundary", iam.ListEntitiesForPolicyInput{PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.PolicyArn = teamPolicy.Arn
				e := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &in))
				var seen []string
				for _, g := range e.PolicyGroups {
					seen = append(seen, "group "+aws.ToString(g.GroupName))
				}
				for _, r := range e.PolicyRoles {
					seen = append(seen, "role "+aws.ToString(r.RoleName))
				}
				for _, u := range e.PolicyUsers {
					seen = append(seen, "user "+aws.ToString(u.UserName))
				}
				if strings.Join(seen, ",") != tc.want {
					t.Fatalf("listed %v, want %s", seen, tc.want)
				}
			})
		}
		pager := iam.NewListEntitiesForPolicyPaginator(c, &iam.ListEntitiesForPolicyInput{PolicyArn: teamPolicy.Arn, MaxItems: aws.Int32(1)})
		seen := map[string]bool{}
		pages := 0
		for pager.HasMorePages() && pages < 10 {
			page := must[*iam.ListEntitiesForPolicyOutput](t)(pager.NextPage(ctx))
			if n := len(page.PolicyGroups) + len(page.PolicyRoles) + len(page.PolicyUsers); n != 1 {
				t.Fatalf("a page of %d entities with MaxItems 1", n)
			}
			for _, r := range page.PolicyRoles {
				seen["role "+aws.ToString(r.RoleName)] = true
			}
			for _, g := range page.PolicyGroups {
				seen["group "+aws.ToString(g.GroupName)] = true
			}
			for _, u := range page.PolicyUsers {
				seen["user "+aws.ToString(u.UserName)] = true
			}
			pages++
		}
		if got := strings.Join(sortedKeys(seen), ","); got != "group readers,role app-server,role batch,user reader" || pages != 4 {
			t.Fatalf("the paginator saw %s in %d pages", got, pages)
		}
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: teamPolicy.Arn})).Policy; aws.ToInt32(p.AttachmentCount) != 4 {
			t.Fatalf("team-read AttachmentCount %d, want 4", aws.ToInt32(p.AttachmentCount))
		}
		must[*iam.DetachRolePolicyOutput](t)(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("batch"), PolicyArn: teamPolicy.Arn}))
		must[*iam.DetachUserPolicyOutput](t)(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("reader"), PolicyArn: teamPolicy.Arn}))
		must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: teamPolicy.Arn}))
	})

	simPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"},` +
		`{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},` +
		`{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"core"}}}]}`

	t.Run("SimulatePrincipalPolicy", func(t *testing.T) {
		// app-server: inline "read" (s3:GetObject on arn:aws:s3:::bucket/a+b c/*),
		// team-read attached (s3:GetObject on *), tag team=core, boundary
		// S3Only. sim, unbounded, has simPolicy inline and
		// IAMReadOnlyAccess attached.
		createRole(t, "sim", "/sim/")
		must[*iam.PutRolePolicyOutput](t)(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("sim"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(simPolicy)}))
		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("sim"), PolicyArn: aws.String(iamReadOnlyARN)}))
		must[*iam.TagRoleOutput](t)(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("sim"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))
		simulate := func(t *testing.T, source, action, resource string, entries ...types.ContextEntry) types.EvaluationResult {
			t.Helper()
			out := must[*iam.SimulatePrincipalPolicyOutput](t)(c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String(source), ActionNames: []string{action}, ResourceArns: []string{resource}, ContextEntries: entries}))
			if len(out.EvaluationResults) != 1 || out.IsTruncated {
				t.Fatalf("%d results, truncated %v", len(out.EvaluationResults), out.IsTruncated)
			}
			return out.EvaluationResults[0]
		}
		simARN := iamARN("role/sim/sim")
		// As for users, the simulator takes aws:PrincipalTag from the
		// context entries given, not from the role's tags.
		teamCore := stringEntry("aws:PrincipalTag/team", "core")
		for _, tc := range []struct {
			name, source, action, resource string
			entries                        []types.ContextEntry
			want                           types.PolicyEvaluationDecisionType
			matched                        string // the identity policies' statements, the boundary's left out
			boundary                       string // "allowed", "denied" or "" for no boundary detail
		}{
			{"Inline", simARN, "s3:GetObject", "arn:aws:s3:::bucket/k", nil, types.PolicyEvaluationDecisionTypeAllowed, "inline(role)", ""},
			{"InlineOtherBucket", simARN, "s3:GetObject", "arn:aws:s3:::other/k", nil, types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
			{"InlineDeny", simARN, "s3:DeleteObject", "arn:aws:s3:::bucket/k", nil, types.PolicyEvaluationDecisionTypeExplicitDeny, "inline(role)", ""},
			{"AttachedAWSManaged", simARN, "iam:ListRoles", "*", nil, types.PolicyEvaluationDecisionTypeAllowed, "IAMReadOnlyAccess(aws-managed)", ""},
			{"PrincipalTag", simARN, "sqs:SendMessage", "arn:aws:sqs:us-east-1:" + e2etest.AccountID + ":q", []types.ContextEntry{teamCore}, types.PolicyEvaluationDecisionTypeAllowed, "inline(role)", ""},
			{"Nothing", simARN, "ec2:RunInstances", "*", nil, types.PolicyEvaluationDecisionTypeImplicitDeny, "", ""},
			// app-server: its attached customer policy, within its boundary.
			{"AttachedCustomer", roleARN, "s3:GetObject", "arn:aws:s3:::other/k", nil, types.PolicyEvaluationDecisionTypeAllowed, "team-read(user-managed)", "allowed"},
			{"InlineWithBoundary", roleARN, "s3:GetObject", "arn:aws:s3:::bucket/a+b c/k", nil, types.PolicyEvaluationDecisionTypeAllowed, "read(role), team-read(user-managed)", "allowed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := simulate(t, tc.source, tc.action, tc.resource, tc.entries...)
				var identity []types.Statement
				for _, m := range r.MatchedStatements {
					if aws.ToString(m.SourcePolicyId) != "S3Only" {
						identity = append(identity, m)
					}
				}
				if r.EvalDecision != tc.want || matchedPolicies(identity) != tc.matched {
					t.Fatalf("decision %q matched [%s], want %q [%s]", r.EvalDecision, matchedPolicies(r.MatchedStatements), tc.want, tc.matched)
				}
				switch d := r.PermissionsBoundaryDecisionDetail; {
				case tc.boundary == "" && d != nil:
					t.Fatalf("an unbounded role, yet %+v", d)
				case tc.boundary != "" && (d == nil || d.AllowedByPermissionsBoundary != (tc.boundary == "allowed")):
					t.Fatalf("boundary detail %+v, want %s", d, tc.boundary)
				}
			})
		}
		t.Run("PrincipalTagMissing", func(t *testing.T) {
			r := simulate(t, simARN, "sqs:SendMessage", "arn:aws:sqs:us-east-1:"+e2etest.AccountID+":q")
			if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || strings.Join(r.MissingContextValues, ",") != "aws:PrincipalTag/team" {
				t.Fatalf("without aws:PrincipalTag/team: %q, missing %v", r.EvalDecision, r.MissingContextValues)
			}
			if r := simulate(t, simARN, "sqs:SendMessage", "arn:aws:sqs:us-east-1:"+e2etest.AccountID+":q", stringEntry("aws:PrincipalTag/team", "ops")); r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
				t.Fatalf("with team=ops: %q", r.EvalDecision)
			}
		})
		t.Run("BoundaryCaps", func(t *testing.T) {
			// IAMReadOnlyAccess allows iam:ListRoles; app-server's S3Only
			// boundary does not.
			must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app-server"), PolicyArn: aws.String(iamReadOnlyARN)}))
			r := simulate(t, roleARN, "iam:ListRoles", "*")
			if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || r.PermissionsBoundaryDecisionDetail == nil || r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
				t.Fatalf("iam:ListRoles beyond the boundary: %q, boundary detail %+v", r.EvalDecision, r.PermissionsBoundaryDecisionDetail)
			}
			// Without the boundary, the attached policy decides.
			must[*iam.DeleteRolePermissionsBoundaryOutput](t)(c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app-server")}))
			r = simulate(t, roleARN, "iam:ListRoles", "*")
			if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || r.PermissionsBoundaryDecisionDetail != nil || matchedPolicies(r.MatchedStatements) != "IAMReadOnlyAccess(aws-managed)" {
				t.Fatalf("iam:ListRoles unbounded: %q matched [%s], boundary detail %+v", r.EvalDecision, matchedPolicies(r.MatchedStatements), r.PermissionsBoundaryDecisionDetail)
			}
			// Detached, it no longer does.
			must[*iam.DetachRolePolicyOutput](t)(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app-server"), PolicyArn: aws.String(iamReadOnlyARN)}))
			if r := simulate(t, roleARN, "iam:ListRoles", "*"); r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
				t.Fatalf("iam:ListRoles after the detach: %q", r.EvalDecision)
			}
		})
		t.Run("ContextKeys", func(t *testing.T) {
			got := must[*iam.GetContextKeysForPrincipalPolicyOutput](t)(c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(simARN)}))
			if strings.Join(got.ContextKeyNames, ",") != "aws:PrincipalTag/team" {
				t.Fatalf("sim's context keys %v", got.ContextKeyNames)
			}
		})
		t.Run("Errors", func(t *testing.T) {
			_, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("role/ghost")), ActionNames: []string{"s3:GetObject"}})
			wantNoSuchRole(t, err, "ghost")
			// The path is part of the ARN.
			_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(iamARN("role/sim")), ActionNames: []string{"s3:GetObject"}})
			wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		})
	})

	t.Run("RoleResources", func(t *testing.T) {
		// A user allowed iam:GetRole on role/app/* reads the roles under
		// /app/ and no other: the resource is the role's ARN, path included.
		auditor := newUserWithKey(t, s, "auditor")
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("app-roles"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:GetRole","iam:ListRolePolicies"],"Resource":"arn:aws:iam::` + e2etest.AccountID + `:role/app/*"}}`)}))
		ac := s.GoIAM(auditor)
		for _, name := range []string{"app-server", "batch"} {
			if _, err := ac.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err != nil {
				t.Fatalf("GetRole %s under role/app/*: %v", name, err)
			}
		}
		if _, err := ac.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-server")}); err != nil {
			t.Fatalf("ListRolePolicies app-server: %v", err)
		}
		_, err := ac.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("alpha")})
		if resource := wantDenied(t, err, iamARN("user/auditor"), "iam:GetRole"); !strings.Contains(resource, iamARN("role/ops/alpha")) {
			t.Fatalf("the denial names %q, not alpha's ARN", resource)
		}
		_, err = ac.ListRoles(ctx, &iam.ListRolesInput{})
		wantDenied(t, err, iamARN("user/auditor"), "iam:ListRoles")
		_, err = ac.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mine"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
		if resource := wantDenied(t, err, iamARN("user/auditor"), "iam:CreateRole"); !strings.Contains(resource, iamARN("role/app/mine")) {
			t.Fatalf("the CreateRole denial names %q", resource)
		}
	})

	t.Run("AccountReads", func(t *testing.T) {
		must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("app-profile")}))
		must[*iam.AddRoleToInstanceProfileOutput](t)(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("app-profile"), RoleName: aws.String("app-server")}))
		must[*iam.PutRolePermissionsBoundaryOutput](t)(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app-server"), PermissionsBoundary: boundary.Arn}))
		roles := must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})).Roles

		details := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}}))
		if len(details.UserDetailList)+len(details.GroupDetailList)+len(details.Policies) != 0 || details.IsTruncated {
			t.Fatalf("Filter Role: %d users, %d groups, %d policies", len(details.UserDetailList), len(details.GroupDetailList), len(details.Policies))
		}
		var names []string
		var app types.RoleDetail
		for _, d := range details.RoleDetailList {
			names = append(names, aws.ToString(d.RoleName))
			if aws.ToString(d.RoleName) == "app-server" {
				app = d
			}
		}
		if strings.Join(names, ",") != roleNamesOf(roles) {
			t.Fatalf("RoleDetailList %v, ListRoles %s", names, roleNamesOf(roles))
		}
		if aws.ToString(app.RoleId) != aws.ToString(created.RoleId) || aws.ToString(app.Arn) != roleARN || aws.ToString(app.Path) != "/app/" || app.CreateDate == nil ||
			!app.CreateDate.Equal(*created.CreateDate) || decodedDocument(t, app.AssumeRolePolicyDocument) != trust {
			t.Fatalf("app-server's detail: %+v", app)
		}
		if len(app.RolePolicyList) != 1 || aws.ToString(app.RolePolicyList[0].PolicyName) != "read" || !strings.Contains(decodedDocument(t, app.RolePolicyList[0].PolicyDocument), "bucket/a+b c/*") {
			t.Fatalf("app-server's inline policies %+v", app.RolePolicyList)
		}
		if attachedNamesOf(app.AttachedManagedPolicies) != "team-read" || aws.ToString(app.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(teamPolicy.Arn) {
			t.Fatalf("app-server's attached policies %+v", app.AttachedManagedPolicies)
		}
		if b := app.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != aws.ToString(boundary.Arn) || b.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
			t.Fatalf("app-server's boundary %+v", app.PermissionsBoundary)
		}
		if tagsOf(app.Tags) != "team=core" {
			t.Fatalf("app-server's tags %s", tagsOf(app.Tags))
		}
		if app.RoleLastUsed == nil || app.RoleLastUsed.LastUsedDate != nil {
			t.Fatalf("app-server's RoleLastUsed %+v", app.RoleLastUsed)
		}
		if len(app.InstanceProfileList) != 1 || aws.ToString(app.InstanceProfileList[0].InstanceProfileName) != "app-profile" || roleNamesOf(app.InstanceProfileList[0].Roles) != "app-server" ||
			aws.ToString(app.InstanceProfileList[0].Roles[0].RoleId) != aws.ToString(created.RoleId) {
			t.Fatalf("app-server's instance profiles %+v", app.InstanceProfileList)
		}

		// Unfiltered, the roles are there beside the rest.
		all := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
		if len(all.RoleDetailList) != len(roles) || len(all.UserDetailList) != 2 || len(all.GroupDetailList) != 1 {
			t.Fatalf("unfiltered: %d roles, %d users, %d groups", len(all.RoleDetailList), len(all.UserDetailList), len(all.GroupDetailList))
		}
		pager := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}, MaxItems: aws.Int32(3)})
		n, pages := 0, 0
		for pager.HasMorePages() && pages < 20 {
			page := must[*iam.GetAccountAuthorizationDetailsOutput](t)(pager.NextPage(ctx))
			if len(page.RoleDetailList) > 3 {
				t.Fatalf("a page of %d roles with MaxItems 3", len(page.RoleDetailList))
			}
			n, pages = n+len(page.RoleDetailList), pages+1
		}
		if n != len(roles) || pages != (len(roles)+2)/3 {
			t.Fatalf("paged: %d roles in %d pages, want %d", n, pages, len(roles))
		}

		m := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
		want := map[string]int32{"Roles": int32(len(roles)), "RolesQuota": 1000, "InstanceProfiles": 1, "InstanceProfilesQuota": 1000,
			"RolePolicySizeQuota": 10240, "AssumeRolePolicySizeQuota": 2048, "AttachedPoliciesPerRoleQuota": 10}
		for k, v := range want {
			if got, ok := m[k]; !ok || got != v {
				t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
			}
		}
	})

	t.Run("DeleteRole", func(t *testing.T) {
		r := createRole(t, "doomed", "/tmp/")
		must[*iam.PutRolePolicyOutput](t)(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("doomed"), PolicyName: aws.String("p"), PolicyDocument: doc}))
		_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must delete policies first.")
		must[*iam.DeleteRolePolicyOutput](t)(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("doomed"), PolicyName: aws.String("p")}))

		must[*iam.AttachRolePolicyOutput](t)(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("doomed"), PolicyArn: aws.String(iamReadOnlyARN)}))
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must detach all policies first.")
		must[*iam.DetachRolePolicyOutput](t)(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("doomed"), PolicyArn: aws.String(iamReadOnlyARN)}))

		must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("doomed-profile")}))
		must[*iam.AddRoleToInstanceProfileOutput](t)(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("doomed-profile"), RoleName: aws.String("doomed")}))
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove roles from instance profile first.")
		must[*iam.RemoveRoleFromInstanceProfileOutput](t)(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("doomed-profile"), RoleName: aws.String("doomed")}))

		// Tags and a boundary do not hold a role back.
		must[*iam.TagRoleOutput](t)(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("doomed"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
		must[*iam.PutRolePermissionsBoundaryOutput](t)(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("doomed"), PermissionsBoundary: boundary.Arn}))
		before := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap["Roles"]
		must[*iam.DeleteRoleOutput](t)(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("DOOMED")}))
		if after := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap["Roles"]; after != before-1 {
			t.Fatalf("Roles %d after a delete, %d before", after, before)
		}
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("doomed")})
		wantNoSuchRole(t, err, "doomed")
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")})
		wantNoSuchRole(t, err, "doomed")
		// Its boundary no longer counts; the name is free again, for a new role.
		e := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: boundary.Arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
		for _, pr := range e.PolicyRoles {
			if aws.ToString(pr.RoleName) == "doomed" {
				t.Fatal("the deleted role is still bounded by S3Only")
			}
		}
		again := createRole(t, "doomed", "")
		if aws.ToString(again.RoleId) == aws.ToString(r.RoleId) || aws.ToString(again.Arn) != iamARN("role/doomed") {
			t.Fatalf("recreated role: id %q arn %q", aws.ToString(again.RoleId), aws.ToString(again.Arn))
		}
		if tags := must[*iam.ListRoleTagsOutput](t)(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("doomed")})); len(tags.Tags) != 0 {
			t.Fatalf("the recreated role inherited tags %s", tagsOf(tags.Tags))
		}
		must[*iam.DeleteRoleOutput](t)(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("doomed")}))
	})

	t.Run("RolesPerAccount", func(t *testing.T) {
		have := len(must[*iam.ListRolesOutput](t)(c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})).Roles)
		fill(t, have, 1000, func(i int) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("fill%04d", i)), AssumeRolePolicyDocument: aws.String(ec2Trust)})
			return err
		})
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("one-too-many"), AssumeRolePolicyDocument: aws.String(ec2Trust)})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for RolesPerAccount: 1000")
		// 1,000 roles, paged by the SDK's paginator at its largest page.
		pager := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
		n, pages := 0, 0
		for pager.HasMorePages() && pages < 10 {
			n += len(must[*iam.ListRolesOutput](t)(pager.NextPage(ctx)).Roles)
			pages++
		}
		if n != 1000 || pages != 1 {
			t.Fatalf("ListRoles saw %d roles in %d pages", n, pages)
		}
		if m := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap; m["Roles"] != 1000 {
			t.Fatalf("GetAccountSummary Roles %d", m["Roles"])
		}
		// Deleting one frees a place.
		must[*iam.DeleteRoleOutput](t)(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(fmt.Sprintf("fill%04d", have))}))
		must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("one-too-many"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	})
}

// fill runs create(i) for i in [from, to) on four workers, failing the
// test on any error.
func fill(t *testing.T, from, to int, create func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, to)
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				if err := create(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestGoSDKInstanceProfiles(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	webTrust := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]}, \"Action\": [\"sts:AssumeRole\"]}\n}"
	web := must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(webTrust),
		Description: aws.String("serves"), Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("front")}}})).Role
	must[*iam.CreateRoleOutput](t)(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(ec2Trust)}))
	profileARN := iamARN("instance-profile/app/web-profile")

	created := must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Path: aws.String("/app/"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})).InstanceProfile

	getProfile := func(t *testing.T, name string) *types.InstanceProfile {
		t.Helper()
		return must[*iam.GetInstanceProfileOutput](t)(c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})).InstanceProfile
	}
	createProfile := func(t *testing.T, name, path string) *types.InstanceProfile {
		t.Helper()
		in := &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name)}
		if path != "" {
			in.Path = aws.String(path)
		}
		return must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(ctx, in)).InstanceProfile
	}
	add := func(profile, role string) error {
		_, err := c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)})
		return err
	}
	remove := func(profile, role string) error {
		_, err := c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)})
		return err
	}
	wantNoSuchProfile := func(t *testing.T, err error, name string) {
		t.Helper()
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Instance Profile "+name+" cannot be found.")
	}
	wantNoSuchRole := func(t *testing.T, err error, name string) {
		t.Helper()
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The role with name "+name+" cannot be found.")
	}
	// wantWeb checks a role as instance profiles list it.
	wantWeb := func(t *testing.T, r types.Role) {
		t.Helper()
		if aws.ToString(r.RoleName) != "web" || aws.ToString(r.RoleId) != aws.ToString(web.RoleId) || aws.ToString(r.Arn) != iamARN("role/app/web") ||
			aws.ToString(r.Path) != "/app/" || r.CreateDate == nil || !r.CreateDate.Equal(*web.CreateDate) || decodedDocument(t, r.AssumeRolePolicyDocument) != webTrust {
			t.Fatalf("the profile's role: %+v", r)
		}
		if r.Tags != nil || r.PermissionsBoundary != nil || r.RoleLastUsed != nil {
			t.Fatalf("the profile's role has tags %s, boundary %+v, last used %+v", tagsOf(r.Tags), r.PermissionsBoundary, r.RoleLastUsed)
		}
	}

	t.Run("CreateInstanceProfile", func(t *testing.T) {
		p := created
		if aws.ToString(p.InstanceProfileName) != "web-profile" || aws.ToString(p.Path) != "/app/" || aws.ToString(p.Arn) != profileARN {
			t.Fatalf("CreateInstanceProfile: name %q path %q arn %q", aws.ToString(p.InstanceProfileName), aws.ToString(p.Path), aws.ToString(p.Arn))
		}
		if !profileIDPattern.MatchString(aws.ToString(p.InstanceProfileId)) {
			t.Fatalf("instance profile id %q does not match %s", aws.ToString(p.InstanceProfileId), profileIDPattern)
		}
		wantRecent(t, "CreateInstanceProfile CreateDate", p.CreateDate)
		if p.Roles == nil || len(p.Roles) != 0 || tagsOf(p.Tags) != "env=prod" {
			t.Fatalf("a new profile: roles %v, tags %s", p.Roles, tagsOf(p.Tags))
		}
		plain := createProfile(t, "plain", "")
		if aws.ToString(plain.Path) != "/" || aws.ToString(plain.Arn) != iamARN("instance-profile/plain") || aws.ToString(plain.InstanceProfileId) == aws.ToString(p.InstanceProfileId) ||
			plain.Tags != nil || plain.Roles == nil {
			t.Fatalf("CreateInstanceProfile without a path or tags: %+v", plain)
		}
	})

	t.Run("CreateInstanceProfileErrors", func(t *testing.T) {
		_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB-PROFILE")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "Instance Profile WEB-PROFILE already exists.")
		_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("bad name!")})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			`1 validation error detected: Value 'bad name!' at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
		_, err = c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("pathless"), Path: aws.String("app")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
		_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("pathless")})
		wantNoSuchProfile(t, err, "pathless")
	})

	t.Run("GetInstanceProfile", func(t *testing.T) {
		p := getProfile(t, "Web-Profile")
		if aws.ToString(p.InstanceProfileName) != "web-profile" || aws.ToString(p.InstanceProfileId) != aws.ToString(created.InstanceProfileId) || aws.ToString(p.Arn) != profileARN ||
			aws.ToString(p.Path) != "/app/" || !p.CreateDate.Equal(*created.CreateDate) || p.Roles == nil || len(p.Roles) != 0 || tagsOf(p.Tags) != "env=prod" {
			t.Fatalf("GetInstanceProfile: %+v", p)
		}
		_, err := c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile")})
		wantNoSuchProfile(t, err, "nonexistent-profile")
	})

	t.Run("GetInstanceProfileEmptyTags", func(t *testing.T) {
		// AWS's GetInstanceProfile of an untagged profile has an empty
		// Tags list (localstack's recordings "get-instance-profile" and
		// "get-without-role": "Tags": []), unlike CreateInstanceProfile's.
		if p := getProfile(t, "plain"); p.Tags == nil {
			t.Error("GetInstanceProfile of an untagged profile has no Tags element")
		}
	})

	t.Run("AddRoleToInstanceProfile", func(t *testing.T) {
		if err := add("WEB-PROFILE", "WEB"); err != nil {
			t.Fatal(err)
		}
		p := getProfile(t, "web-profile")
		if len(p.Roles) != 1 {
			t.Fatalf("the profile holds %s", roleNamesOf(p.Roles))
		}
		wantWeb(t, p.Roles[0])
		// One role per profile: the same again, or another, is over the quota.
		wantMessage(t, wantAPIError(t, add("web-profile", "worker"), http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		wantMessage(t, wantAPIError(t, add("web-profile", "web"), http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		if p := getProfile(t, "web-profile"); roleNamesOf(p.Roles) != "web" {
			t.Fatalf("after the refusals the profile holds %s", roleNamesOf(p.Roles))
		}
		wantNoSuchProfile(t, add("nonexistent-profile", "web"), "nonexistent-profile")
		wantNoSuchRole(t, add("plain", "nonexistent-role"), "nonexistent-role")
		// A role may be in several profiles.
		createProfile(t, "web-2", "/app/")
		if err := add("web-2", "web"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RoleInProfileShape", func(t *testing.T) {
		// AWS lists a profile's roles with Path, RoleName, RoleId, Arn,
		// CreateDate and AssumeRolePolicyDocument: no MaxSessionDuration,
		// which every role has (localstack's recordings "get-with-role",
		// "list-instance-profiles", "list-for-role" and the RoleDetail's
		// InstanceProfileList; their roles had no Description, so whether
		// AWS shows one there is not known).
		r := getProfile(t, "web-profile").Roles[0]
		if r.MaxSessionDuration != nil {
			t.Errorf("a profile's role has MaxSessionDuration %d", aws.ToInt32(r.MaxSessionDuration))
		}
	})

	t.Run("ListInstanceProfiles", func(t *testing.T) {
		createProfile(t, "batch", "/jobs/")
		createProfile(t, "Zeta", "")
		all := must[*iam.ListInstanceProfilesOutput](t)(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))
		const want = "batch,plain,web-2,web-profile,Zeta"
		if profileNamesOf(all.InstanceProfiles) != want || all.IsTruncated || all.Marker != nil {
			t.Fatalf("ListInstanceProfiles: %s (truncated %v), want %s", profileNamesOf(all.InstanceProfiles), all.IsTruncated, want)
		}
		// Listed with their roles, without their tags.
		p := all.InstanceProfiles[3]
		if aws.ToString(p.InstanceProfileId) != aws.ToString(created.InstanceProfileId) || aws.ToString(p.Arn) != profileARN || p.Tags != nil || len(p.Roles) != 1 {
			t.Fatalf("listed web-profile: %+v", p)
		}
		wantWeb(t, p.Roles[0])
		if b := all.InstanceProfiles[0]; b.Roles == nil || len(b.Roles) != 0 || aws.ToString(b.Arn) != iamARN("instance-profile/jobs/batch") {
			t.Fatalf("listed batch: %+v", b)
		}
		for _, tc := range []struct{ prefix, want string }{{"/app/", "web-2,web-profile"}, {"/jobs", "batch"}, {"/", want}, {"/nonexistent/", ""}} {
			got := must[*iam.ListInstanceProfilesOutput](t)(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String(tc.prefix)}))
			if profileNamesOf(got.InstanceProfiles) != tc.want || got.IsTruncated {
				t.Errorf("PathPrefix %s: %s, want %s", tc.prefix, profileNamesOf(got.InstanceProfiles), tc.want)
			}
		}
		pager := iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(2)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, profileNamesOf(must[*iam.ListInstanceProfilesOutput](t)(pager.NextPage(ctx)).InstanceProfiles))
		}
		if strings.Join(pages, "|") != "batch,plain|web-2,web-profile|Zeta" {
			t.Fatalf("ListInstanceProfiles paginator pages %v", pages)
		}
		_, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{Marker: aws.String("forged")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("ListInstanceProfilesForRole", func(t *testing.T) {
		got := must[*iam.ListInstanceProfilesForRoleOutput](t)(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("WEB")}))
		if profileNamesOf(got.InstanceProfiles) != "web-2,web-profile" || got.IsTruncated {
			t.Fatalf("web's profiles %s (truncated %v)", profileNamesOf(got.InstanceProfiles), got.IsTruncated)
		}
		for _, p := range got.InstanceProfiles {
			if len(p.Roles) != 1 || p.Tags != nil {
				t.Fatalf("listed profile %s: roles %s, tags %s", aws.ToString(p.InstanceProfileName), roleNamesOf(p.Roles), tagsOf(p.Tags))
			}
			wantWeb(t, p.Roles[0])
		}
		if aws.ToString(got.InstanceProfiles[1].InstanceProfileId) != aws.ToString(created.InstanceProfileId) || aws.ToString(got.InstanceProfiles[1].Arn) != profileARN {
			t.Fatalf("listed web-profile: %+v", got.InstanceProfiles[1])
		}
		pager := iam.NewListInstanceProfilesForRolePaginator(c, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web"), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, profileNamesOf(must[*iam.ListInstanceProfilesForRoleOutput](t)(pager.NextPage(ctx)).InstanceProfiles))
		}
		if strings.Join(pages, "|") != "web-2|web-profile" {
			t.Fatalf("ListInstanceProfilesForRole paginator pages %v", pages)
		}
		none := must[*iam.ListInstanceProfilesForRoleOutput](t)(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("worker")}))
		if none.InstanceProfiles == nil || len(none.InstanceProfiles) != 0 || none.IsTruncated {
			t.Fatalf("worker's profiles %v", none.InstanceProfiles)
		}
		_, err := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ghost")})
		wantNoSuchRole(t, err, "ghost")
	})

	t.Run("RemoveRoleFromInstanceProfile", func(t *testing.T) {
		wantNoSuchProfile(t, remove("nonexistent-profile", "web"), "nonexistent-profile")
		wantNoSuchRole(t, remove("web-profile", "nonexistent-role"), "nonexistent-role")
		must[*iam.RemoveRoleFromInstanceProfileOutput](t)(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("Web-2"), RoleName: aws.String("Web")}))
		if p := getProfile(t, "web-2"); p.Roles == nil || len(p.Roles) != 0 {
			t.Fatalf("after the removal web-2 holds %s", roleNamesOf(p.Roles))
		}
		if got := must[*iam.ListInstanceProfilesForRoleOutput](t)(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})); profileNamesOf(got.InstanceProfiles) != "web-profile" {
			t.Fatalf("web's profiles after the removal: %s", profileNamesOf(got.InstanceProfiles))
		}
		// The emptied profile takes another role.
		if err := add("web-2", "worker"); err != nil {
			t.Fatal(err)
		}
		if err := remove("web-2", "worker"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("RemoveRoleNotInProfile", func(t *testing.T) {
		// As localstack's test_role_instance_profile_operations_errors
		// recorded it ("remove-unattached-role-error").
		err := remove("web-2", "worker")
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Role worker in Instance Profile web-2 cannot be found.")
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagInstanceProfileOutput](t)(c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("WEB-PROFILE"), Tags: []types.Tag{
			{Key: aws.String("ENV"), Value: aws.String("staging")}, {Key: aws.String("owner"), Value: aws.String("web")}}}))
		got := must[*iam.ListInstanceProfileTagsOutput](t)(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")}))
		if tagsOf(got.Tags) != "ENV=staging,owner=web" || got.IsTruncated {
			t.Fatalf("ListInstanceProfileTags %s (truncated %v)", tagsOf(got.Tags), got.IsTruncated)
		}
		if p := getProfile(t, "web-profile"); tagsOf(p.Tags) != "ENV=staging,owner=web" {
			t.Fatalf("GetInstanceProfile tags %s", tagsOf(p.Tags))
		}
		pager := iam.NewListInstanceProfileTagsPaginator(c, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile"), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, tagsOf(must[*iam.ListInstanceProfileTagsOutput](t)(pager.NextPage(ctx)).Tags))
		}
		if strings.Join(pages, "|") != "ENV=staging|owner=web" {
			t.Fatalf("ListInstanceProfileTags paginator pages %v", pages)
		}
		must[*iam.UntagInstanceProfileOutput](t)(c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), TagKeys: []string{"env", "absent"}}))
		if got := must[*iam.ListInstanceProfileTagsOutput](t)(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-profile")})); tagsOf(got.Tags) != "owner=web" {
			t.Fatalf("after UntagInstanceProfile: %s", tagsOf(got.Tags))
		}
		if none := must[*iam.ListInstanceProfileTagsOutput](t)(c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("plain")})); none.Tags == nil || len(none.Tags) != 0 || none.IsTruncated {
			t.Fatalf("plain's tags %v", none.Tags)
		}
		// Tagging the profile is not tagging its role.
		if tags := must[*iam.ListRoleTagsOutput](t)(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("web")})); tagsOf(tags.Tags) != "tier=front" {
			t.Fatalf("web's tags %s", tagsOf(tags.Tags))
		}
		_, err := c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantNoSuchProfile(t, err, "nonexistent-profile")
		_, err = c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("nonexistent-profile"), TagKeys: []string{"k"}})
		wantNoSuchProfile(t, err, "nonexistent-profile")
		_, err = c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nonexistent-profile")})
		wantNoSuchProfile(t, err, "nonexistent-profile")
		_, err = c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-profile"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidInput"), "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	})

	t.Run("ProfileResources", func(t *testing.T) {
		// The resource of a profile's actions is the profile's ARN, path
		// included.
		ops := newUserWithKey(t, s, "ops")
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("app-profiles"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetInstanceProfile","Resource":"arn:aws:iam::` + e2etest.AccountID + `:instance-profile/app/*"}}`)}))
		oc := s.GoIAM(ops)
		if _, err := oc.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")}); err != nil {
			t.Fatalf("GetInstanceProfile under instance-profile/app/*: %v", err)
		}
		_, err := oc.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("batch")})
		if resource := wantDenied(t, err, iamARN("user/ops"), "iam:GetInstanceProfile"); !strings.Contains(resource, iamARN("instance-profile/jobs/batch")) {
			t.Fatalf("the denial names %q, not batch's ARN", resource)
		}
		_, err = oc.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-2"), RoleName: aws.String("worker")})
		wantDenied(t, err, iamARN("user/ops"), "iam:AddRoleToInstanceProfile")
		if p := getProfile(t, "web-2"); len(p.Roles) != 0 {
			t.Fatalf("a denied AddRoleToInstanceProfile added %s", roleNamesOf(p.Roles))
		}
	})

	t.Run("AccountReads", func(t *testing.T) {
		m := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
		if m["InstanceProfiles"] != 5 || m["InstanceProfilesQuota"] != 1000 || m["Roles"] != 2 {
			t.Fatalf("GetAccountSummary InstanceProfiles %d, InstanceProfilesQuota %d, Roles %d", m["InstanceProfiles"], m["InstanceProfilesQuota"], m["Roles"])
		}
		details := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}}))
		if len(details.RoleDetailList) != 2 {
			t.Fatalf("%d roles", len(details.RoleDetailList))
		}
		w, k := details.RoleDetailList[0], details.RoleDetailList[1]
		if aws.ToString(w.RoleName) != "web" || profileNamesOf(w.InstanceProfileList) != "web-profile" || roleNamesOf(w.InstanceProfileList[0].Roles) != "web" ||
			aws.ToString(w.InstanceProfileList[0].Arn) != profileARN || aws.ToString(w.InstanceProfileList[0].InstanceProfileId) != aws.ToString(created.InstanceProfileId) {
			t.Fatalf("web's detail: %+v", w)
		}
		if aws.ToString(k.RoleName) != "worker" || k.InstanceProfileList == nil || len(k.InstanceProfileList) != 0 {
			t.Fatalf("worker's detail: %+v", k)
		}
	})

	t.Run("DeleteInstanceProfile", func(t *testing.T) {
		_, err := c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove roles from instance profile first.")
		_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove roles from instance profile first.")
		if err := remove("web-profile", "web"); err != nil {
			t.Fatal(err)
		}
		must[*iam.DeleteInstanceProfileOutput](t)(c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("WEB-PROFILE")}))
		_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		wantNoSuchProfile(t, err, "web-profile")
		_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-profile")})
		wantNoSuchProfile(t, err, "web-profile")
		// The role is free of it, and may go; the name is free again.
		if got := must[*iam.ListInstanceProfilesForRoleOutput](t)(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")})); len(got.InstanceProfiles) != 0 {
			t.Fatalf("web's profiles after the delete: %s", profileNamesOf(got.InstanceProfiles))
		}
		must[*iam.DeleteRoleOutput](t)(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")}))
		again := createProfile(t, "web-profile", "")
		if aws.ToString(again.InstanceProfileId) == aws.ToString(created.InstanceProfileId) || again.Tags != nil {
			t.Fatalf("recreated profile: %+v", again)
		}
		if m := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap; m["InstanceProfiles"] != 5 || m["Roles"] != 1 {
			t.Fatalf("GetAccountSummary InstanceProfiles %d, Roles %d", m["InstanceProfiles"], m["Roles"])
		}
	})

	t.Run("InstanceProfilesPerAccount", func(t *testing.T) {
		have := len(must[*iam.ListInstanceProfilesOutput](t)(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(1000)})).InstanceProfiles)
		fill(t, have, 1000, func(i int) error {
			_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("fill%04d", i))})
			return err
		})
		_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("one-too-many")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for InstanceProfilesPerAccount: 1000")
		pager := iam.NewListInstanceProfilesPaginator(c, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(400)})
		n, pages := 0, 0
		for pager.HasMorePages() && pages < 10 {
			n += len(must[*iam.ListInstanceProfilesOutput](t)(pager.NextPage(ctx)).InstanceProfiles)
			pages++
		}
		if n != 1000 || pages != 3 {
			t.Fatalf("ListInstanceProfiles saw %d profiles in %d pages", n, pages)
		}
		must[*iam.DeleteInstanceProfileOutput](t)(c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("fill%04d", have))}))
		must[*iam.CreateInstanceProfileOutput](t)(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("one-too-many")}))
	})
}
