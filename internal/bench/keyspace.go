package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"iter"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// keyspace names the users and keys of a bulk-loaded data dir. Everything
// is derived from a seed and an index, so the bench can sign with any of
// millions of keys without holding their secrets in memory: user i is
// "user-%08d" (list order is index order) and owns keys 2i and 2i+1; ids
// and secrets look like AWS's and are spread at random over the key space
// as real ones are.
type keyspace struct {
	seed  []byte
	users int
}

func (k keyspace) mac(kind string, i int) []byte {
	m := hmac.New(sha256.New, k.seed)
	m.Write([]byte(kind))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	m.Write(b[:])
	return m.Sum(nil)
}

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

func userName(i int) string { return fmt.Sprintf("user-%08d", i) }

func (k keyspace) userID(i int) string {
	return "AIDA" + base32NoPad.EncodeToString(k.mac("user", i)[:11])[:17]
}

func (k keyspace) keyID(j int) string {
	return "AKIA" + base32NoPad.EncodeToString(k.mac("key", j)[:10])
}

func (k keyspace) creds(j int) Creds {
	return Creds{AccessKeyID: k.keyID(j), SecretAccessKey: base64.StdEncoding.EncodeToString(k.mac("secret", j)[:30])}
}

// bulkUsers yields the users and keys to load, secrets sealed under mk.
// Users come in a scrambled order, as a real account's are created, not in
// name order: loading them sorted would lay the table out in list order and
// flatter ListUsers.
func (k keyspace) bulkUsers(mk *secret.MasterKey, created time.Time) iter.Seq[sqlstore.BulkUser] {
	// i -> i*stride mod n is a permutation when stride and n are coprime,
	// which two distinct primes guarantee for one of them.
	stride := 1_000_003
	if k.users%stride == 0 {
		stride = 999_983
	}
	return func(yield func(sqlstore.BulkUser) bool) {
		for n := range k.users {
			i := int(int64(n) * int64(stride) % int64(k.users))
			bu := sqlstore.BulkUser{User: store.User{AccountID: AccountID, ID: k.userID(i), Name: userName(i), Path: "/", CreatedAt: created}}
			for j := 2 * i; j < 2*i+2; j++ {
				c := k.creds(j)
				bu.Keys = append(bu.Keys, store.AccessKey{ID: c.AccessKeyID, Status: store.StatusActive, CreatedAt: created,
					SecretCiphertext: mk.Seal([]byte(c.SecretAccessKey), []byte(c.AccessKeyID)), MasterKeyID: mk.ID()})
			}
			if !yield(bu) {
				return
			}
		}
	}
}
