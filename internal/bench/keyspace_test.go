package bench

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
)

func TestKeyspace(t *testing.T) {
	mk, err := secret.NewMasterKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var (
		keyID  = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
		userID = regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`)
		secret = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	)
	for _, n := range []int{1, 7, 1000, 4321} {
		ks := keyspace{seed: []byte("seed"), users: n}
		seen := make(map[string]bool, n)
		inOrder := true
		k := 0
		for bu := range ks.bulkUsers(mk, time.Now()) {
			if bu.User.Name != userName(k) {
				inOrder = false
			}
			k++
			if seen[bu.User.Name] {
				t.Fatalf("n=%d: %s twice", n, bu.User.Name)
			}
			seen[bu.User.Name] = true
			if !userID.MatchString(bu.User.ID) || len(bu.Keys) != 2 {
				t.Fatalf("n=%d: user %+v", n, bu.User)
			}
			i, _ := strconv.Atoi(bu.User.Name[len("user-"):])
			for j, key := range bu.Keys {
				if !keyID.MatchString(key.ID) || key.ID != ks.keyID(2*i+j) {
					t.Fatalf("%s: key %d is %q, want %q", bu.User.Name, j, key.ID, ks.keyID(2*i+j))
				}
				plain, err := mk.Open(key.SecretCiphertext, []byte(key.ID))
				if err != nil || string(plain) != ks.creds(2*i+j).SecretAccessKey {
					t.Fatalf("%s: sealed secret does not open to the derived one: %v", bu.User.Name, err)
				}
			}
		}
		if len(seen) != n {
			t.Fatalf("n=%d: %d distinct users", n, len(seen))
		}
		if n > 7 && inOrder {
			t.Errorf("n=%d: users come in name order; want a scrambled order", n)
		}
		c := ks.creds(2*n - 1)
		if !keyID.MatchString(c.AccessKeyID) || !secret.MatchString(c.SecretAccessKey) {
			t.Fatalf("creds %+v", c)
		}
	}
}
