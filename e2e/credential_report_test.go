package e2e

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// credentialReportScript drives the credential report with boto3: the
// report before one exists, GenerateCredentialReport twice, then
// GetCredentialReport, its CSV decoded by the csv module. Users with no
// key, one key, and two keys (the first deactivated, the second used
// with STS in eu-west-1 just before the report: a use not yet flushed).
// It prints one JSON object for the Go test to check.
const credentialReportScript = `
try:
    iam.get_credential_report()
    out["before"] = None
except iam.exceptions.CredentialReportNotPresentException as exc:
    out["before"] = error(exc)

iam.create_user(UserName="zero")
iam.create_user(UserName="one")
iam.create_access_key(UserName="one")
iam.create_user(UserName="two", Path="/ops/")
first = iam.create_access_key(UserName="two")["AccessKey"]
second = iam.create_access_key(UserName="two")["AccessKey"]
iam.update_access_key(UserName="two", AccessKeyId=first["AccessKeyId"], Status="Inactive")
sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="eu-west-1",
                   aws_access_key_id=second["AccessKeyId"], aws_secret_access_key=second["SecretAccessKey"])
sts.get_caller_identity()

generated = iam.generate_credential_report()
out["first"] = {k: v for k, v in generated.items() if k != "ResponseMetadata"}
again = iam.generate_credential_report()
out["second"] = {k: v for k, v in again.items() if k != "ResponseMetadata"}

report = iam.get_credential_report()
out["format"] = report["ReportFormat"]
out["generated_time_is_aware"] = isinstance(report["GeneratedTime"], datetime.datetime) and report["GeneratedTime"].tzinfo is not None
out["generated_age"] = (datetime.datetime.now(datetime.timezone.utc) - report["GeneratedTime"]).total_seconds()
content = report["Content"]
out["content_is_bytes"] = isinstance(content, bytes)
text = content.decode("utf-8")
out["trailing_newline"] = text.endswith("\n")
rows = list(csv.reader(io.StringIO(text)))
out["header"] = rows[0]
out["rows"] = [dict(zip(rows[0], r)) for r in rows[1:]]
out["widths"] = sorted(set(len(r) for r in rows))
print(json.dumps(out))
`

// credentialReportHeader is AWS's documented header, in its order.
var credentialReportHeader = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed", "password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

