package e2e

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestLoginProfilesAWSCLI: console passwords and the account's password
// policy with the AWS CLI, as an administrator and a user type them: the
// policy's lifecycle, passwords refused as AWS words it, a login profile's
// lifecycle, a user changing its own password with its own key, and the
// user's deletion refused while it has a profile.
func TestLoginProfilesAWSCLI(t *testing.T) {
	t.Parallel() // the CLI's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	root := e2etest.Root
	cli := func(t *testing.T, c e2etest.Creds, args ...string) map[string]any {
		t.Helper()
		return awsCLIJSON(t, s, c, append([]string{"iam"}, args...)...)
	}
	profileOf := func(t *testing.T, out map[string]any) map[string]any {
		t.Helper()
		p, ok := out["LoginProfile"].(map[string]any)
		if !ok {
			t.Fatalf("no LoginProfile in %v", out)
		}
		return p
	}

	// The password policy.
	msg := awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-account-password-policy")
	wantMessage(t, msg, "The Password Policy with domain name ACCOUNT cannot be found.")
	if out := cli(t, root, "update-account-password-policy", "--minimum-password-length", "12", "--require-numbers",
		"--require-uppercase-characters", "--allow-users-to-change-password", "--max-password-age", "90", "--password-reuse-prevention", "2"); out != nil {
		t.Fatalf("update-account-password-policy printed %v", out)
	}
	pol, ok := cli(t, root, "get-account-password-policy")["PasswordPolicy"].(map[string]any)
	if !ok {
		t.Fatal("get-account-password-policy: no PasswordPolicy")
	}
	want := map[string]any{"MinimumPasswordLength": 12.0, "RequireSymbols": false, "RequireNumbers": true, "RequireUppercaseCharacters": true,
		"RequireLowercaseCharacters": false, "AllowUsersToChangePassword": true, "ExpirePasswords": true, "MaxPasswordAge": 90.0,
		"PasswordReusePrevention": 2.0, "HardExpiry": false}
	for k, v := range want {
		if pol[k] != v {
			t.Errorf("PasswordPolicy.%s = %v, want %v (%v)", k, pol[k], v, pol)
		}
	}
	if len(pol) != len(want) {
		t.Errorf("PasswordPolicy = %v", pol)
	}
	awsCLIFails(t, s, root, "ValidationError", "iam", "update-account-password-policy", "--minimum-password-length", "129")

	// Passwords the policy refuses.
	bob := newUserWithKey(t, s, "bob")
	for _, tc := range []struct{ password, message string }{
		{"Short1", "Password should have at least 12 characters"},
		{"nouppercase-123", "Password should have at least one uppercase letter"},
		{"No-Numbers-Here", "Password should have at least one number"},
	} {
		msg := awsCLIFails(t, s, root, "PasswordPolicyViolation", "iam", "create-login-profile", "--user-name", "bob", "--password", tc.password)
		wantMessage(t, msg, tc.message)
	}
	awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-login-profile", "--user-name", "bob")
	msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "create-login-profile", "--user-name", "nobody", "--password", "Correct-Horse-1")
	wantMessage(t, msg, "The user with name nobody cannot be found.")

	// The profile's lifecycle.
	before := time.Now().Add(-time.Minute)
	p := profileOf(t, cli(t, root, "create-login-profile", "--user-name", "bob", "--password", "Correct-Horse-1", "--password-reset-required"))
	if p["UserName"] != "bob" || p["PasswordResetRequired"] != true {
		t.Fatalf("create-login-profile: %v", p)
	}
	if d, err := time.Parse(time.RFC3339, p["CreateDate"].(string)); err != nil || d.Before(before) {
		t.Fatalf("CreateDate %v: %v", p["CreateDate"], err)
	}
	msg = awsCLIFails(t, s, root, "EntityAlreadyExists", "iam", "create-login-profile", "--user-name", "bob", "--password", "Correct-Horse-2")
	wantMessage(t, msg, "Login Profile for user bob already exists.")
	if got := profileOf(t, cli(t, root, "get-login-profile", "--user-name", "bob")); got["PasswordResetRequired"] != true || got["CreateDate"] != p["CreateDate"] {
		t.Fatalf("get-login-profile: %v", got)
	}
	cli(t, root, "update-login-profile", "--user-name", "bob", "--no-password-reset-required")
	if got := profileOf(t, cli(t, root, "get-login-profile", "--user-name", "bob")); got["PasswordResetRequired"] != false {
		t.Fatalf("get-login-profile after update: %v", got)
	}
	msg = awsCLIFails(t, s, root, "PasswordPolicyViolation", "iam", "update-login-profile", "--user-name", "bob", "--password", "Correct-Horse-1")
	wantMessage(t, msg, "Policy constraint violation with password reuse prevention during password change")
	cli(t, root, "update-login-profile", "--user-name", "bob", "--password", "Battery-Staple-2", "--password-reset-required")

	// The user changes its own password, with its own key, once the
	// account's password policy lets every user (AllowUsersToChangePassword),
	// not before.
	policyArgs := []string{"update-account-password-policy", "--minimum-password-length", "12", "--require-numbers",
		"--require-uppercase-characters", "--max-password-age", "90", "--password-reuse-prevention", "2"}
	cli(t, root, policyArgs...)
	msg = awsCLIFails(t, s, bob, "AccessDenied", "iam", "change-password", "--old-password", "Battery-Staple-2", "--new-password", "Battery-Staple-3")
	wantMessage(t, msg, "User: arn:aws:iam::"+e2etest.AccountID+":user/bob is not authorized to perform: iam:ChangePassword on resource: arn:aws:iam::"+e2etest.AccountID+":user/bob because no identity-based policy allows the iam:ChangePassword action")
	awsCLIFails(t, s, bob, "AccessDenied", "iam", "get-account-password-policy")
	cli(t, root, append(policyArgs, "--allow-users-to-change-password")...)
	cli(t, bob, "get-account-password-policy")
	cli(t, root, "put-user-policy", "--user-name", "bob", "--policy-name", "own-profile",
		"--policy-document", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetLoginProfile", "Resource": "arn:aws:iam::*:user/${aws:username}"}}`)
	msg = awsCLIFails(t, s, bob, "InvalidUserType", "iam", "change-password", "--old-password", "Wrong-Password-9", "--new-password", "Battery-Staple-3")
	wantMessage(t, msg, "The old password is incorrect.")
	msg = awsCLIFails(t, s, bob, "PasswordPolicyViolation", "iam", "change-password", "--old-password", "Battery-Staple-2", "--new-password", "short")
	wantMessage(t, msg, "Password should have at least 12 characters")
	msg = awsCLIFails(t, s, bob, "PasswordPolicyViolation", "iam", "change-password", "--old-password", "Battery-Staple-2", "--new-password", "Battery-Staple-2")
	wantMessage(t, msg, "Policy constraint violation with password reuse prevention during password change")
	if out := cli(t, bob, "change-password", "--old-password", "Battery-Staple-2", "--new-password", "Battery-Staple-3"); out != nil {
		t.Fatalf("change-password printed %v", out)
	}
	if got := profileOf(t, cli(t, bob, "get-login-profile")); got["UserName"] != "bob" || got["PasswordResetRequired"] != false {
		t.Fatalf("get-login-profile by bob after change-password: %v", got)
	}
	msg = awsCLIFails(t, s, bob, "InvalidUserType", "iam", "change-password", "--old-password", "Battery-Staple-2", "--new-password", "Battery-Staple-4")
	wantMessage(t, msg, "The old password is incorrect.")
	awsCLIFails(t, s, root, "InvalidUserType", "iam", "change-password", "--old-password", "Battery-Staple-3", "--new-password", "Battery-Staple-4")

	// The user cannot be deleted while it has a profile.
	cli(t, root, "delete-user-policy", "--user-name", "bob", "--policy-name", "own-profile")
	for _, k := range listKeyIDs(t, cli(t, root, "list-access-keys", "--user-name", "bob")) {
		cli(t, root, "delete-access-key", "--user-name", "bob", "--access-key-id", k)
	}
	msg = awsCLIFails(t, s, root, "DeleteConflict", "iam", "delete-user", "--user-name", "bob")
	wantMessage(t, msg, "Cannot delete entity, must delete login profile first.")
	if out := cli(t, root, "delete-login-profile", "--user-name", "bob"); out != nil {
		t.Fatalf("delete-login-profile printed %v", out)
	}
	msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-login-profile", "--user-name", "bob")
	wantMessage(t, msg, "Login Profile for User bob cannot be found.")
	awsCLIFails(t, s, root, "NoSuchEntity", "iam", "delete-login-profile", "--user-name", "bob")
	cli(t, root, "delete-user", "--user-name", "bob")

	if out := cli(t, root, "delete-account-password-policy"); out != nil {
		t.Fatalf("delete-account-password-policy printed %v", out)
	}
	msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "delete-account-password-policy")
	wantMessage(t, msg, "The Password Policy with domain name ACCOUNT cannot be found.")
}

