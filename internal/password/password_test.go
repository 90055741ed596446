package password

import (
	"errors"
	"strings"
	"testing"
)

// fast keeps the tests quick; Default is checked by one round trip.
var fast = Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Params
	}{{"default", Default}, {"fast", fast}} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Hash("correct horse", tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(h, "$argon2id$v=19$") {
				t.Fatalf("hash %q is not an argon2id PHC string", h)
			}
			ok, err := Verify("correct horse", h)
			if err != nil || !ok {
				t.Fatalf("Verify(right password) = %v, %v", ok, err)
			}
			ok, err = Verify("correct horsE", h)
			if err != nil || ok {
				t.Fatalf("Verify(wrong password) = %v, %v", ok, err)
			}
			p, salt, key, err := Parse(h)
			if err != nil {
				t.Fatal(err)
			}
			if p != tc.p || len(salt) != 16 || len(key) != 32 {
				t.Fatalf("Parse = %+v, %d-byte salt, %d-byte key; want %+v", p, len(salt), len(key), tc.p)
			}
		})
	}
}

func TestSaltsDiffer(t *testing.T) {
	a, _ := Hash("same", fast)
	b, _ := Hash("same", fast)
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestParseParameters(t *testing.T) {
	p, _, _, err := Parse("$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43))
	if err != nil {
		t.Fatal(err)
	}
	if p.Memory != 65536 || p.Time != 3 || p.Threads != 2 || p.SaltLen != 16 || p.KeyLen != 32 {
		t.Fatalf("Parse = %+v", p)
	}
}

func TestMalformed(t *testing.T) {
	good, _ := Hash("x", fast)
	parts := strings.Split(good, "$")
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"version", strings.Replace(good, "v=19", "v=16", 1)},
		{"huge memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5]},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + parts[4] + "$" + parts[5]},
		{"extra field", good + "$x"},
		{"bad base64", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5]},
		{"padded params", "$argon2id$v=19$m=064,t=1,p=1$" + parts[4] + "$" + parts[5]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := Verify("x", tc.hash)
			if ok || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify = %v, %v; want ErrMalformed", ok, err)
			}
		})
	}
}
