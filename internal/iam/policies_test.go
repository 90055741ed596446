package iam

import (
	"net/url"
	"testing"
)

func TestURLEncodeDocument(t *testing.T) {
	for _, doc := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
		"{\n  \"a\": \"b c+d/e?f&g=h%i~j\u00e9\"\n}",
	} {
		enc := URLEncodeDocument(doc)
		for _, dec := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
			if got, err := dec(enc); err != nil || got != doc {
				t.Fatalf("%q decodes to %q (%v)", enc, got, err)
			}
		}
	}
}
