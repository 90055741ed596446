package iam

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/store"
)

// Account aliases. An account has one alias at most and an alias is unique
// across accounts, as in AWS. AWS does not refuse a second alias: creating
// one replaces the account's (AWS Sign-In User Guide: "the new alias
// overwrites the previous alias"). An alias already held, by this account
// or another, is EntityAlreadyExists worded as AWS words it ("The account
// alias NAME already exists."). The alias's form is the model's pattern,
// checked before the handler. DeleteAccountAlias of an alias the account
// does not hold is NoSuchEntity (the message is Latchkey's own).

type listAccountAliasesResult struct {
	AccountAliases Members[string] `xml:"AccountAliases"`
	IsTruncated    bool            `xml:"IsTruncated"`
	Marker         string          `xml:"Marker,omitempty"`
}

func (s *Service) createAccountAlias(ctx context.Context, r *op.Request) (any, error) {
	alias := r.Input.String("AccountAlias")
	err := s.Store.CreateAccountAlias(ctx, r.Caller.AccountID, alias)
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, awserr.EntityAlreadyExists("The account alias %s already exists.", alias)
	}
	return nil, storeErr(err)
}

func (s *Service) deleteAccountAlias(ctx context.Context, r *op.Request) (any, error) {
	alias := r.Input.String("AccountAlias")
	err := s.Store.DeleteAccountAlias(ctx, r.Caller.AccountID, alias)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.NoSuchEntity("The account alias %s cannot be found.", alias)
	}
	return nil, storeErr(err)
}

// listAccountAliases pages as every IAM list does; with one alias at most
// it is never truncated unless MaxItems asks for less than it holds.
func (s *Service) listAccountAliases(ctx context.Context, r *op.Request) (any, error) {
	list, err := s.Store.ListAccountAliases(ctx, r.Caller.AccountID)
	if err != nil {
		return nil, storeErr(err)
	}
	page, truncated, marker, err := pageSlice(r, "aliases", list)
	if err != nil {
		return nil, err
	}
	return listAccountAliasesResult{AccountAliases: nonNil(page), IsTruncated: truncated, Marker: marker}, nil
}
