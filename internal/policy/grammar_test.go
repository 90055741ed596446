package policy

import "testing"

// doc wraps one statement's members in a 2012-10-17 policy.
func doc(statement string) string {
	return `{"Version":"2012-10-17","Statement":{` + statement + `}}`
}

// TestGrammarInferred pins what Parse does where no AWS-checked document
// says (so these are not in the corpora, which hold only what AWS was seen
// to do): cases that follow from the rule moto's validator implements, and
// Latchkey's deliberate deviations, each named. Change them when AWS is
// seen to differ.
func TestGrammarInferred(t *testing.T) {
	const ok = ""
	tests := []struct {
		name string
		doc  string
		want string // the message, or ok
	}{
		// The rule: only a vendor and one colon are checked in an action.
		{"empty action name", doc(`"Effect":"Allow","Action":"iam:","Resource":"*"`), ok},
		{"empty vendor", doc(`"Effect":"Allow","Action":":GetUser","Resource":"*"`), ok},
		// Deviation: wildcards in a vendor.
		{"vendor with a wildcard", doc(`"Effect":"Allow","Action":"s3*:Get?bject","Resource":"*"`), ok},
		{"vendor with other punctuation", doc(`"Effect":"Allow","Action":"s3_x:Get","Resource":"*"`), "Vendor s3_x is not valid"},
		// The rule: qualifiers and IfExists come off before the operator
		// is looked up, Null included.
		{"NullIfExists", doc(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}`), ok},
		{"qualified Null", doc(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`), ok},
		{"lowercase qualifier", doc(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"foranyvalue:StringEquals":{"aws:TagKeys":"a"}}`), msgSyntax},
		// Deviation: a negative zone in a date.
		{"date with a negative zone", doc(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00-05:00"}}`), ok},
		{"date as a JSON boolean", doc(`"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":true}}`), msgLegacyParsing},
		// Resources, following the rule.
		{"first component not arn", doc(`"Effect":"Allow","Action":"*","Resource":"foo:aws:s3:::b"`), ok},
		{"partition aws-cn", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws-cn:s3:::b"`), ok},
		{"partition wildcard", doc(`"Effect":"Allow","Action":"*","Resource":"arn:*:s3:::b"`), ok},
		{"partition with a wildcard", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws*:s3:::b"`), `Partition "aws*" is not valid for resource "arn:aws*:s3:::b".`},
		{"s3 without region or more", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:s3"`), "Resource arn:aws:s3 can not contain region information."},
		{"s3 batch job with region", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:us-east-1:123456789012:job/*"`), ok},
		{"iam root", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::123456789012:root"`), ok},
		{"iam AWS managed policy", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::aws:policy/ReadOnlyAccess"`), ok},
		{"iam star", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::123456789012:*"`), ok},
		{"iam variable account", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"`), ok},
		// Deviation: an iam resource part with a wildcard that could begin
		// one of IAM's.
		{"iam wildcard type", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::123456789012:us*"`), ok},
		{"iam unknown type", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::123456789012:bucket/x"`), msgIAMPath},
		{"iam no resource part", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:iam::123456789012"`), msgIAMPath},
		{"four colons without double colon", doc(`"Effect":"Allow","Action":"*","Resource":"arn:aws:sqs:us-east-1:queue"`), ok},
		// Order: the checks AWS's order does not place.
		{"syntax before principal", doc(`"Effect":"Allow","Action":"*","Resource":"*","Principal":"*","Extra":1`), msgSyntax},
		{"principal before legacy parsing", doc(`"Effect":"allow","Action":"*","Resource":"*","Principal":"*"`), msgPrincipal},
		{"sid characters before duplicates", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"b-c","Effect":"Allow","Action":"*","Resource":"*"}]}`, msgSidCharacters},
		{"condition values last", doc(`"Effect":"Allow","Action":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}`), msgNoResources},
		// Order: the resource error found last, over Resource then NotResource.
		{"last statement's resource error", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"a"},{"Effect":"Allow","Action":"*","Resource":"b"}]}`, `Resource b must be in ARN format or "*".`},
		{"NotResource after Resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","NotResource":"a"},{"Effect":"Allow","Action":"*","Resource":"b"}]}`, `Resource a must be in ARN format or "*".`},
		{"no legacy parsing after a format error", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"a"},{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3::b"}]}`, `Resource a must be in ARN format or "*".`},
		{"legacy parsing before a later format error", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3::b"},{"Effect":"Allow","Action":"*","Resource":"a"}]}`, msgLegacyParsing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc)
			if tt.want == ok {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if got := checkMalformed(t, err).Message; got != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestVariablesOnlyIn2012: policy variables are substituted only in
// 2012-10-17 documents; in 2008-10-17 ones and those without Version,
// "${aws:username}" is literal text, in resources and condition values
// alike (AWS, "IAM JSON policy elements: Version": "If you do not include
// a Version element, the value defaults to 2008-10-17 [...] variables such
// as ${aws:username} aren't recognized as variables and are instead
// treated as literal strings in the policy").
func TestVariablesOnlyIn2012(t *testing.T) {
	const statement = `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home-${aws:username}","Condition":{"StringLike":{"s3:prefix":"${aws:username}/*"}}}`
	literal := Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::home-${aws:username}", Context: ctx("aws:username", "alice", "s3:prefix", "${aws:username}/x")}
	substituted := Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::home-alice", Context: ctx("aws:username", "alice", "s3:prefix", "alice/x")}
	tests := []struct {
		name                 string
		doc                  string
		literal, substituted Decision
	}{
		{"2012-10-17", `{"Version":"2012-10-17","Statement":` + statement + `}`, NoDecision, Allow},
		{"2008-10-17", `{"Version":"2008-10-17","Statement":` + statement + `}`, Allow, NoDecision},
		{"no Version", `{"Statement":` + statement + `}`, Allow, NoDecision},
		{"no Version, from the corpus", testdataDoc(t, "no-version-variables-literal"), Allow, NoDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.doc)
			if got := Evaluate([]*Policy{p}, literal); got != tt.literal {
				t.Errorf("literal text: %v, want %v", got, tt.literal)
			}
			if got := Evaluate([]*Policy{p}, substituted); got != tt.substituted {
				t.Errorf("substituted value: %v, want %v", got, tt.substituted)
			}
		})
	}
}

// TestShortResources: resources IAM accepts with fewer than six components
// match as one pattern, their wildcards spanning colons.
func TestShortResources(t *testing.T) {
	encoded := mustParse(t, testdataDoc(t, "resource-encoded-colons"))
	wildcard := mustParse(t, doc(`"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*"`))
	tests := []struct {
		name string
		p    *Policy
		req  Request
		want Decision
	}{
		{"encoded colons match themselves", encoded, Request{Action: "test:GetString", Resource: "arn:aws:test%3Aencoded%3Astring"}, Allow},
		{"encoded colons are not colons", encoded, Request{Action: "test:GetString", Resource: "arn:aws:test:encoded:string"}, NoDecision},
		{"wildcard spans colons", wildcard, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:q"}, Allow},
		{"wildcard needs the prefix", wildcard, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sns:us-east-1:123456789012:q"}, NoDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate([]*Policy{tt.p}, tt.req); got != tt.want {
				t.Errorf("Evaluate(%+v) = %v, want %v", tt.req, got, tt.want)
			}
		})
	}
}
