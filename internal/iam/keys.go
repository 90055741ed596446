package iam

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// NewAccessKey generates a key id and secret and seals the secret under mk.
// It returns the key to store and the plaintext secret, which must go to
// the client once and nowhere else.
func NewAccessKey(mk *secret.MasterKey, created store.AccessKey) (store.AccessKey, string) {
	k := created
	k.ID = secret.NewAccessKeyID()
	plain := secret.NewSecretAccessKey()
	k.SecretCiphertext = mk.Seal([]byte(plain), []byte(k.ID))
	k.MasterKeyID = mk.ID()
	if k.Status == "" {
		k.Status = store.StatusActive
	}
	return k, plain
}

func (s *Service) createAccessKey(ctx context.Context, r *op.Request) (any, error) {
	owner, err := ownerName(r)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		k, plain := NewAccessKey(s.Keys.Primary(), store.AccessKey{CreatedAt: s.now()})
		stored, err := s.Store.CreateAccessKey(ctx, r.Caller.AccountID, owner, k)
		switch {
		case err == nil:
			return createAccessKeyResult{AccessKey: XMLAccessKey{
				UserName:        stored.UserName,
				AccessKeyID:     stored.ID,
				Status:          stored.Status,
				SecretAccessKey: plain,
				CreateDate:      TimestampPtr(stored.CreatedAt),
			}}, nil
		case errors.Is(err, store.ErrLimitExceeded):
			return nil, awserr.LimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", store.MaxAccessKeys)
		case errors.Is(err, store.ErrAlreadyExists) && attempt < 3:
			continue // a key id collision: draw again
		case errors.Is(err, store.ErrStaleMasterKey) && attempt < 3:
			// The master key was rotated by another process: seal with
			// the store's current key (the key file holds it, rotated in
			// place or added to this server's copy beforehand).
			current, err := s.Store.GetMeta(ctx, store.MetaMasterKeyID)
			if err != nil {
				return nil, storeErr(err)
			}
			s.Keys.Follow(current)
			continue
		default:
			return nil, storeErr(err)
		}
	}
}

func (s *Service) listAccessKeys(ctx context.Context, r *op.Request) (any, error) {
	owner, err := ownerName(r)
	if err != nil {
		return nil, err
	}
	keys, err := s.Store.ListAccessKeys(ctx, r.Caller.AccountID, owner)
	if err != nil {
		return nil, storeErr(err)
	}
	meta := make([]XMLAccessKeyMetadata, len(keys))
	for i, k := range keys {
		meta[i] = XMLAccessKeyMetadata{UserName: k.UserName, AccessKeyID: k.ID, Status: k.Status, CreateDate: TimestampPtr(k.CreatedAt)}
	}
	page, truncated, marker, err := pageSlice(r, "keys", meta)
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{AccessKeyMetadata: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) updateAccessKey(ctx context.Context, r *op.Request) (any, error) {
	owner, err := ownerName(r)
	if err != nil {
		return nil, err
	}
	id := r.Input.String("AccessKeyId")
	if r.Input.String("Status") == store.StatusExpired {
		return nil, awserr.ValidationError("Status %s is given by the account's key policy, not by UpdateAccessKey.", store.StatusExpired)
	}
	err = s.Store.UpdateAccessKeyStatus(ctx, r.Caller.AccountID, owner, id, r.Input.String("Status"))
	if errors.Is(err, store.ErrKeyExpired) {
		return nil, awserr.ValidationError("The access key %s is expired under the account's key policy and cannot be made Active or Inactive again; delete it and create another.", id)
	}
	return nil, storeErr(err)
}

func (s *Service) deleteAccessKey(ctx context.Context, r *op.Request) (any, error) {
	owner, err := ownerName(r)
	if err != nil {
		return nil, err
	}
	return nil, storeErr(s.Store.DeleteAccessKey(ctx, r.Caller.AccountID, owner, r.Input.String("AccessKeyId")))
}

// getAccessKeyLastUsed answers for any key of the caller's account. A key
// never used has no date and "N/A" for service and region, as in AWS. Uses
// not yet flushed to the store are included, so the answer is current.
func (s *Service) getAccessKeyLastUsed(ctx context.Context, r *op.Request) (any, error) {
	id := r.Input.String("AccessKeyId")
	k, err := s.Store.GetAccessKey(ctx, id)
	if err != nil || k.AccountID != r.Caller.AccountID {
		return nil, noSuchKey(id)
	}
	last := s.lastUsed(k)
	res := getAccessKeyLastUsedResult{UserName: k.UserName, AccessKeyLastUsed: accessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}
	if k.UserID == "" {
		res.UserName = "root"
	}
	if last != nil {
		res.AccessKeyLastUsed = accessKeyLastUsed{LastUsedDate: TimestampPtr(last.Time), ServiceName: last.Service, Region: last.Region}
	}
	return res, nil
}

// lastUsed is when and where k was last used: as stored, or a use not yet
// flushed to the store when that is newer.
func (s *Service) lastUsed(k store.AccessKey) *store.LastUsed {
	last := k.LastUsed
	if s.LastUsed != nil {
		if p, ok := s.LastUsed.Pending(k.ID); ok && (last == nil || p.Time.After(last.Time)) {
			last = &p
		}
	}
	return last
}
