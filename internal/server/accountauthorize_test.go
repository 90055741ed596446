package server

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
)

func TestOwnAccountAuthorizer(t *testing.T) {
	const account, other = "123456789012", "210987654321"
	user := &principal.Principal{Kind: principal.User, AccountID: account, ID: "AIDABOB", Name: "bob", Path: "/"}
	root := &principal.Principal{Kind: principal.Root, AccountID: account, ID: account}
	cases := []struct {
		name   string
		caller *principal.Principal
		target op.Target
		err    error
		code   string // of the refusal
	}{
		{"a user in its account", user, op.Target{ARN: "arn:aws:iam::" + account + ":user/alice"}, nil, ""},
		{"a user on any resource", user, op.Target{ARN: "*"}, nil, ""},
		{"an AWS managed policy", user, op.Target{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}, nil, ""},
		{"a role of its account, whatever its trust policy", user, op.Target{ARN: "arn:aws:iam::" + account + ":role/r", Account: account, ResourceMustAllow: true}, nil, ""},
		{"the root in its account", root, op.Target{ARN: "arn:aws:iam::" + account + ":user/alice"}, nil, ""},
		{"another account's role", user, op.Target{ARN: "arn:aws:iam::" + other + ":role/r", Account: other, ResourceMustAllow: true}, nil, "AccessDenied"},
		{"another account's user, by ARN alone", root, op.Target{ARN: "arn:aws:iam::" + other + ":user/alice"}, nil, "AccessDenied"},
		{"a target that cannot be read", user, op.Target{}, errors.New("store down"), "InternalFailure"},
		{"a principal of no kind", &principal.Principal{AccountID: account}, op.Target{ARN: "*"}, nil, "InternalFailure"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &op.Request{Caller: tc.caller}
			o := &op.Operation{Service: "iam", Action: "CreateUser", Permission: "iam:CreateUser"}
			resolved := false
			_, err := OwnAccountAuthorizer{}.Authorize(t.Context(), r, o, func() (op.Target, error) {
				resolved = true
				return tc.target, tc.err
			})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !resolved {
					t.Error("the target was not resolved: handlers depend on what it reads")
				}
				return
			}
			if err == nil || awserr.As(err).Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}
