// Package sts implements the STS actions Latchkey serves: who is calling
// (GetCallerIdentity), which account a key belongs to (GetAccessKeyInfo),
// and temporary credentials (AssumeRole, GetSessionToken,
// GetFederationToken), sealed into self-contained session tokens.
package sts

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// Service holds what the STS handlers need.
type Service struct {
	Keys store.AccessKeys
	// Store, Authz and SessionKey serve the temporary credentials: the
	// roles, the callers'
	// policy sets (for the trust policy's context), and the master key
	// that session tokens are sealed under.
	Store      store.Store
	Authz      *authz.Source
	SessionKey *secret.MasterKey
	// Issuers verifies AssumeRoleWithWebIdentity's tokens.
	Issuers *Issuers
	// Uses is told when a role is assumed (its RoleLastUsed); may be nil.
	Uses RoleUses
}

// RoleUses records roles' last use.
type RoleUses interface {
	RecordRole(roleID string, at time.Time, region string)
}

// assumed records that role was assumed by r.
func (s *Service) assumed(roleID string, r *op.Request) {
	if s.Uses != nil {
		s.Uses.RecordRole(roleID, r.Time, r.Region)
	}
}

type getCallerIdentityResult struct {
	UserID  string `xml:"UserId" json:"UserId"`
	Account string `xml:"Account" json:"Account"`
	Arn     string `xml:"Arn" json:"Arn"`
}

// AppendXML renders the result without reflection: GetCallerIdentity is
// the call other services make on every request they authenticate.
func (r getCallerIdentityResult) AppendXML(b []byte) []byte {
	b = op.AppendElement(b, "UserId", r.UserID)
	b = op.AppendElement(b, "Account", r.Account)
	return op.AppendElement(b, "Arn", r.Arn)
}

type getAccessKeyInfoResult struct {
	Account string `xml:"Account"`
}

// Operations returns the STS rows of the operation table.
func (s *Service) Operations() []op.Operation {
	return []op.Operation{
		{
			// AWS needs no permission for GetCallerIdentity: an explicit deny
			// does not stop it either.
			// AWS answers it in JSON too (aws-iam-authenticator asks).
			Service: "sts", Action: "GetCallerIdentity", JSON: true,
			Handler: s.getCallerIdentity,
		},
		{
			Service: "sts", Action: "AssumeRole", Permission: "sts:AssumeRole", Resource: s.roleTarget, Mutating: true,
			Handler: s.assumeRole,
		},
		{
			// Unsigned, as in AWS: the web identity token is the proof.
			Service: "sts", Action: "AssumeRoleWithWebIdentity", Unsigned: true, Mutating: true,
			Handler: s.assumeRoleWithWebIdentity,
		},
		{
			// AWS needs no permission for GetSessionToken either; what its
			// credentials may do is limited (see server's
			// sessionRestriction).
			Service: "sts", Action: "GetSessionToken", Mutating: true,
			Handler: s.getSessionToken,
		},
		{
			Service: "sts", Action: "GetFederationToken", Permission: "sts:GetFederationToken", Resource: federatedUserTarget, Mutating: true,
			Handler: s.getFederationToken,
		},
		{
			Service: "sts", Action: "GetAccessKeyInfo", Permission: "sts:GetAccessKeyInfo",
			Resource: func(context.Context, *op.Request) (op.Target, error) { return op.Target{ARN: "*"}, nil },
			Handler:  s.getAccessKeyInfo,
		},
	}
}

// getCallerIdentity answers as AWS does: for a user its AIDA… id and user
// ARN; for the root the account id as UserId and the root ARN.
func (s *Service) getCallerIdentity(_ context.Context, r *op.Request) (any, error) {
	c := r.Caller
	return getCallerIdentityResult{UserID: c.UserID(), Account: c.AccountID, Arn: c.ARN()}, nil
}

// getAccessKeyInfo returns the account a key id belongs to. A temporary
// key id (ASIA…) carries its account, as AWS's do; for a long-term one
// Latchkey knows only its own keys, and answers for an unknown id with
// InvalidParameterValue rather than guessing.
func (s *Service) getAccessKeyInfo(ctx context.Context, r *op.Request) (any, error) {
	id := r.Input.String("AccessKeyId")
	if account, ok := secret.AccountOfTemporaryKeyID(id); ok {
		return getAccessKeyInfoResult{Account: account}, nil
	}
	k, err := s.Keys.GetAccessKey(ctx, id)
	if err != nil {
		return nil, awserr.InvalidParameterValue("The access key ID %s is not recognized.", id)
	}
	return getAccessKeyInfoResult{Account: k.AccountID}, nil
}
