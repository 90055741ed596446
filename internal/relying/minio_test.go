package relying

import (
	"reflect"
	"testing"
)

// TestMinIOContext: MinIO's conditions become condition keys, and those
// about the principal or its credentials are dropped.
func TestMinIOContext(t *testing.T) {
	got := minioContext(map[string][]string{
		"SourceIp": {"10.0.0.1"}, "SecureTransport": {"true"}, "User-Agent": {"mc"}, "CurrentTime": {"2026-06-01T12:00:00Z"},
		"Prefix": {"public/"}, "delimiter": {"/"}, "max-keys": {"10"}, "s3:ExistingObjectTag/team": {"a"},
		"Authorization": {"AWS4-HMAC-SHA256 …"}, "username": {"root"}, "userid": {"x"}, "principaltype": {"Account"},
		"aws:username": {"root"}, "jwt:sub": {"x"}, "ldap:user": {"x"},
	})
	want := map[string][]string{
		"aws:SourceIp": {"10.0.0.1"}, "aws:SecureTransport": {"true"}, "aws:UserAgent": {"mc"}, "aws:CurrentTime": {"2026-06-01T12:00:00Z"},
		"s3:Prefix": {"public/"}, "s3:delimiter": {"/"}, "s3:max-keys": {"10"}, "s3:ExistingObjectTag/team": {"a"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("minioContext = %v\nwant %v", got, want)
	}
}