var reportDate = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`)

func TestCredentialReportBoto3(t *testing.T) {
	t.Parallel() // Python's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	stdout := runBoto3Script(t, s, "credential_report.py", credentialReportScript)
	var out struct {
		Before               boto3Error
		First, Second        map[string]string
		Format               string
		GeneratedTimeIsAware bool    `json:"generated_time_is_aware"`
		GeneratedAge         float64 `json:"generated_age"`
		ContentIsBytes       bool    `json:"content_is_bytes"`
		TrailingNewline      bool    `json:"trailing_newline"`
		Header               []string
		Rows                 []map[string]string
		Widths               []int
	}
	jsonDecode(t, stdout, &out)

	if out.Before.Class != "CredentialReportNotPresentException" || out.Before.Code != "ReportNotPresent" || out.Before.Status != 410 ||
		out.Before.Message != "Credential report not present" {
		t.Errorf("get_credential_report before any: %+v", out.Before)
	}
	if len(out.First) != 2 || out.First["State"] != "STARTED" || out.First["Description"] != "No report exists. Starting a new report generation task" {
		t.Errorf("first generate_credential_report: %v", out.First)
	}
	if len(out.Second) != 1 || out.Second["State"] != "COMPLETE" {
		t.Errorf("second generate_credential_report: %v", out.Second)
	}
	if out.Format != "text/csv" || !out.GeneratedTimeIsAware || out.GeneratedAge < -60 || out.GeneratedAge > 60 || !out.ContentIsBytes || out.TrailingNewline {
		t.Errorf("get_credential_report: format %q, aware %v, age %.0fs, bytes %v, trailing newline %v",
			out.Format, out.GeneratedTimeIsAware, out.GeneratedAge, out.ContentIsBytes, out.TrailingNewline)
	}

	// The header, column by column.
	if len(out.Header) != len(credentialReportHeader) {
		t.Fatalf("header has %d columns, AWS's %d: %q", len(out.Header), len(credentialReportHeader), out.Header)
	}
	for i, col := range credentialReportHeader {
		if out.Header[i] != col {
			t.Errorf("column %d is %q, AWS's is %q", i+1, out.Header[i], col)
		}
	}
	if !slices.Equal(out.Widths, []int{len(credentialReportHeader)}) {
		t.Errorf("row widths %v", out.Widths)
	}

	// The root first, then the users by name.
	var names []string
	for _, r := range out.Rows {
		names = append(names, r["user"])
	}
	if !slices.Equal(names, []string{"<root_account>", "one", "two", "zero"}) {
		t.Fatalf("rows for %q", names)
	}
	date := func(row map[string]string, cols ...string) {
		t.Helper()
		for _, c := range cols {
			if !reportDate.MatchString(row[c]) {
				t.Errorf("%s's %s = %q, not an ISO 8601 date at +00:00", row["user"], c, row[c])
			}
		}
	}
	want := func(row map[string]string, values map[string]string) {
		t.Helper()
		for c, v := range values {
			if row[c] != v {
				t.Errorf("%s's %s = %q, want %q", row["user"], c, row[c], v)
			}
		}
	}
	noKey := func(n string) map[string]string {
		p := "access_key_" + n + "_"
		return map[string]string{p + "active": "false", p + "last_rotated": "N/A", p + "last_used_date": "N/A", p + "last_used_region": "N/A", p + "last_used_service": "N/A"}
	}
	noPassword := map[string]string{"password_enabled": "false", "password_last_used": "N/A", "password_last_changed": "N/A", "password_next_rotation": "N/A",
		"mfa_active": "false", "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A"}

	root := out.Rows[0]
	want(root, map[string]string{"arn": "arn:aws:iam::" + e2etest.AccountID + ":root",
		"password_enabled": "not_supported", "password_last_used": "no_information", "password_last_changed": "not_supported", "password_next_rotation": "not_supported",
		"mfa_active": "false", "access_key_1_active": "true", "access_key_1_last_used_region": "us-east-1", "access_key_1_last_used_service": "iam",
		"cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A"})
	want(root, noKey("2"))
	date(root, "user_creation_time", "access_key_1_last_rotated", "access_key_1_last_used_date")

	one := out.Rows[1]
	want(one, map[string]string{"arn": "arn:aws:iam::" + e2etest.AccountID + ":user/one", "access_key_1_active": "true",
		"access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A", "access_key_1_last_used_service": "N/A"})
	want(one, noPassword)
	want(one, noKey("2"))
	date(one, "user_creation_time", "access_key_1_last_rotated")

	two := out.Rows[2]
	want(two, map[string]string{"arn": "arn:aws:iam::" + e2etest.AccountID + ":user/ops/two",
		"access_key_1_active": "false", "access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A", "access_key_1_last_used_service": "N/A",
		"access_key_2_active": "true", "access_key_2_last_used_region": "eu-west-1", "access_key_2_last_used_service": "sts"})
	want(two, noPassword)
	date(two, "user_creation_time", "access_key_1_last_rotated", "access_key_2_last_rotated", "access_key_2_last_used_date")

	zero := out.Rows[3]
	want(zero, map[string]string{"arn": "arn:aws:iam::" + e2etest.AccountID + ":user/zero"})
	want(zero, noPassword)
	want(zero, noKey("1"))
	want(zero, noKey("2"))
	date(zero, "user_creation_time")
}

// TestCredentialReportGoSDK: the same through aws-sdk-go-v2, with its
// modeled error types and HTTP statuses.
func TestCredentialReportGoSDK(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)

	_, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	wantMessage(t, wantAPIError(t, err, http.StatusGone, "ReportNotPresent"), "Credential report not present")
	var notPresent *types.CredentialReportNotPresentException
	if !errors.As(err, &notPresent) {
		t.Fatalf("GetCredentialReport before any: %T, not the modeled exception", err)
	}
	newUserWithKey(t, s, "dora")
	gen := must[*iam.GenerateCredentialReportOutput](t)(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeStarted || aws.ToString(gen.Description) != "No report exists. Starting a new report generation task" {
		t.Fatalf("GenerateCredentialReport: %s %q", gen.State, aws.ToString(gen.Description))
	}
	gen = must[*iam.GenerateCredentialReportOutput](t)(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeComplete || gen.Description != nil {
		t.Fatalf("GenerateCredentialReport again: %s %q", gen.State, aws.ToString(gen.Description))
	}
	rep := must[*iam.GetCredentialReportOutput](t)(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	if rep.ReportFormat != types.ReportFormatTypeTextCsv {
		t.Fatalf("ReportFormat %q", rep.ReportFormat)
	}
	wantRecent(t, "GeneratedTime", rep.GeneratedTime)
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatalf("the report is not CSV: %v\n%s", err, rep.Content)
	}
	if len(rows) != 3 || !slices.Equal(rows[0], credentialReportHeader) || rows[1][0] != "<root_account>" || rows[2][0] != "dora" ||
		rows[2][1] != "arn:aws:iam::"+e2etest.AccountID+":user/dora" || rows[2][8] != "true" {
		t.Fatalf("report rows %q", rows)
	}

	// Authorized like any action, on "*".
	dora := newUserWithKey(t, s, "dora2")
	_, err = s.GoIAM(dora).GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if res := wantDenied(t, err, "arn:aws:iam::"+e2etest.AccountID+":user/dora2", "iam:GetCredentialReport"); res != "*" {
		t.Fatalf("GetCredentialReport denied on %q", res)
	}
	_, err = s.GoIAM(dora).GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	wantDenied(t, err, "arn:aws:iam::"+e2etest.AccountID+":user/dora2", "iam:GenerateCredentialReport")
}
