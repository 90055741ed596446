package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/awsmanaged"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/query"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// maxTags is AWS's quota of tags on one IAM user or policy.
const maxTags = 50

func (s *Service) createUser(ctx context.Context, r *op.Request) (any, error) {
	tags, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	boundary := r.Input.String("PermissionsBoundary")
	if err := s.checkBoundary(boundary); err != nil {
		return nil, err
	}
	u := store.User{
		AccountID:           r.Caller.AccountID,
		ID:                  secret.NewUserID(),
		Name:                r.Input.String("UserName"),
		Path:                pathOr(r.Input.String("Path")),
		CreatedAt:           s.now(),
		Tags:                tags,
		PermissionsBoundary: boundary,
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, awserr.EntityAlreadyExists("User with name %s already exists.", u.Name)
		}
		return nil, boundaryErr(err)
	}
	return createUserResult{User: xmlUserWithBoundary(u)}, nil
}

func (s *Service) getUser(ctx context.Context, r *op.Request) (any, error) {
	name := r.Input.String("UserName")
	if name == "" && r.Caller.Kind == principal.AssumedRole {
		return nil, awserr.ValidationError("Must specify userName when calling with non-User credentials")
	}
	if name == "" && r.Caller.IsRoot() {
		// AWS answers GetUser by the root with the account as the user.
		acct, err := s.Store.GetAccount(ctx, r.Caller.AccountID)
		if err != nil {
			return nil, storeErr(err)
		}
		return getUserResult{User: XMLUser{UserID: acct.ID, Arn: r.Caller.ARN(), CreateDate: TimestampPtr(acct.CreatedAt)}}, nil
	}
	if name == "" {
		name = r.Caller.Name
	}
	u, err := s.Store.GetUser(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, storeErr(err)
	}
	return getUserResult{User: xmlUserWithBoundary(u)}, nil
}

func (s *Service) listUsers(ctx context.Context, r *op.Request) (any, error) {
	after, err := decodeMarker("users", r.Input.String("Marker"))
	if err != nil {
		return nil, err
	}
	users, last, more, err := s.Store.ListUsers(ctx, r.Caller.AccountID, r.Input.String("PathPrefix"), store.Page{After: after, Limit: maxItems(r)})
	if err != nil {
		return nil, storeErr(err)
	}
	res := listUsersResult{Users: make(Members[XMLUser], 0, len(users)), IsTruncated: more}
	for _, u := range users {
		// ListUsers does not return tags, as in AWS.
		res.Users = append(res.Users, xmlUser(u, false))
	}
	if more {
		res.Marker = encodeMarker("users", last)
	}
	return res, nil
}

func (s *Service) updateUser(ctx context.Context, r *op.Request) (any, error) {
	name := r.Input.String("UserName")
	newName, newPath := r.Input.String("NewUserName"), r.Input.String("NewPath")
	_, err := s.Store.UpdateUser(ctx, r.Caller.AccountID, name, func(u store.User) (store.User, error) {
		if newName != "" {
			u.Name = newName
		}
		if newPath != "" {
			u.Path = newPath
		}
		return u, nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, awserr.EntityAlreadyExists("User with name %s already exists.", newName)
	}
	return nil, storeErr(err)
}

func (s *Service) deleteUser(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.DeleteUser(ctx, r.Caller.AccountID, r.Input.String("UserName")))
}

func (s *Service) tagUser(ctx context.Context, r *op.Request) (any, error) {
	add, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	_, err = s.Store.UpdateUser(ctx, r.Caller.AccountID, r.Input.String("UserName"), func(u store.User) (store.User, error) {
		u.Tags, err = mergeTags(u.Tags, add)
		return u, err
	})
	return nil, storeErr(err)
}

func (s *Service) untagUser(ctx context.Context, r *op.Request) (any, error) {
	keys := r.Input.List("TagKeys")
	_, err := s.Store.UpdateUser(ctx, r.Caller.AccountID, r.Input.String("UserName"), func(u store.User) (store.User, error) {
		u.Tags = removeTags(u.Tags, keys)
		return u, nil
	})
	return nil, storeErr(err)
}

// mergeTags adds tags to a resource's, a key that differs only in case
// replacing the existing tag; at most maxTags in all, as AWS.
func mergeTags(old, add []store.Tag) ([]store.Tag, error) {
	tags := append([]store.Tag(nil), old...)
	for _, t := range add {
		replaced := false
		for i := range tags {
			if strings.EqualFold(tags[i].Key, t.Key) {
				tags[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			tags = append(tags, t)
		}
	}
	if len(tags) > maxTags {
		return old, awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return tags, nil
}

// removeTags drops the tags whose keys are named, ignoring case.
func removeTags(tags []store.Tag, keys []string) []store.Tag {
	kept := tags[:0:0]
next:
	for _, t := range tags {
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				continue next
			}
		}
		kept = append(kept, t)
	}
	return kept
}

func (s *Service) listUserTags(ctx context.Context, r *op.Request) (any, error) {
	u, err := s.Store.GetUser(ctx, r.Caller.AccountID, r.Input.String("UserName"))
	if err != nil {
		return nil, storeErr(err)
	}
	page, truncated, marker, err := pageSlice(r, "tags", xmlTags(u.Tags))
	if err != nil {
		return nil, err
	}
	return listUserTagsResult{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

// requestTags converts request tags, refusing keys repeated ignoring case
// with AWS's InvalidInput.
func requestTags(in []query.Tag) ([]store.Tag, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]store.Tag, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, t := range in {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return nil, awserr.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// checkBoundary checks that a permissions boundary names a managed policy
// ARN; a customer managed one must exist (the store checks, inside its
// transaction), an AWS managed one must be one Latchkey has.
func (s *Service) checkBoundary(policyARN string) error {
	if policyARN == "" {
		return nil
	}
	if _, _, _, ok := arn.ParsePolicy(policyARN); !ok {
		return awserr.InvalidInput("ARN %s is not valid.", policyARN)
	}
	if arn.IsAWSManagedPolicy(policyARN) {
		if _, ok := awsmanaged.Get(policyARN); !ok {
			return noSuchBoundary(policyARN)
		}
	}
	return nil
}

// noSuchBoundary is AWS's answer to a permissions boundary naming no
// managed policy.
func noSuchBoundary(policyARN string) *awserr.Error {
	return awserr.NoSuchEntity("Scope ARN: %s does not exist or is not attachable.", policyARN)
}

// boundaryErr words a missing boundary policy as AWS does.
func boundaryErr(err error) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Entity == store.EntityManagedPolicy {
		return noSuchBoundary(nf.Name)
	}
	return storeErr(err)
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, r *op.Request) (any, error) {
	boundary := r.Input.String("PermissionsBoundary")
	if err := s.checkBoundary(boundary); err != nil {
		return nil, err
	}
	return nil, boundaryErr(s.Store.SetUserPermissionsBoundary(ctx, r.Caller.AccountID, r.Input.String("UserName"), boundary))
}

func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.SetUserPermissionsBoundary(ctx, r.Caller.AccountID, r.Input.String("UserName"), ""))
}
