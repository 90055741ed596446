package awsmodel

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/query"
)

// tags returns n IAM tags k1=v1 .. kn=vn.
func tags(v query.Values, n int) query.Values {
	for i := 1; i <= n; i++ {
		v[fmt.Sprintf("Tags.member.%d.Key", i)] = fmt.Sprintf("k%d", i)
		v[fmt.Sprintf("Tags.member.%d.Value", i)] = fmt.Sprintf("v%d", i)
	}
	return v
}

// tagKeys returns n tag keys key1 .. keyn.
func tagKeys(v query.Values, n int) query.Values {
	for i := 1; i <= n; i++ {
		v[fmt.Sprintf("TagKeys.member.%d", i)] = fmt.Sprintf("key%d", i)
	}
	return v
}

const (
	namePattern    = `Member must satisfy regular expression pattern: [\w+=,.@-]+`
	pathPattern    = `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	tagKeyPattern  = `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	documentRegexp = `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	tagKeyRules    = `[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, ` + tagKeyPattern + `]`
)

// validation lists the Coral-style violations a ValidationError carries.
func validation(violations ...string) string {
	noun := "errors"
	if len(violations) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(violations), noun, strings.Join(violations, "; "))
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		name    string
		service string
		action  string
		in      query.Values
		want    string // the ValidationError message; "" for valid input
	}{
		// CreateUser: Path, UserName, Tags.
		{"CreateUser minimal", "iam", "CreateUser", query.Values{"UserName": "alice"}, ""},
		{"CreateUser full", "iam", "CreateUser", tags(query.Values{"UserName": "build-bot+ci=1,a.b@c", "Path": "/division/team/"}, 50), ""},
		{"CreateUser ignores unknown and protocol parameters", "iam", "CreateUser", query.Values{
			"Action": "CreateUser", "Version": "2010-05-08", "UserName": "alice", "X-Amz-Date": "20261123T000000Z",
			"AWSAccessKeyId": "AKIA", "Signature": "x", "Username": "bad name!", "Tags.bogus": "x", "Tags": "", "Path.member.1": "x",
		}, ""},
		{"CreateUser missing name", "iam", "CreateUser", query.Values{"Path": "/"},
			validation("Value null at 'userName' failed to satisfy constraint: Member must not be null")},
		{"CreateUser bad name", "iam", "CreateUser", query.Values{"UserName": "bad name!"},
			validation("Value 'bad name!' at 'userName' failed to satisfy constraint: " + namePattern)},
		{"CreateUser name too long", "iam", "CreateUser", query.Values{"UserName": long},
			validation("Value '" + long + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64")},
		{"CreateUser empty name breaks length and pattern", "iam", "CreateUser", query.Values{"UserName": ""},
			validation("Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '' at 'userName' failed to satisfy constraint: "+namePattern)},
		{"CreateUser invalid UTF-8 name", "iam", "CreateUser", query.Values{"UserName": "a\xffb"},
			validation("Value 'a\uFFFDb' at 'userName' failed to satisfy constraint: " + namePattern)},
		{"CreateUser non-ASCII letters are not \\w", "iam", "CreateUser", query.Values{"UserName": "josé"},
			validation("Value 'josé' at 'userName' failed to satisfy constraint: " + namePattern)},
		{"CreateUser violations in model order", "iam", "CreateUser", query.Values{"UserName": long + "!", "Path": "no-slash"},
			validation("Value 'no-slash' at 'path' failed to satisfy constraint: "+pathPattern,
				"Value '"+long+"!' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
				"Value '"+long+"!' at 'userName' failed to satisfy constraint: "+namePattern)},
		{"CreateUser bad tags", "iam", "CreateUser", query.Values{"UserName": "alice",
			"Tags.member.1.Key": "ok", "Tags.member.1.Value": "fine",
			"Tags.member.2.Key": "", "Tags.member.3.Value": "no key", "Tags.member.3.Key": "a<b"},
			validation("Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '' at 'tags.2.member.key' failed to satisfy constraint: "+tagKeyPattern,
				"Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null",
				"Value 'a<b' at 'tags.3.member.key' failed to satisfy constraint: "+tagKeyPattern)},
		{"CreateUser tag list with a gap", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.1.Key": "a", "Tags.member.1.Value": "b", "Tags.member.3.Key": "c", "Tags.member.3.Value": "d"},
			"Invalid parameter Tags: list member Tags.member.2 is missing; list members are numbered from 1 without gaps."},
		{"CreateUser tag list from 2", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.2.Key": "a", "Tags.member.2.Value": "b"},
			"Invalid parameter Tags: list member Tags.member.1 is missing; list members are numbered from 1 without gaps."},
		{"CreateUser tag index 0", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.0.Key": "a"},
			"Invalid parameter name Tags.member.0.Key: list members are numbered by positive integers from 1 up to 10000."},
		{"CreateUser tag index with leading zero", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.01.Key": "a"},
			"Invalid parameter name Tags.member.01.Key: list members are numbered by positive integers from 1 up to 10000."},
		{"CreateUser tag index negative", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.-1.Key": "a"},
			"Invalid parameter name Tags.member.-1.Key: list members are numbered by positive integers from 1 up to 10000."},
		{"CreateUser tag index not a number", "iam", "CreateUser", query.Values{"UserName": "alice", "Tags.member.one.Key": "a"},
			"Invalid parameter name Tags.member.one.Key: list members are numbered by positive integers from 1 up to 10000."},
		{"CreateUser long value truncated", "iam", "CreateUser", query.Values{"UserName": strings.Repeat("é", 300)},
			validation("Value '"+strings.Repeat("é", 256)+"...' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64",
				"Value '"+strings.Repeat("é", 256)+"...' at 'userName' failed to satisfy constraint: "+namePattern)},

		// CreateAccessKey: an optional existing user name (up to 128).
		{"CreateAccessKey for the caller", "iam", "CreateAccessKey", query.Values{"Action": "CreateAccessKey"}, ""},
		{"CreateAccessKey 128-character name", "iam", "CreateAccessKey", query.Values{"UserName": strings.Repeat("u", 128)}, ""},
		{"CreateAccessKey 129-character name", "iam", "CreateAccessKey", query.Values{"UserName": strings.Repeat("u", 129)},
			validation("Value '" + strings.Repeat("u", 129) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128")},

		// UpdateAccessKey: the Status enum.
		{"UpdateAccessKey Inactive", "iam", "UpdateAccessKey", query.Values{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive"}, ""},
		{"UpdateAccessKey enum is case-sensitive", "iam", "UpdateAccessKey", query.Values{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "active"},
			validation("Value 'active' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]")},
		{"UpdateAccessKey missing both", "iam", "UpdateAccessKey", query.Values{"UserName": "alice"},
			validation("Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null",
				"Value null at 'status' failed to satisfy constraint: Member must not be null")},
		{"UpdateAccessKey short key id", "iam", "UpdateAccessKey", query.Values{"AccessKeyId": "AKIA", "Status": "Active"},
			validation("Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16")},

		// ChangePassword: a password is sensitive, never echoed.
		{"ChangePassword too long", "iam", "ChangePassword", query.Values{"OldPassword": "old-secret", "NewPassword": strings.Repeat("p", 129)},
			validation("Value '***' at 'newPassword' failed to satisfy constraint: Member must have length less than or equal to 128")},

		// ListUsers: MaxItems 1..1000.
		{"ListUsers MaxItems 1", "iam", "ListUsers", query.Values{"MaxItems": "1"}, ""},
		{"ListUsers MaxItems 1000", "iam", "ListUsers", query.Values{"MaxItems": "1000"}, ""},
		{"ListUsers MaxItems with sign", "iam", "ListUsers", query.Values{"MaxItems": "+10"}, ""},
		{"ListUsers MaxItems 0", "iam", "ListUsers", query.Values{"MaxItems": "0"},
			validation("Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"ListUsers MaxItems 1001", "iam", "ListUsers", query.Values{"MaxItems": "1001"},
			validation("Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")},
		{"ListUsers MaxItems shown as parsed", "iam", "ListUsers", query.Values{"MaxItems": "-007"},
			validation("Value '-7' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"ListUsers MaxItems not a number", "iam", "ListUsers", query.Values{"MaxItems": "abc"},
			"Invalid value for parameter MaxItems: 'abc' is not an integer from -2147483648 to 2147483647."},
		{"ListUsers MaxItems overflows int32", "iam", "ListUsers", query.Values{"MaxItems": "2147483648"},
			"Invalid value for parameter MaxItems: '2147483648' is not an integer from -2147483648 to 2147483647."},
		{"ListUsers MaxItems empty", "iam", "ListUsers", query.Values{"MaxItems": ""},
			"Invalid value for parameter MaxItems: '' is not an integer from -2147483648 to 2147483647."},
		{"ListUsers MaxItems with space", "iam", "ListUsers", query.Values{"MaxItems": " 5"},
			"Invalid value for parameter MaxItems: ' 5' is not an integer from -2147483648 to 2147483647."},

		// PutUserPolicy: the document pattern admits U+0009..U+00FF only.
		{"PutUserPolicy Latin-1 document", "iam", "PutUserPolicy", query.Values{"UserName": "alice", "PolicyName": "p",
			"PolicyDocument": "{\n\t\"Version\": \"2012-10-17\", \"Sid\": \"café ±\"\r\n}"}, ""},
		{"PutUserPolicy document beyond U+00FF", "iam", "PutUserPolicy", query.Values{"UserName": "alice", "PolicyName": "p", "PolicyDocument": `{"Sid":"日本"}`},
			validation(`Value '{"Sid":"日本"}' at 'policyDocument' failed to satisfy constraint: ` + documentRegexp)},
		{"PutUserPolicy document with invalid UTF-8", "iam", "PutUserPolicy", query.Values{"UserName": "alice", "PolicyName": "p", "PolicyDocument": "{\xe9}"},
			validation("Value '{\uFFFD}' at 'policyDocument' failed to satisfy constraint: " + documentRegexp)},
		{"PutUserPolicy document with a control character", "iam", "PutUserPolicy", query.Values{"UserName": "alice", "PolicyName": "p", "PolicyDocument": "{\x01}"},
			validation("Value '{\x01}' at 'policyDocument' failed to satisfy constraint: " + documentRegexp)},
		{"PutUserPolicy everything missing", "iam", "PutUserPolicy", query.Values{},
			validation("Value null at 'userName' failed to satisfy constraint: Member must not be null",
				"Value null at 'policyName' failed to satisfy constraint: Member must not be null",
				"Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")},

		// TagUser: at most 50 tags.
		{"TagUser 50 tags", "iam", "TagUser", tags(query.Values{"UserName": "alice"}, 50), ""},
		{"TagUser 51 tags", "iam", "TagUser", tags(query.Values{"UserName": "alice"}, 51),
			validation("Value '" + tagList51 + "' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")},
		{"TagUser without tags", "iam", "TagUser", query.Values{"UserName": "alice"},
			validation("Value null at 'tags' failed to satisfy constraint: Member must not be null")},

		// UntagUser: a list of scalars is reported as a whole.
		{"UntagUser keys", "iam", "UntagUser", tagKeys(query.Values{"UserName": "alice"}, 50), ""},
		{"UntagUser empty list", "iam", "UntagUser", query.Values{"UserName": "alice", "TagKeys": ""}, ""},
		{"UntagUser missing list", "iam", "UntagUser", query.Values{"UserName": "alice"},
			validation("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")},
		{"UntagUser bad key", "iam", "UntagUser", query.Values{"UserName": "alice", "TagKeys.member.1": "ok", "TagKeys.member.2": "bad!", "TagKeys.member.3": ""},
			validation("Value '[ok, bad!, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: " + tagKeyRules)},
		{"UntagUser 51 keys", "iam", "UntagUser", tagKeys(query.Values{"UserName": "alice"}, 51),
			validation("Value '" + keyList51 + "' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")},
		{"UntagUser list sent as a scalar", "iam", "UntagUser", query.Values{"UserName": "alice", "TagKeys": "team"},
			"Invalid value for parameter TagKeys: a list is sent as TagKeys.member.N; TagKeys alone must be empty."},
		{"UntagUser element without value", "iam", "UntagUser", query.Values{"UserName": "alice", "TagKeys.member.1.Key": "team"},
			"Invalid parameter TagKeys: list member 1 has no value."},

		// Booleans, nested lists, the lookahead pattern, STS.
		{"UpdateAccountPasswordPolicy booleans", "iam", "UpdateAccountPasswordPolicy", query.Values{"RequireSymbols": "true", "RequireNumbers": "FALSE", "MinimumPasswordLength": "14"}, ""},
		{"UpdateAccountPasswordPolicy bad boolean", "iam", "UpdateAccountPasswordPolicy", query.Values{"RequireSymbols": "yes"},
			"Invalid value for parameter RequireSymbols: 'yes' is not a boolean (true or false)."},
		{"SimulateCustomPolicy nested list and enum", "iam", "SimulateCustomPolicy", query.Values{
			"PolicyInputList.member.1": "{}", "ActionNames.member.1": "iam:ListUsers",
			"ContextEntries.member.1.ContextKeyName": "aws:username", "ContextEntries.member.1.ContextKeyType": "strings",
			"ContextEntries.member.1.ContextKeyValues.member.1": "a", "ContextEntries.member.1.ContextKeyValues.member.3": "c"},
			"Invalid parameter ContextEntries.member.1.ContextKeyValues: list member ContextEntries.member.1.ContextKeyValues.member.2 is missing; list members are numbered from 1 without gaps."},
		{"SimulateCustomPolicy nested enum", "iam", "SimulateCustomPolicy", query.Values{
			"PolicyInputList.member.1": "{}", "ActionNames.member.1": "iam:ListUsers",
			"ContextEntries.member.1.ContextKeyName": "aws:username", "ContextEntries.member.1.ContextKeyType": "strings"},
			validation("Value 'strings' at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]")},
		{"CreateAccountAlias", "iam", "CreateAccountAlias", query.Values{"AccountAlias": "my-company-1"}, ""},
		{"CreateAccountAlias double hyphen", "iam", "CreateAccountAlias", query.Values{"AccountAlias": "my--company"},
			validation("Value 'my--company' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")},
		{"STS GetCallerIdentity", "sts", "GetCallerIdentity", query.Values{"Action": "GetCallerIdentity", "Version": "2011-06-15"}, ""},
		{"STS AssumeRole", "sts", "AssumeRole", query.Values{"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "s", "DurationSeconds": "899"},
			validation("Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
				"Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")},
		{"STS AssumeRole policy ARNs", "sts", "AssumeRole", query.Values{"RoleArn": "arn:aws:iam::123456789012:role/demo", "RoleSessionName": "session",
			"PolicyArns.member.1.arn": "short"},
			validation("Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, ok := Operation(tt.service, tt.action)
			if !ok {
				t.Fatalf("no operation %s:%s", tt.service, tt.action)
			}
			err := op.Validate(tt.in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate = %v, want a ValidationError", err)
			}
			if e.Code != "ValidationError" || e.Status != 400 || !e.Sender {
				t.Errorf("error = %s/%d sender=%t, want ValidationError/400 sender", e.Code, e.Status, e.Sender)
			}
			if e.Message != tt.want {
				t.Errorf("message:\n got %q\nwant %q", e.Message, tt.want)
			}
		})
	}
}

var (
	tagList51 = func() string {
		var parts []string
		for i := 1; i <= 51; i++ {
			parts = append(parts, fmt.Sprintf("{Key: k%d, Value: v%d}", i, i))
		}
		return bounded("["+strings.Join(parts, ", ")+"]", maxValueInMessage)
	}()
	keyList51 = func() string {
		var parts []string
		for i := 1; i <= 51; i++ {
			parts = append(parts, fmt.Sprintf("key%d", i))
		}
		return bounded("["+strings.Join(parts, ", ")+"]", maxValueInMessage)
	}()
)

func TestValidateReportsAtMostMaxReported(t *testing.T) {
	op, _ := Operation("iam", "TagUser")
	in := query.Values{"UserName": "alice"}
	for i := 1; i <= 20; i++ {
		in[fmt.Sprintf("Tags.member.%d.Key", i)] = "k"
	}
	err := op.Validate(in)
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate = %v", err)
	}
	if !strings.HasPrefix(e.Message, "20 validation errors detected: ") {
		t.Errorf("message %q does not count all 20 violations", e.Message)
	}
	if n := strings.Count(e.Message, "failed to satisfy constraint"); n != MaxReported {
		t.Errorf("message lists %d violations, want %d", n, MaxReported)
	}
}

func TestValidateMessageIsBounded(t *testing.T) {
	// The largest message: MaxReported violations, each quoting a long
	// value, under a long path.
	op, _ := Operation("iam", "TagUser")
	in := query.Values{"UserName": strings.Repeat("!", 1<<20)}
	for i := 1; i <= 100; i++ {
		in[fmt.Sprintf("Tags.member.%d.Key", i)] = strings.Repeat("<", 1<<16)
		in[fmt.Sprintf("Tags.member.%d.Value", i)] = strings.Repeat("&", 1<<16)
	}
	err := op.Validate(in)
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate = %v", err)
	}
	if len(e.Message) > 8<<10 {
		t.Errorf("message is %d bytes", len(e.Message))
	}
}

func TestOperation(t *testing.T) {
	iam, ok := LookupService("iam")
	if !ok || iam.APIVersion != "2010-05-08" || iam.XMLNamespace != "https://iam.amazonaws.com/doc/2010-05-08/" || iam.ServiceID != "IAM" {
		t.Fatalf("iam = %+v", iam)
	}
	sts, ok := LookupService("sts")
	if !ok || sts.APIVersion != "2011-06-15" || sts.XMLNamespace != "https://sts.amazonaws.com/doc/2011-06-15/" {
		t.Fatalf("sts = %+v", sts)
	}
	if _, ok := LookupService("s3"); ok {
		t.Error("LookupService(s3) found a model")
	}
	if len(iam.Operations()) < 150 || len(sts.Operations()) < 8 {
		t.Errorf("operations: iam %d, sts %d", len(iam.Operations()), len(sts.Operations()))
	}
	for _, s := range []*Service{iam, sts} {
		for _, op := range s.Operations() {
			if got, ok := Operation(s.Name, op.Name); !ok || got != op {
				t.Errorf("Operation(%s, %s) = %v, %t", s.Name, op.Name, got, ok)
			}
		}
	}
	for _, miss := range [][2]string{{"iam", "AssumeRole"}, {"sts", "CreateUser"}, {"iam", ""}, {"iam", "createuser"}, {"ec2", "RunInstances"}} {
		if _, ok := Operation(miss[0], miss[1]); ok {
			t.Errorf("Operation(%s, %s) found", miss[0], miss[1])
		}
	}

	op, _ := Operation("iam", "CreateUser")
	if op.ResultWrapper != "CreateUserResult" || op.Input == nil || op.Unsigned {
		t.Errorf("CreateUser = %+v", op)
	}
	if e, ok := op.LookupError("EntityAlreadyExists"); !ok || e != (ModeledError{Code: "EntityAlreadyExists", Shape: "EntityAlreadyExistsException", Status: 409, Sender: true}) {
		t.Errorf("CreateUser EntityAlreadyExists = %+v, %t", e, ok)
	}
	if e, ok := op.LookupError("ServiceFailure"); !ok || e.Status != 500 || e.Sender {
		t.Errorf("CreateUser ServiceFailure = %+v, %t", e, ok)
	}
	if _, ok := op.LookupError("InvalidClientTokenId"); ok {
		t.Error("CreateUser models InvalidClientTokenId")
	}
	if op, _ := Operation("iam", "DeleteUser"); op.ResultWrapper != "" {
		t.Errorf("DeleteUser ResultWrapper = %q", op.ResultWrapper)
	}
	if op, _ := Operation("iam", "GetAccountSummary"); op.Input != nil {
		t.Errorf("GetAccountSummary has input %s", op.Input.Name)
	}
	for action, unsigned := range map[string]bool{"AssumeRoleWithSAML": true, "AssumeRoleWithWebIdentity": true, "AssumeRole": false, "GetCallerIdentity": false} {
		if op, _ := Operation("sts", action); op.Unsigned != unsigned {
			t.Errorf("%s Unsigned = %t", action, op.Unsigned)
		}
	}
	user := op.Input.Members[1]
	if user.Name != "UserName" || !user.Required || user.Shape.Kind != KindString || user.Shape.Min != 1 || user.Shape.Max != 64 || user.Shape.Pattern.Model != `[\w+=,.@-]+` {
		t.Errorf("CreateUser UserName = %+v %+v", user, user.Shape)
	}
}

// TestPatternsCompile compiles every pattern of every input shape, and
// checks each against a value it must accept and one it must refuse where
// the model makes that obvious.
func TestPatternsCompile(t *testing.T) {
	seen := map[*Pattern]bool{}
	var walk func(sh *Shape)
	walk = func(sh *Shape) {
		if sh == nil {
			return
		}
		if sh.Pattern != nil && !seen[sh.Pattern] {
			seen[sh.Pattern] = true
			sh.Pattern.MatchString("") // compiles, or panics
		}
		for _, m := range sh.Members {
			walk(m.Shape)
		}
		walk(sh.Elem)
		walk(sh.Key)
	}
	for _, name := range []string{"iam", "sts"} {
		s, _ := LookupService(name)
		for _, op := range s.Operations() {
			walk(op.Input)
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d patterns", len(seen))
	}
	for _, tt := range []struct {
		p    *Pattern
		s    string
		want bool
	}{
		{pattern01, "/", true},
		{pattern01, "/a/b/", true},
		{pattern01, "/a", false},
		{pattern01, "//", false},
		{pattern25, "abc", true},
		{pattern25, "a-b-c", true},
		{pattern25, "a--b", false},
		{pattern25, "-ab", false},
		{pattern25, "ab", false},
		{pattern25, strings.Repeat("a", 63), true},
		{pattern25, strings.Repeat("a", 64), false},
		// Java reads \u10000 as U+1000 then '0': the STS pattern admits no
		// character beyond the Basic Multilingual Plane.
		{pattern08, "arn:aws:iam::123456789012:role/é", true},
		{pattern08, "\uFFFD", true},
		{pattern08, "😀", false},
	} {
		if got := tt.p.MatchString(tt.s); got != tt.want {
			t.Errorf("%s matching %q = %t, want %t", tt.p.Model, tt.s, got, tt.want)
		}
	}
}

// FuzzValidate checks that validating any decoded request against any
// operation never panics and fails only with a bounded ValidationError. The
// operation is the one named action (IAM first, then STS), or else one
// picked by action's bytes, so that the fuzzer reaches every operation.
func FuzzValidate(f *testing.F) {
	f.Add("CreateUser", "UserName=alice&Tags.member.1.Key=k&Tags.member.1.Value=v")
	f.Add("UntagUser", "Tags.member.2.Key=k&TagKeys=x&MaxItems=abc")
	f.Add("SimulateCustomPolicy", "ContextEntries.member.1.ContextKeyValues.member.1=a&PolicyInputList=")
	f.Add("AssumeRole", "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s&DurationSeconds=99999999999&PolicyArns.member.1.arn=x")
	ops := append(append([]*Op{}, iamService.Operations()...), stsService.Operations()...)
	f.Fuzz(func(t *testing.T, action, raw string) {
		v, err := query.Decode(raw)
		if err != nil {
			return
		}
		op, ok := Operation("iam", action)
		if !ok {
			if op, ok = Operation("sts", action); !ok {
				sum := 0
				for i := 0; i < len(action); i++ {
					sum += int(action[i])
				}
				op = ops[sum%len(ops)]
			}
		}
		err = op.Validate(v)
		if err == nil {
			return
		}
		var e *awserr.Error
		if !errors.As(err, &e) || e.Code != "ValidationError" || e.Status != 400 {
			t.Fatalf("%s: error %v is not a ValidationError", op.Name, err)
		}
		if len(e.Message) > 16<<10 {
			t.Fatalf("%s: message of %d bytes", op.Name, len(e.Message))
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	b.Run("CreateAccessKey", func(b *testing.B) {
		op, _ := Operation("iam", "CreateAccessKey")
		v := query.Values{"Action": "CreateAccessKey", "UserName": "build-bot@example.com", "Version": "2010-05-08"}
		b.ReportAllocs()
		for b.Loop() {
			if err := op.Validate(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreateUser10Tags", func(b *testing.B) {
		op, _ := Operation("iam", "CreateUser")
		v := tags(query.Values{"Action": "CreateUser", "UserName": "alice", "Path": "/team/", "Version": "2010-05-08"}, 10)
		b.ReportAllocs()
		for b.Loop() {
			if err := op.Validate(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CreateUserInvalid", func(b *testing.B) {
		op, _ := Operation("iam", "CreateUser")
		v := query.Values{"UserName": "bad name!", "Path": "x"}
		b.ReportAllocs()
		for b.Loop() {
			if err := op.Validate(v); err == nil {
				b.Fatal("valid")
			}
		}
	})
}