// listKeyIDs is list-access-keys' key ids.
func listKeyIDs(t *testing.T, out map[string]any) []string {
	t.Helper()
	var ids []string
	list, _ := out["AccessKeyMetadata"].([]any)
	for _, m := range list {
		ids = append(ids, m.(map[string]any)["AccessKeyId"].(string))
	}
	return ids
}

// loginProfileScript drives the password API with boto3: the modeled
// exceptions with their HTTP statuses, a profile's lifecycle, and the
// credential report's password columns for a user with a profile and one
// without, under a policy whose passwords expire after 30 days. It prints
// one JSON object for the Go test to check.
const loginProfileScript = `
try:
    iam.get_account_password_policy()
except iam.exceptions.NoSuchEntityException as exc:
    out["no_policy"] = error(exc)
iam.update_account_password_policy(MinimumPasswordLength=10, RequireSymbols=True, MaxPasswordAge=30)
out["policy"] = iam.get_account_password_policy()["PasswordPolicy"]

iam.create_user(UserName="withpw")
iam.create_user(UserName="nopw")
try:
    iam.create_login_profile(UserName="withpw", Password="NoSymbols123")
except iam.exceptions.PasswordPolicyViolationException as exc:
    out["violation"] = error(exc)
created = iam.create_login_profile(UserName="withpw", Password="With-Symbol-1")["LoginProfile"]
out["created"] = {"UserName": created["UserName"], "PasswordResetRequired": created["PasswordResetRequired"],
                  "CreateDate": created["CreateDate"].isoformat()}
try:
    iam.create_login_profile(UserName="withpw", Password="With-Symbol-1")
except iam.exceptions.EntityAlreadyExistsException as exc:
    out["duplicate"] = error(exc)
try:
    iam.delete_user(UserName="withpw")
except iam.exceptions.DeleteConflictException as exc:
    out["conflict"] = error(exc)

iam.generate_credential_report()
report = iam.get_credential_report()["Content"].decode("utf-8")
rows = list(csv.reader(io.StringIO(report)))
out["rows"] = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}

iam.delete_login_profile(UserName="withpw")
try:
    iam.get_login_profile(UserName="withpw")
except iam.exceptions.NoSuchEntityException as exc:
    out["deleted"] = error(exc)
iam.delete_account_password_policy()
print(json.dumps(out))
`

