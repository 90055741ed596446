package condition

import (
	"errors"
	"slices"
	"testing"

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
		{"unknown operator", "StringEqualz", "aws:username", []string{"a"}, "Invalid Condition type : StringEqualz"},
		{"unknown qualifier", "ForEachValue:StringEquals", "aws:username", []string{"a"}, "Invalid Condition type : ForEachValue:StringEquals"},
		{"qualifier alone", "ForAnyValue:", "aws:username", []string{"a"}, "Invalid Condition type : ForAnyValue:"},
		{"IfExists alone", "IfExists", "aws:username", []string{"a"}, "Invalid Condition type : IfExists"},
		{"double IfExists", "StringEqualsIfExistsIfExists", "aws:username", []string{"a"}, "Invalid Condition type : StringEqualsIfExistsIfExists"},
		{"NullIfExists", "NullIfExists", "aws:username", []string{"true"}, "Invalid Condition type : NullIfExists"},
		{"qualified Null", "ForAllValues:Null", "aws:username", []string{"true"}, "Invalid Condition type : ForAllValues:Null"},
		{"key without vendor", "StringEquals", "username", []string{"a"}, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"key with empty name", "StringEquals", "aws:", []string{"a"}, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"no values", "StringEquals", "aws:username", nil, "Syntax errors in policy."},
		{"bad number", "NumericEquals", "s3:max-keys", []string{"0x10"}, `Invalid value "0x10" for condition NumericEquals on key s3:max-keys.`},
		{"infinity", "NumericEquals", "s3:max-keys", []string{"Inf"}, `Invalid value "Inf" for condition NumericEquals on key s3:max-keys.`},
		{"bad exponent", "NumericEquals", "s3:max-keys", []string{"1e"}, `Invalid value "1e" for condition NumericEquals on key s3:max-keys.`},
		{"bad date", "DateLessThan", "aws:CurrentTime", []string{"2020-13-01"}, `Invalid value "2020-13-01" for condition DateLessThan on key aws:CurrentTime.`},
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
		variants := []string{base}
		if base != "Null" {
			variants = append(variants, base+"IfExists", "ForAllValues:"+base, "ForAnyValue:"+base+"IfExists")
		} else {
			value = "true"
		}
		for _, op := range variants {
			if _, err := New(op, "aws:key", []string{value}, true); err != nil {
				t.Errorf("New(%s, %q): %v", op, value, err)
			}
		}
	}
}
