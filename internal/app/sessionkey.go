package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// metaSessionKey holds the key session tokens are sealed under, sealed
// under the master key: "MASTERKEYID:" + base64 of the sealed key.
const metaSessionKey = "session_token_key"

// sessionKey returns the data dir's session key, generating it the first
// time. Kept in the store rather than derived from the master key, it
// outlives master-key rotations (which re-seal it, resealSessionKey) and
// restarts, so live sessions keep working until they expire.
func sessionKey(ctx context.Context, st store.Meta, keys *secret.Keyring) (*secret.MasterKey, error) {
	v, err := st.GetMeta(ctx, metaSessionKey)
	if errors.Is(err, store.ErrNotFound) {
		// Of nodes starting together, the first one's key is everyone's.
		sk, err := secret.NewRandomMasterKey()
		if err != nil {
			return nil, err
		}
		if v, err = st.InitMeta(ctx, metaSessionKey, sealedSessionKey(keys.Primary(), sk)); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return openSessionKey(keys, v)
}

func sealedSessionKey(mk, sk *secret.MasterKey) string {
	return mk.ID() + ":" + base64.StdEncoding.EncodeToString(mk.SealKey(sk, []byte(metaSessionKey)))
}

func openSessionKey(keys *secret.Keyring, v string) (*secret.MasterKey, error) {
	mkID, sealed, ok := strings.Cut(v, ":")
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if !ok || err != nil {
		return nil, fmt.Errorf("integrity: the stored session key is malformed")
	}
	plain, err := keys.Open(mkID, raw, []byte(metaSessionKey))
	if err != nil {
		return nil, fmt.Errorf("open the session key: %w", err)
	}
	return secret.NewMasterKey(plain)
}

// resealSessionKey re-seals the stored session key under next, during a
// master-key rotation.
func resealSessionKey(ctx context.Context, st store.Meta, keys *secret.Keyring, next *secret.MasterKey) error {
	v, err := st.GetMeta(ctx, metaSessionKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	sk, err := openSessionKey(keys, v)
	if err != nil {
		return err
	}
	return st.PutMeta(ctx, metaSessionKey, sealedSessionKey(next, sk))
}