func TestLoginProfilesBoto3(t *testing.T) {
	t.Parallel() // Python's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	stdout := runBoto3Script(t, s, "login_profile.py", loginProfileScript)
	var out struct {
		NoPolicy  boto3Error `json:"no_policy"`
		Policy    map[string]any
		Violation boto3Error
		Created   struct {
			UserName              string
			PasswordResetRequired bool
			CreateDate            string
		}
		Duplicate, Conflict, Deleted boto3Error
		Rows                         map[string]map[string]string
	}
	jsonDecode(t, stdout, &out)

	for _, tc := range []struct {
		what string
		got  boto3Error
		want boto3Error
	}{
		{"get_account_password_policy without one", out.NoPolicy, boto3Error{"NoSuchEntityException", "NoSuchEntity", "The Password Policy with domain name ACCOUNT cannot be found.", 404}},
		{"a password without a symbol", out.Violation, boto3Error{"PasswordPolicyViolationException", "PasswordPolicyViolation", "Password should have at least one symbol", 400}},
		{"a second profile", out.Duplicate, boto3Error{"EntityAlreadyExistsException", "EntityAlreadyExists", "Login Profile for user withpw already exists.", 409}},
		{"delete_user with a profile", out.Conflict, boto3Error{"DeleteConflictException", "DeleteConflict", "Cannot delete entity, must delete login profile first.", 409}},
		{"get_login_profile after the delete", out.Deleted, boto3Error{"NoSuchEntityException", "NoSuchEntity", "Login Profile for User withpw cannot be found.", 404}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.what, tc.got, tc.want)
		}
	}
	if out.Policy["MinimumPasswordLength"] != 10.0 || out.Policy["RequireSymbols"] != true || out.Policy["ExpirePasswords"] != true ||
		out.Policy["MaxPasswordAge"] != 30.0 || out.Policy["HardExpiry"] != false || out.Policy["PasswordReusePrevention"] != nil {
		t.Errorf("get_account_password_policy: %v", out.Policy)
	}
	created, err := time.Parse(time.RFC3339, out.Created.CreateDate)
	if err != nil || out.Created.UserName != "withpw" || out.Created.PasswordResetRequired {
		t.Fatalf("create_login_profile: %+v (%v)", out.Created, err)
	}

	with, without := out.Rows["withpw"], out.Rows["nopw"]
	if with == nil || without == nil {
		t.Fatalf("credential report rows: %v", out.Rows)
	}
	if with["password_enabled"] != "true" || with["password_last_used"] != "no_information" || !reportDate.MatchString(with["password_last_changed"]) {
		t.Errorf("the row of a user with a password: %v", with)
	}
	changed, err := time.Parse("2006-01-02T15:04:05Z07:00", with["password_last_changed"])
	if err != nil || changed.Sub(created).Abs() > 2*time.Second {
		t.Errorf("password_last_changed %q, created %v (%v)", with["password_last_changed"], created, err)
	}
	if next, err := time.Parse("2006-01-02T15:04:05Z07:00", with["password_next_rotation"]); err != nil || !next.Equal(changed.AddDate(0, 0, 30)) {
		t.Errorf("password_next_rotation %q, want password_last_changed + 30 days (%v)", with["password_next_rotation"], err)
	}
	for _, col := range []string{"password_last_used", "password_last_changed", "password_next_rotation"} {
		if without[col] != "N/A" {
			t.Errorf("%s of a user without a password = %q, want N/A", col, without[col])
		}
	}
	if without["password_enabled"] != "false" {
		t.Errorf("password_enabled of a user without a password = %q", without["password_enabled"])
	}
}
