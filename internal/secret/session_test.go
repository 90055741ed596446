package secret

import (
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sessionKeyring(t *testing.T) *Keyring {
	t.Helper()
	k, err := CreateKeyring(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSession() Session {
	return Session{AccountID: "123456789012", AccessKeyID: NewTemporaryAccessKeyID(), Secret: NewSecretAccessKey(), Kind: "role", ID: NewRoleID(),
		Name: "deploy", Path: "/ci/", SessionName: "job-42", IssuedAt: 1_800_000_000, Expiration: 1_800_003_600,
		Policy:     `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		PolicyARNs: []string{"arn:aws:iam::123456789012:policy/p"}, Tags: map[string]string{"team": "a"}, TransitiveTags: []string{"team"}, SourceIdentity: "alice"}
}

func TestSessionRoundTrip(t *testing.T) {
	k := sessionKeyring(t)
	s := testSession()
	token, err := SealSession(k.Primary(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "LKS1."+k.Primary().ID()+".") || strings.Contains(token, s.Secret) || strings.Contains(token, "deploy") {
		t.Fatalf("token %q shows its contents", token)
	}
	got, err := OpenSession(k.Primary(), token, s.AccessKeyID)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("OpenSession = %+v, %v; want %+v", got, err, s)
	}
	if got.Expired(time.Unix(s.Expiration-1, 0)) || !got.Expired(time.Unix(s.Expiration, 0)) {
		t.Fatal("Expired is off by its bound")
	}
	t.Logf("token length %d", len(token))
}

// TestSessionRefusesTampering: a token opens only whole, under the key that
// sealed it, with the access key id it was issued for.
func TestSessionRefusesTampering(t *testing.T) {
	k := sessionKeyring(t)
	s := testSession()
	token, err := SealSession(k.Primary(), s)
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what, tok, keyID string) {
		t.Helper()
		if _, err := OpenSession(k.Primary(), tok, keyID); !errors.Is(err, ErrBadToken) {
			t.Fatalf("%s: OpenSession = %v, want ErrBadToken", what, err)
		}
	}
	for i := 0; i < len(token); i++ {
		for _, c := range []byte{'A', '_', '.', 0} {
			if token[i] == c {
				continue
			}
			b := []byte(token)
			b[i] = c
			refused("byte "+strconv.Itoa(i), string(b), s.AccessKeyID)
		}
	}
	refused("truncated", token[:len(token)-1], s.AccessKeyID)
	refused("line break inside", token[:40]+"\n"+token[40:], s.AccessKeyID)
	refused("trailing line break", token+"\r\n", s.AccessKeyID)
	refused("extended", token+"A", s.AccessKeyID)
	refused("empty", "", s.AccessKeyID)
	refused("another key id", token, NewTemporaryAccessKeyID())
	other := sessionKeyring(t)
	foreign, _ := SealSession(other.Primary(), s)
	refused("sealed under another session key", foreign, s.AccessKeyID)
	refused("unknown key id", "LKS1.0123456789abcdef."+strings.SplitN(token, ".", 3)[2], s.AccessKeyID)
}

func FuzzOpenSession(f *testing.F) {
	k, err := CreateKeyring(filepath.Join(f.TempDir(), "master.key"))
	if err != nil {
		f.Fatal(err)
	}
	s := testSession()
	token, _ := SealSession(k.Primary(), s)
	f.Add(token, s.AccessKeyID)
	f.Add("LKS1..", "ASIA")
	f.Add("LKS1."+k.Primary().ID()+".AAAA", s.AccessKeyID)
	f.Fuzz(func(t *testing.T, tok, keyID string) {
		got, err := OpenSession(k.Primary(), tok, keyID)
		if err == nil && (tok != token || !reflect.DeepEqual(got, s)) {
			t.Fatalf("a forged token opened: %q", tok)
		}
	})
}

// TestTemporaryKeyIDCarriesAccount: a session's key id carries its account
// as AWS's do, readable by AWS's decoding.
func TestTemporaryKeyIDCarriesAccount(t *testing.T) {
	for _, account := range []string{"123456789012", "000000000001", "999999999999"} {
		id := NewTemporaryAccessKeyID(account)
		if len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
			t.Fatalf("key id %q", id)
		}
		if got, ok := AccountOfTemporaryKeyID(id); !ok || got != account {
			t.Fatalf("account of %s = %q, %v; want %s", id, got, ok, account)
		}
	}
	// AWS's published example (docs "GetAccessKeyInfo"): ASIAQNZGKIQY56JQ7WML
	// belongs to 029608264753.
	if got, ok := AccountOfTemporaryKeyID("ASIAQNZGKIQY56JQ7WML"); !ok || got != "029608264753" {
		t.Fatalf("AWS's example decodes to %q, %v", got, ok)
	}
	for _, bad := range []string{"AKIAIOSFODNN7EXAMPLE", "ASIA", "ASIA0000000000000000", "ASIAAAAAAAAAAAAAAAAAAA"} {
		if got, ok := AccountOfTemporaryKeyID(bad); ok {
			t.Fatalf("%q decoded to %s", bad, got)
		}
	}
}
