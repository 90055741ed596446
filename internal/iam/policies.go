package iam

import (
	"context"
	"strings"

	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/store"
)

func (s *Service) putUserPolicy(ctx context.Context, r *op.Request) (any, error) {
	doc, name, user := r.Input.String("PolicyDocument"), r.Input.String("PolicyName"), r.Input.String("UserName")
	if _, err := policy.Parse(doc); err != nil {
		return nil, err
	}
	// AWS's quota covers the user's inline policies together, the new one
	// replacing any of the same name.
	existing, err := s.Store.ListUserPolicies(ctx, r.Caller.AccountID, user)
	if err != nil {
		return nil, storeErr(err)
	}
	docs := []string{doc}
	for _, p := range existing {
		if !strings.EqualFold(p.Name, name) {
			docs = append(docs, p.Document)
		}
	}
	if err := policy.CheckUserInlinePolicySize(existingName(existing, user), docs...); err != nil {
		return nil, err
	}
	return nil, storeErr(s.Store.PutUserPolicy(ctx, r.Caller.AccountID, store.UserPolicy{UserName: user, Name: name, Document: doc}))
}

// existingName is the user's name as stored when known.
func existingName(list []store.UserPolicy, asked string) string {
	if len(list) > 0 {
		return list[0].UserName
	}
	return asked
}

func (s *Service) getUserPolicy(ctx context.Context, r *op.Request) (any, error) {
	p, err := s.Store.GetUserPolicy(ctx, r.Caller.AccountID, r.Input.String("UserName"), r.Input.String("PolicyName"))
	if err != nil {
		return nil, storeErr(err)
	}
	return getUserPolicyResult{UserName: p.UserName, PolicyName: p.Name, PolicyDocument: URLEncodeDocument(p.Document)}, nil
}

func (s *Service) listUserPolicies(ctx context.Context, r *op.Request) (any, error) {
	list, err := s.Store.ListUserPolicies(ctx, r.Caller.AccountID, r.Input.String("UserName"))
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
	return listUserPoliciesResult{PolicyNames: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) deleteUserPolicy(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.DeleteUserPolicy(ctx, r.Caller.AccountID, r.Input.String("UserName"), r.Input.String("PolicyName")))
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
