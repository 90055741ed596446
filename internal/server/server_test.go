package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/query"
	"github.com/latchkey/latchkey/internal/store"
)

func noop(context.Context, *op.Request) (any, error) { return nil, nil }

func star(context.Context, *op.Request) (op.Target, error) { return op.Target{ARN: "*"}, nil }

// TestTableRefusesMistakes: the operation table is checked before the
// server starts.
func TestTableRefusesMistakes(t *testing.T) {
	getUser := op.Operation{Service: "iam", Action: "GetUser", Permission: "iam:GetUser", Resource: star, Handler: noop}
	cases := []struct {
		name string
		ops  []op.Operation
		want string
	}{
		{"duplicate", []op.Operation{getUser, getUser}, "iam:GetUser is listed twice"},
		{"not in the model", []op.Operation{{Service: "iam", Action: "Frobnicate", Handler: noop}}, "not in the iam service model"},
		{"sts action under iam", []op.Operation{{Service: "iam", Action: "GetCallerIdentity", Handler: noop}}, "not in the iam service model"},
		{"unknown service", []op.Operation{{Service: "s3", Action: "GetObject", Handler: noop}}, "unknown service"},
		{"no handler", []op.Operation{{Service: "iam", Action: "GetUser", Permission: "iam:GetUser", Resource: star}}, "no handler"},
		{"permission without resource", []op.Operation{{Service: "iam", Action: "GetUser", Permission: "iam:GetUser", Handler: noop}}, "names no resource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Operations: tc.ops})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{Operations: []op.Operation{getUser}}); err != nil {
		t.Fatalf("a valid table: %v", err)
	}
}

// failingBackend is a store that cannot be read.
type failingBackend struct{}

func (failingBackend) UserPolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{}, errors.New("database is locked")
}
func (failingBackend) GroupPolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{}, errors.New("database is locked")
}
func (failingBackend) RolePolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{}, errors.New("database is locked")
}
func (failingBackend) SessionPolicies(context.Context, string, []string) ([]store.PolicyDocument, error) {
	return nil, errors.New("database is locked")
}
func (failingBackend) Generation() uint64         { return 0 }
func (failingBackend) ExternalGeneration() uint64 { return 0 }

// allowAllBackend gives every user an Allow of everything.
type allowAllBackend struct{}

func (allowAllBackend) UserPolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{Kind: store.KindUser, Inline: []store.InlinePolicy{{Name: "all", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}}}, nil
}
func (allowAllBackend) GroupPolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{}, nil
}
func (allowAllBackend) RolePolicySet(context.Context, string, string) (store.PolicySet, error) {
	return store.PolicySet{}, nil
}
func (allowAllBackend) SessionPolicies(context.Context, string, []string) ([]store.PolicyDocument, error) {
	return nil, nil
}

func (allowAllBackend) Generation() uint64         { return 0 }
func (allowAllBackend) ExternalGeneration() uint64 { return 0 }

// TestAuthorizerFailsClosed: a principal of an unknown kind, a store that
// cannot be read, or a target that cannot be resolved answers
// InternalFailure, never an Allow.
func TestAuthorizerFailsClosed(t *testing.T) {
	user := &principal.Principal{Kind: principal.User, AccountID: "123456789012", ID: "AIDAX", Name: "Bob", Path: "/"}
	o := &op.Operation{Service: "iam", Action: "GetUser", Permission: "iam:GetUser"}
	okTarget := func() (op.Target, error) { return op.Target{ARN: "*"}, nil }
	cases := []struct {
		name    string
		backend authz.Backend
		caller  *principal.Principal
		target  func() (op.Target, error)
	}{
		{"unknown kind", allowAllBackend{}, &principal.Principal{AccountID: "123456789012", Name: ""}, okTarget},
		{"store error", failingBackend{}, user, okTarget},
		{"target error", allowAllBackend{}, user, func() (op.Target, error) { return op.Target{}, errors.New("read user: disk I/O error") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &PolicyAuthorizer{Source: &authz.Source{Store: tc.backend}}
			r := &op.Request{Caller: tc.caller, Input: query.Values{}}
			_, err := a.Authorize(t.Context(), r, o, tc.target)
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != "InternalFailure" || ae.Status != http.StatusInternalServerError {
				t.Fatalf("Authorize = %v, want InternalFailure", err)
			}
		})
	}
	// The same user with a readable store and target is allowed: the
	// cases above fail for their fault, not for the user.
	a := &PolicyAuthorizer{Source: &authz.Source{Store: allowAllBackend{}}}
	if _, err := a.Authorize(t.Context(), &op.Request{Caller: user, Input: query.Values{}}, o, okTarget); err != nil {
		t.Fatalf("healthy case: %v", err)
	}
}
