package app

import (
	"context"
	"fmt"

	"github.com/latchkey/latchkey/internal/secret"
)

// RotationReport says what a master key rotation did.
type RotationReport struct {
	OldKeyID string `json:"OldMasterKeyId"`
	NewKeyID string `json:"NewMasterKeyId"`
	Resealed int    `json:"SecretsResealed"`
	Batches  int    `json:"Batches"`
	KeyFile  string `json:"MasterKeyFile"`
}

// rotationBatch is how many secrets one pass re-seals.
const rotationBatch = 500

// RotateMasterKey replaces the data dir's master key with next, online:
// a running server keeps authenticating every key throughout.
//
//  1. The key file becomes [next, old…]: a server that meets a secret
//     sealed with next reloads the file and finds it.
//  2. next becomes the data dir's current key; from then on the store
//     refuses secrets sealed with any other key, and servers still sealing
//     with the old one reload and seal again.
//  3. Every secret still sealed with another key is re-sealed with next,
//     in batches, each a compare-and-swap on the key it was sealed with;
//     then the session key, so live sessions outlive the old key.
//  4. The key file becomes [next]: the old key file can be destroyed.
//
// Servers reading copies of the key file rotate without a window when
// next has been added to every copy first (as a later line): step 2 then
// finds it in each, and each seals with it as the store's current key.
func (d *Data) RotateMasterKey(ctx context.Context, next *secret.MasterKey) (RotationReport, error) {
	old := d.Keys.Primary()
	rep := RotationReport{OldKeyID: old.ID(), NewKeyID: next.ID(), KeyFile: d.Keys.Path()}
	if next.ID() == old.ID() {
		return rep, fmt.Errorf("the new master key is the current one")
	}
	if err := secret.WriteKeyringFile(d.Keys.Path(), []*secret.MasterKey{next, old}); err != nil {
		return rep, err
	}
	if err := d.Keys.Reload(); err != nil {
		return rep, err
	}
	if err := setCurrentMasterKey(ctx, d.Store, next); err != nil {
		return rep, err
	}
	d.Keys.Follow(next.ID())
	for {
		batch, err := d.Store.SealedSecrets(ctx, next.ID(), rotationBatch)
		if err != nil {
			return rep, err
		}
		if len(batch) == 0 {
			break
		}
		rep.Batches++
		for _, k := range batch {
			plain, err := d.Keys.Open(k.MasterKeyID, k.SecretCiphertext, []byte(k.ID))
			if err != nil {
				return rep, fmt.Errorf("open secret of %s: %w", k.ID, err)
			}
			ok, err := d.Store.ReplaceSealedSecret(ctx, k.ID, k.MasterKeyID, next.Seal(plain, []byte(k.ID)), next.ID())
			if err != nil {
				return rep, err
			}
			if ok {
				rep.Resealed++
			}
		}
	}
	if err := resealSessionKey(ctx, d.Store, d.Keys, next); err != nil {
		return rep, err
	}
	if err := secret.WriteKeyringFile(d.Keys.Path(), []*secret.MasterKey{next}); err != nil {
		return rep, err
	}
	return rep, d.Keys.Reload()
}
