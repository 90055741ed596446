package condition

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
)

func ctx(kv ...string) map[string][]string {
	m := make(map[string][]string)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func mustNew(t *testing.T, op, key string, values []string, variables bool) Condition {
	t.Helper()
	c, err := New(op, key, values, variables)
	if err != nil {
		t.Fatalf("New(%s, %s, %q): %v", op, key, values, err)
	}
	return c
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name   string
		op     string
		key    string
		values []string
		ctx    map[string][]string
		want   bool
	}{
		// Strings.
		{"StringEquals", "StringEquals", "aws:username", []string{"alice"}, ctx("aws:username", "alice"), true},
		{"StringEquals is case-sensitive", "StringEquals", "aws:username", []string{"alice"}, ctx("aws:username", "Alice"), false},
		{"StringEquals any policy value", "StringEquals", "aws:username", []string{"bob", "alice"}, ctx("aws:username", "alice"), true},
		{"StringEquals has no wildcards", "StringEquals", "aws:username", []string{"a*"}, ctx("aws:username", "alice"), false},
		{"StringEquals literal star", "StringEquals", "aws:username", []string{"a*"}, ctx("aws:username", "a*"), true},
		{"StringEquals absent key", "StringEquals", "aws:username", []string{"alice"}, nil, false},
		{"key compared ignoring case", "StringEquals", "AWS:USERNAME", []string{"alice"}, ctx("aws:username", "alice"), true},
		{"StringNotEquals", "StringNotEquals", "aws:username", []string{"alice"}, ctx("aws:username", "bob"), true},
		{"StringNotEquals listed", "StringNotEquals", "aws:username", []string{"bob", "alice"}, ctx("aws:username", "alice"), false},
		{"StringNotEquals absent key holds", "StringNotEquals", "aws:username", []string{"alice"}, nil, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "aws:RequestedRegion", []string{"US-EAST-1"}, ctx("aws:RequestedRegion", "us-east-1"), true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "aws:RequestedRegion", []string{"US-EAST-1"}, ctx("aws:RequestedRegion", "us-east-1"), false},
		{"StringLike star", "StringLike", "s3:prefix", []string{"home/*"}, ctx("s3:prefix", "home/alice/x"), true},
		{"StringLike question", "StringLike", "s3:prefix", []string{"home/?"}, ctx("s3:prefix", "home/ab"), false},
		{"StringLike unicode question", "StringLike", "s3:prefix", []string{"h?me"}, ctx("s3:prefix", "hôme"), true},
		{"StringLike case-sensitive", "StringLike", "s3:prefix", []string{"home/*"}, ctx("s3:prefix", "Home/a"), false},
		{"StringNotLike", "StringNotLike", "aws:UserAgent", []string{"*curl*"}, ctx("aws:UserAgent", "aws-cli/2"), true},
		{"StringNotLike matching", "StringNotLike", "aws:UserAgent", []string{"*curl*"}, ctx("aws:UserAgent", "curl/8"), false},
		{"variable substituted", "StringEquals", "s3:prefix", []string{"${aws:username}"}, ctx("s3:prefix", "alice", "aws:username", "alice"), true},
		{"variable literal without variables", "StringEquals", "s3:prefix", []string{"${aws:username}"}, ctx("s3:prefix", "${aws:username}", "aws:username", "alice"), false},
		{"variable missing matches nothing", "StringLike", "s3:prefix", []string{"${aws:username}/*"}, ctx("s3:prefix", "/x"), false},

		// IfExists.
		{"IfExists absent key holds", "StringEqualsIfExists", "aws:username", []string{"alice"}, nil, true},
		{"IfExists present key evaluated", "StringEqualsIfExists", "aws:username", []string{"alice"}, ctx("aws:username", "bob"), false},
		{"BoolIfExists absent", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, nil, true},
		{"BoolIfExists true", "BoolIfExists", "aws:MultiFactorAuthPresent", []string{"false"}, ctx("aws:MultiFactorAuthPresent", "true"), false},
		{"empty values are absent", "StringEqualsIfExists", "aws:username", []string{"alice"}, map[string][]string{"aws:username": {}}, true},

		// Set qualifiers.
		{"ForAnyValue one matches", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"a", "b"}, ctx("aws:TagKeys", "x", "aws:TagKeys", "b"), true},
		{"ForAnyValue none matches", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"a", "b"}, ctx("aws:TagKeys", "x", "aws:TagKeys", "y"), false},
		{"ForAnyValue absent", "ForAnyValue:StringEquals", "aws:TagKeys", []string{"a"}, nil, false},
		{"ForAnyValue IfExists absent", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", []string{"a"}, nil, true},
		{"ForAllValues all match", "ForAllValues:StringLike", "aws:TagKeys", []string{"cost*", "team"}, ctx("aws:TagKeys", "costcenter", "aws:TagKeys", "team"), true},
		{"ForAllValues one does not", "ForAllValues:StringLike", "aws:TagKeys", []string{"cost*"}, ctx("aws:TagKeys", "costcenter", "aws:TagKeys", "team"), false},
		{"ForAllValues absent holds", "ForAllValues:StringEquals", "aws:TagKeys", []string{"a"}, nil, true},
		{"ForAnyValue negated: one outside", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"a"}, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), true},
		{"ForAnyValue negated: all listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", []string{"a", "b"}, ctx("aws:TagKeys", "a", "aws:TagKeys", "b"), false},
		{"ForAllValues negated: none listed", "ForAllValues:StringNotEquals", "aws:TagKeys", []string{"a"}, ctx("aws:TagKeys", "b", "aws:TagKeys", "c"), true},
		{"ForAllValues negated: one listed", "ForAllValues:StringNotEquals", "aws:TagKeys", []string{"a"}, ctx("aws:TagKeys", "b", "aws:TagKeys", "a"), false},
		{"single-valued negated on many values: none may match", "StringNotEquals", "aws:TagKeys", []string{"a"}, ctx("aws:TagKeys", "b", "aws:TagKeys", "a"), false},

		// Numbers.
		{"NumericEquals", "NumericEquals", "aws:MultiFactorAuthAge", []string{"10"}, ctx("aws:MultiFactorAuthAge", "10.0"), true},
		{"NumericNotEquals", "NumericNotEquals", "aws:MultiFactorAuthAge", []string{"10"}, ctx("aws:MultiFactorAuthAge", "11"), true},
		{"NumericLessThan", "NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, ctx("aws:MultiFactorAuthAge", "3599"), true},
		{"NumericLessThan equal", "NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}, ctx("aws:MultiFactorAuthAge", "3600"), false},
		{"NumericLessThanEquals", "NumericLessThanEquals", "aws:MultiFactorAuthAge", []string{"3600"}, ctx("aws:MultiFactorAuthAge", "3600"), true},
		{"NumericGreaterThan", "NumericGreaterThan", "s3:max-keys", []string{"1e2"}, ctx("s3:max-keys", "101"), true},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "s3:max-keys", []string{"-1.5"}, ctx("s3:max-keys", "-1.5"), true},
		{"Numeric request not a number", "NumericLessThan", "s3:max-keys", []string{"10"}, ctx("s3:max-keys", "five"), false},

		// Dates.
		{"DateLessThan", "DateLessThan", "aws:CurrentTime", []string{"2030-01-01T00:00:00Z"}, ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), true},
		{"DateLessThan after", "DateLessThan", "aws:CurrentTime", []string{"2020-01-01"}, ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), false},
		{"DateGreaterThan offset", "DateGreaterThan", "aws:CurrentTime", []string{"2025-06-01T13:00:00+02:00"}, ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), true},
		{"DateEquals epoch", "DateEquals", "aws:EpochTime", []string{"1700000000"}, ctx("aws:EpochTime", "2023-11-14T22:13:20Z"), true},
		{"DateNotEquals", "DateNotEquals", "aws:CurrentTime", []string{"2019-01-01"}, ctx("aws:CurrentTime", "2019-01-01T00:00:00Z"), false},
		{"DateLessThanEquals", "DateLessThanEquals", "aws:CurrentTime", []string{"2019-01-01T00:00:00Z"}, ctx("aws:CurrentTime", "2019-01-01T00:00:00Z"), true},
		{"DateGreaterThanEquals fractional", "DateGreaterThanEquals", "aws:CurrentTime", []string{"2019-01-01T00:00:00.5Z"}, ctx("aws:CurrentTime", "2019-01-01T00:00:00Z"), false},
		{"Date request not a date", "DateGreaterThan", "aws:CurrentTime", []string{"2019-01-01"}, ctx("aws:CurrentTime", "now"), false},

		// Bool, BinaryEquals.
		{"Bool true", "Bool", "aws:SecureTransport", []string{"true"}, ctx("aws:SecureTransport", "true"), true},
		{"Bool ignores case", "Bool", "aws:SecureTransport", []string{"True"}, ctx("aws:SecureTransport", "TRUE"), true},
		{"Bool false", "Bool", "aws:SecureTransport", []string{"true"}, ctx("aws:SecureTransport", "false"), false},
		{"Bool absent", "Bool", "aws:SecureTransport", []string{"false"}, nil, false},
		{"BinaryEquals", "BinaryEquals", "aws:SomeBinary", []string{"QmluYXJ5"}, ctx("aws:SomeBinary", "QmluYXJ5"), true},

		// IP addresses.
		{"IpAddress in CIDR", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "203.0.113.9"), true},
		{"IpAddress outside", "IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "203.0.114.9"), false},
		{"IpAddress single address", "IpAddress", "aws:SourceIp", []string{"198.51.100.7"}, ctx("aws:SourceIp", "198.51.100.7"), true},
		{"IpAddress unmasked CIDR", "IpAddress", "aws:SourceIp", []string{"10.1.2.3/8"}, ctx("aws:SourceIp", "10.200.0.1"), true},
		{"IpAddress IPv6", "IpAddress", "aws:SourceIp", []string{"2001:db8::/32"}, ctx("aws:SourceIp", "2001:db8:1::5"), true},
		{"IpAddress IPv4-mapped request", "IpAddress", "aws:SourceIp", []string{"192.0.2.0/24"}, ctx("aws:SourceIp", "::ffff:192.0.2.1"), true},
		{"IpAddress IPv4-mapped policy", "IpAddress", "aws:SourceIp", []string{"::ffff:192.0.2.0/120"}, ctx("aws:SourceIp", "192.0.2.1"), true},
		{"IpAddress request not an IP", "IpAddress", "aws:SourceIp", []string{"0.0.0.0/0"}, ctx("aws:SourceIp", "example.com"), false},
		{"NotIpAddress outside", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "192.0.2.1"), true},
		{"NotIpAddress inside", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, ctx("aws:SourceIp", "203.0.113.1"), false},
		{"NotIpAddress absent holds", "NotIpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}, nil, true},

		// ARNs.
		{"ArnEquals", "ArnEquals", "aws:SourceArn", []string{"arn:aws:sns:us-east-1:123456789012:topic"}, ctx("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic"), true},
		{"ArnLike component wildcard", "ArnLike", "aws:SourceArn", []string{"arn:aws:sqs:*:123456789012:queue-*"}, ctx("aws:SourceArn", "arn:aws:sqs:eu-west-1:123456789012:queue-1"), true},
		{"ArnLike wildcard does not span colons", "ArnLike", "aws:SourceArn", []string{"arn:aws:*:::x"}, ctx("aws:SourceArn", "arn:aws:s3:r:::x"), false},
		{"ArnLike case-sensitive", "ArnLike", "aws:SourceArn", []string{"arn:aws:iam::*:user/Bob"}, ctx("aws:SourceArn", "arn:aws:iam::1:user/bob"), false},
		{"ArnLike star value", "ArnLike", "aws:SourceArn", []string{"*"}, ctx("aws:SourceArn", "arn:aws:iam::1:user/bob"), true},
		{"ArnLike request not an ARN", "ArnLike", "aws:SourceArn", []string{"arn:*:*:*:*:*"}, ctx("aws:SourceArn", "bob"), false},
		{"ArnNotLike", "ArnNotLike", "aws:SourceArn", []string{"arn:aws:sqs:*:*:*"}, ctx("aws:SourceArn", "arn:aws:sns:r:1:t"), true},
		{"ArnNotEquals listed", "ArnNotEquals", "aws:SourceArn", []string{"arn:aws:sns:r:1:t"}, ctx("aws:SourceArn", "arn:aws:sns:r:1:t"), false},
		{"ArnLike variable", "ArnLike", "aws:PrincipalArn", []string{"arn:aws:iam::*:user/${aws:username}"}, ctx("aws:PrincipalArn", "arn:aws:iam::1:user/bob", "aws:username", "bob"), true},

		// Null.
		{"Null true absent", "Null", "aws:TokenIssueTime", []string{"true"}, nil, true},
		{"Null true present", "Null", "aws:TokenIssueTime", []string{"true"}, ctx("aws:TokenIssueTime", "x"), false},
		{"Null false present", "Null", "aws:TokenIssueTime", []string{"false"}, ctx("aws:TokenIssueTime", "x"), true},
		{"Null false absent", "Null", "aws:TokenIssueTime", []string{"false"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.op, tt.key, tt.values, true)
			if got := c.Match(tt.ctx); got != tt.want {
				t.Errorf("%s {%s: %q} on %v = %v, want %v", tt.op, tt.key, tt.values, tt.ctx, got, tt.want)
			}
			if c.Operator() != tt.op || c.Key() != tt.key || !slices.Equal(c.Values(), tt.values) {
				t.Errorf("condition reads back as %s %s %q", c.Operator(), c.Key(), c.Values())
			}
		})
	}
}

