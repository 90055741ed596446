package iam

import (
	"context"
	"strings"

	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/store"
)

// Inline policies of users and groups: one set of handlers, parameterized
// by the owner's kind (UserName or GroupName).

func ownerParam(kind store.EntityKind) string {
	switch kind {
	case store.KindGroup:
		return "GroupName"
	case store.KindRole:
		return "RoleName"
	}
	return "UserName"
}

// putInlinePolicy validates the document, then lets the store enforce the
// owner's aggregate size quota inside its transaction.
func (s *Service) putInlinePolicy(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		doc := r.Input.String("PolicyDocument")
		if _, err := policy.Parse(doc); err != nil {
			return nil, err
		}
		p := store.InlinePolicy{Owner: r.Input.String(ownerParam(kind)), Name: r.Input.String("PolicyName"), Document: doc, Size: policy.SizeWithoutWhitespace(doc)}
		return nil, storeErr(s.Store.PutInlinePolicy(ctx, r.Caller.AccountID, kind, p))
	}
}

func (s *Service) getInlinePolicy(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		p, err := s.Store.GetInlinePolicy(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)), r.Input.String("PolicyName"))
		if err != nil {
			return nil, storeErr(err)
		}
		switch kind {
		case store.KindGroup:
			return getGroupPolicyResult{GroupName: p.Owner, PolicyName: p.Name, PolicyDocument: URLEncodeDocument(p.Document)}, nil
		case store.KindRole:
			return getRolePolicyResult{RoleName: p.Owner, PolicyName: p.Name, PolicyDocument: URLEncodeDocument(p.Document)}, nil
		}
		return getUserPolicyResult{UserName: p.Owner, PolicyName: p.Name, PolicyDocument: URLEncodeDocument(p.Document)}, nil
	}
}

func (s *Service) listInlinePolicies(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		list, err := s.Store.ListInlinePolicies(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)))
		if err != nil {
			return nil, storeErr(err)
		}
		names := make([]string, len(list))
		for i, p := range list {
			names[i] = p.Name
		}
		page, truncated, marker, err := pageSlice(r, "policies", names)
		if err != nil {
			return nil, err
		}
		return listPolicyNamesResult{PolicyNames: page, IsTruncated: truncated, Marker: marker}, nil
	}
}

func (s *Service) deleteInlinePolicy(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		return nil, storeErr(s.Store.DeleteInlinePolicy(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)), r.Input.String("PolicyName")))
	}
}

// URLEncodeDocument percent-encodes a policy document as AWS returns it:
// every byte but RFC 3986's unreserved characters as %XX, so both
// query-unescaping and path-unescaping clients get the document back intact.
func URLEncodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
