// Package iam implements the IAM actions Latchkey serves: users, their access
// keys and inline policies. Each action is a row of the operation table
// (Operations); handlers call the store and return typed results shaped as
// AWS's XML, or *awserr.Error values worded as AWS words them.
package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// LastUsedSource reports uses of keys not yet written to the store.
type LastUsedSource interface {
	Pending(accessKeyID string) (store.LastUsed, bool)
}

// Service holds what the IAM handlers need.
type Service struct {
	Store    store.Store
	Keys     *secret.Keyring
	LastUsed LastUsedSource
	Now      func() time.Time
}

const defaultMaxItems = 100

// Operations returns the IAM rows of the operation table.
func (s *Service) Operations() []op.Operation {
	mut := func(action string, res func(context.Context, *op.Request) (string, error), h op.Handler) op.Operation {
		return op.Operation{Service: "iam", Action: action, Permission: "iam:" + action, Resource: res, Mutating: true, Handler: h}
	}
	read := func(action string, res func(context.Context, *op.Request) (string, error), h op.Handler) op.Operation {
		o := mut(action, res, h)
		o.Mutating = false
		return o
	}
	user := s.userResource("UserName")
	return append([]op.Operation{
		mut("CreateUser", s.newUserResource, s.createUser),
		read("GetUser", user, s.getUser),
		read("ListUsers", s.accountResource("user/"), s.listUsers),
		mut("UpdateUser", user, s.updateUser),
		mut("DeleteUser", user, s.deleteUser),
		mut("TagUser", user, s.tagUser),
		mut("UntagUser", user, s.untagUser),
		read("ListUserTags", user, s.listUserTags),

		mut("CreateAccessKey", user, s.createAccessKey),
		read("ListAccessKeys", user, s.listAccessKeys),
		mut("UpdateAccessKey", user, s.updateAccessKey),
		mut("DeleteAccessKey", user, s.deleteAccessKey),
		read("GetAccessKeyLastUsed", s.keyOwnerResource, s.getAccessKeyLastUsed),

		mut("PutUserPolicy", user, s.putUserPolicy),
		read("GetUserPolicy", user, s.getUserPolicy),
		read("ListUserPolicies", user, s.listUserPolicies),
		mut("DeleteUserPolicy", user, s.deleteUserPolicy),
	}, s.noneOperations()...)
}

// ---- resources ----

// userResource is the ARN of the user named by the parameter, or of the
// caller when the parameter is absent (the root's own ARN for the root).
func (s *Service) userResource(param string) func(context.Context, *op.Request) (string, error) {
	return func(ctx context.Context, r *op.Request) (string, error) {
		name := r.Input.String(param)
		if name == "" {
			return r.Caller.ARN(), nil
		}
		path := "/"
		if u, err := s.Store.GetUser(ctx, r.Caller.AccountID, name); err == nil {
			path, name = u.Path, u.Name
		}
		return arn.User(r.Caller.AccountID, path, name), nil
	}
}

func (s *Service) newUserResource(_ context.Context, r *op.Request) (string, error) {
	return arn.User(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("UserName")), nil
}

func (s *Service) accountResource(suffix string) func(context.Context, *op.Request) (string, error) {
	return func(_ context.Context, r *op.Request) (string, error) {
		// AWS names list actions' resource "arn:aws:iam::ACCOUNT:user/".
		return "arn:aws:iam::" + r.Caller.AccountID + ":" + suffix, nil
	}
}

// keyOwnerResource is the ARN of the user owning AccessKeyId (the root's
// for a root key), so "manage your own keys" policies on
// user/${aws:username} cover GetAccessKeyLastUsed, as in AWS. An unknown
// key falls back to the caller's own ARN; the handler answers NoSuchEntity.
func (s *Service) keyOwnerResource(ctx context.Context, r *op.Request) (string, error) {
	k, err := s.Store.GetAccessKey(ctx, r.Input.String("AccessKeyId"))
	if err != nil || k.AccountID != r.Caller.AccountID {
		return r.Caller.ARN(), nil
	}
	if k.UserID == "" {
		return arn.Root(k.AccountID), nil
	}
	return arn.User(k.AccountID, k.UserPath, k.UserName), nil
}

// ---- helpers ----

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func noSuchUser(name string) *awserr.Error {
	return awserr.NoSuchEntity("The user with name %s cannot be found.", name)
}

func noSuchKey(id string) *awserr.Error {
	return awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
}

// storeErr maps the store's sentinel errors to AWS's answers.
func storeErr(err error) error {
	var nf *store.NotFoundError
	var dc *store.ConflictError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		switch nf.Entity {
		case store.EntityUser:
			return noSuchUser(nf.Name)
		case store.EntityAccessKey:
			return noSuchKey(nf.Name)
		case store.EntityUserPolicy:
			return awserr.NoSuchEntity("The user policy with name %s cannot be found.", nf.Name)
		}
		return awserr.NoSuchEntity("The %s with name %s cannot be found.", nf.Entity, nf.Name)
	case errors.As(err, &dc):
		switch dc.Dependent {
		case store.EntityAccessKey:
			return awserr.DeleteConflict("Cannot delete entity, must delete access keys first.")
		case store.EntityUserPolicy:
			return awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
		}
		return awserr.DeleteConflict("Cannot delete entity, must remove %s first.", dc.Dependent)
	}
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return awserr.ServiceFailure(err)
}

// ownerName is the user a key action applies to: UserName when given, else
// the caller ("" = the root).
func ownerName(r *op.Request) string {
	if n := r.Input.String("UserName"); n != "" {
		return n
	}
	return r.Caller.UserName
}

// Markers are opaque to clients; they name the list they belong to so a
// marker from another list is refused rather than misread.
func encodeMarker(list, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + position))
}

func decodeMarker(list, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || !strings.HasPrefix(string(b), list+":") {
		return "", awserr.ValidationError("Invalid Marker.")
	}
	return string(b[len(list)+1:]), nil
}

func maxItems(r *op.Request) int {
	if n, ok := r.Input.Int("MaxItems"); ok {
		return n
	}
	return defaultMaxItems
}

// pageSlice pages an in-memory list with offset markers.
func pageSlice[T any](r *op.Request, list string, items []T) (page []T, truncated bool, next string, err error) {
	pos, err := decodeMarker(list, r.Input.String("Marker"))
	if err != nil {
		return nil, false, "", err
	}
	start := 0
	if pos != "" {
		start, err = strconv.Atoi(pos)
		if err != nil || start < 0 || start > len(items) {
			return nil, false, "", awserr.ValidationError("Invalid Marker.")
		}
	}
	end := min(start+maxItems(r), len(items))
	if end < len(items) {
		return items[start:end], true, encodeMarker(list, strconv.Itoa(end)), nil
	}
	return items[start:end], false, "", nil
}

func xmlUser(u store.User, withTags bool) XMLUser {
	x := XMLUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: arn.User(u.AccountID, u.Path, u.Name), CreateDate: TimestampPtr(u.CreatedAt)}
	if withTags && len(u.Tags) > 0 {
		tags := Members[XMLTag](xmlTags(u.Tags))
		x.Tags = &tags
	}
	return x
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