func TestNewVariablesDisabled(t *testing.T) {
	c := mustNew(t, "StringEquals", "s3:prefix", []string{"${aws:username}"}, false)
	if !c.Match(ctx("s3:prefix", "${aws:username}", "aws:username", "alice")) {
		t.Error("without variables ${aws:username} is literal text")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name, op, key string
		values        []string
		want          string
	}{
		{"unknown operator", "StringEqualz", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"unknown qualifier", "ForEachValue:StringEquals", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"qualifier alone", "ForAnyValue:", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"qualifier with two colons", "ForAnyValue::StringEqualsIfExists", "a", []string{"asf"}, "Syntax errors in policy."},
		{"IfExists alone", "IfExists", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"double IfExists", "StringEqualsIfExistsIfExists", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"lowercase operator", "stringequals", "aws:username", []string{"a"}, "Syntax errors in policy."},
		{"bad number", "NumericEquals", "s3:max-keys", []string{"0x10"}, `Invalid value "0x10" for condition NumericEquals on key s3:max-keys.`},
		{"infinity", "NumericEquals", "s3:max-keys", []string{"Inf"}, `Invalid value "Inf" for condition NumericEquals on key s3:max-keys.`},
		{"bad exponent", "NumericEquals", "s3:max-keys", []string{"1e"}, `Invalid value "1e" for condition NumericEquals on key s3:max-keys.`},
		{"bad date", "DateLessThan", "aws:CurrentTime", []string{"2020-13-01"}, "The policy failed legacy parsing"},
		{"date not a date", "DateGreaterThan", "a", []string{"sdfdsf"}, "The policy failed legacy parsing"},
		{"bad bool", "Bool", "aws:SecureTransport", []string{"1"}, `Invalid value "1" for condition Bool on key aws:SecureTransport.`},
		{"bad ip", "IpAddress", "aws:SourceIp", []string{"10.0.0.0/33"}, `Invalid value "10.0.0.0/33" for condition IpAddress on key aws:SourceIp.`},
		{"ip zone", "IpAddress", "aws:SourceIp", []string{"fe80::1%eth0"}, `Invalid value "fe80::1%eth0" for condition IpAddress on key aws:SourceIp.`},
		{"bad null", "Null", "aws:TokenIssueTime", []string{"yes"}, `Invalid value "yes" for condition Null on key aws:TokenIssueTime.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.op, tt.key, tt.values, true)
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != "MalformedPolicyDocument" {
				t.Fatalf("New = %v, want MalformedPolicyDocument", err)
			}
			if ae.Message != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", ae.Message, tt.want)
			}
		})
	}
}

// TestEveryOperatorVariant builds each operator with IfExists and both
// qualifiers, so that the table cannot drift from what New accepts.
func TestEveryOperatorVariant(t *testing.T) {
	valueFor := map[string]string{
		"Numeric": "1", "Date": "2020-01-01", "Bool": "true", "Binary": "QQ==", "IpAddress": "10.0.0.0/8", "NotIpAddress": "10.0.0.0/8",
	}
	ops := Operators()
	if len(ops) != 27 {
		t.Errorf("%d operators: %v", len(ops), ops)
	}
	for _, base := range ops {
		value := "x"
		for prefix, v := range valueFor {
			if len(base) >= len(prefix) && base[:len(prefix)] == prefix {
				value = v
			}
		}
		if base == "Null" {
			value = "true"
		}
		variants := []string{base, base + "IfExists", "ForAllValues:" + base, "ForAnyValue:" + base + "IfExists"}
		for _, op := range variants {
			if _, err := New(op, "aws:key", []string{value}, true); err != nil {
				t.Errorf("New(%s, %q): %v", op, value, err)
			}
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		op       string
		base     string
		set      Set
		ifExists bool
		known    bool
	}{
		{"StringEquals", "StringEquals", Single, false, true},
		{"StringEqualsIfExists", "StringEquals", Single, true, true},
		{"ForAnyValue:StringLikeIfExists", "StringLike", ForAnyValue, true, true},
		{"ForAllValues:ArnLike", "ArnLike", ForAllValues, false, true},
		{"NullIfExists", "Null", Single, true, true},
		{"ForAnyValue:Null", "Null", ForAnyValue, false, true},
		{"ForAnyValue::StringEqualsIfExists", ":StringEquals", ForAnyValue, true, false},
		{"ForAnyValue:ForAllValues:StringEquals", "ForAllValues:StringEquals", ForAnyValue, false, false},
		{"StringEqualsIfExistsIfExists", "StringEqualsIfExists", Single, true, false},
		{"foranyvalue:StringEquals", "foranyvalue:StringEquals", Single, false, false},
		{"x", "x", Single, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			base, set, ifExists, known := Split(tt.op)
			if base != tt.base || set != tt.set || ifExists != tt.ifExists || known != tt.known {
				t.Errorf("Split(%q) = %q, %v, %v, %v; want %q, %v, %v, %v", tt.op, base, set, ifExists, known, tt.base, tt.set, tt.ifExists, tt.known)
			}
		})
	}
}

// TestParseDate: the accepted and refused values are those of moto's IAM
// policy tests, which were checked against AWS (see ParseDate), plus the
// forms Latchkey's own request context uses.
func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	accepted := []struct {
		value string
		want  time.Time
	}{
		{"2017-07-01T00:00:00Z", utc(2017, 7, 1, 0, 0, 0, 0)},
		{"2019-07-01T13:20:15Z", utc(2019, 7, 1, 13, 20, 15, 0)},
		{"2016-12-13T21:20:37.593194+00:00", utc(2016, 12, 13, 21, 20, 37, 593194000)},
		{"2016-12-13t2:00:00.593194+23", utc(2016, 12, 12, 3, 0, 0, 593194000)},
		{"2030-01-01T00:00:00+02:00", utc(2029, 12, 31, 22, 0, 0, 0)},
		{"2030-01-01T00:00:00+02:30", utc(2029, 12, 31, 21, 30, 0, 0)},
		{"2030-01-01T00:00:00-05:00", utc(2030, 1, 1, 5, 0, 0, 0)},
		{"2020-01-01T00:00:00.123Z", utc(2020, 1, 1, 0, 0, 0, 123000000)},
		{"2019-01-01", utc(2019, 1, 1, 0, 0, 0, 0)},
		{"01T", utc(1, 1, 1, 0, 0, 0, 0)},
		{"-292275054", utc(-292275054, 1, 1, 0, 0, 0, 0)},
		{"-1", utc(-1, 1, 1, 0, 0, 0, 0)}, // a year, since it holds a -
		{"1700000000", time.Unix(1700000000, 0).UTC()},
		{"0", time.Unix(0, 0).UTC()},
		{"9223372036854775807", time.Unix(epochClamp, 0).UTC()},
	}
	for _, tt := range accepted {
		t.Run("accepts "+tt.value, func(t *testing.T) {
			got, ok := ParseDate(tt.value)
			if !ok || !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.value, got, ok, tt.want)
			}
		})
	}
	for _, v := range []string{
		"sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1", "2016-12-13t2:00:00.1999999999+10:59",
		"9223372036854775808", "yesterday", "2020-13-01", "2020-01-32", "2020-01-01T24:00:00Z",
		"2020-01-01T10:60", "2020-01-01T10:00:60Z", "2020-01-01T10:00:00Zx", "2020-01-01-01",
		"1.5", "", "292278994-01-01", "2020-01-01T10:00:00+24",
	} {
		t.Run("refuses "+v, func(t *testing.T) {
			if got, ok := ParseDate(v); ok {
				t.Errorf("ParseDate(%q) = %v, want a refusal", v, got)
			}
		})
	}
}

// TestEmptyValues: IAM accepts a key with no values ({"a": []}); no request
// value satisfies such a condition, so a positive operator fails and a
// negated one holds.
func TestEmptyValues(t *testing.T) {
	present := ctx("aws:username", "alice")
	tests := []struct {
		op   string
		ctx  map[string][]string
		want bool
	}{
		{"StringEquals", present, false},
		{"StringNotEquals", present, true},
		{"StringEqualsIfExists", nil, true},
		{"DateGreaterThan", ctx("aws:username", "2020-01-01"), false},
		{"ForAllValues:StringEquals", present, false},
		{"ForAnyValue:StringEquals", present, false},
		{"Null", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			c := mustNew(t, tt.op, "aws:username", []string{}, true)
			if got := c.Match(tt.ctx); got != tt.want {
				t.Errorf("%s with no values on %v = %v, want %v", tt.op, tt.ctx, got, tt.want)
			}
		})
	}
}

func TestNullQualifiersIgnored(t *testing.T) {
	for _, op := range []string{"NullIfExists", "ForAnyValue:Null", "ForAllValues:NullIfExists"} {
		t.Run(op, func(t *testing.T) {
			c := mustNew(t, op, "aws:TokenIssueTime", []string{"true"}, true)
			if !c.Match(nil) || c.Match(ctx("aws:TokenIssueTime", "x")) {
				t.Errorf("%s does not evaluate as Null", op)
			}
		})
	}
}

func TestKeyWithoutVendor(t *testing.T) {
	c := mustNew(t, "StringEqualsIfExists", "a", []string{"asf"}, true)
	if !c.Match(ctx("A", "asf")) || c.Match(ctx("a", "other")) {
		t.Error("a key without a vendor prefix is an ordinary key")
	}
}
