package sts

import (
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
)

// Temporary credentials are a principal sealed into a session token
// (secret.Session). tokenKinds names each kind of session in the token;
// SessionPrincipal and sealSession are the two directions, and the only
// code that maps one to the other.
var tokenKinds = []struct {
	name   string
	kind   principal.Kind
	origin principal.Origin
}{
	{"role", principal.AssumedRole, principal.AssumeRole},
	{"web", principal.AssumedRole, principal.AssumeRoleWithWebIdentity},
	{"user", principal.User, principal.GetSessionToken},
	{"root", principal.Root, principal.GetSessionToken},
	{"federated", principal.FederatedUser, principal.GetFederationToken},
	{"console-user", principal.User, principal.ConsoleSignIn},
	{"console-root", principal.Root, principal.ConsoleSignIn},
}

// SessionPrincipal is the principal an opened session token stands for.
// A payload that does not describe a whole principal of a known kind is an
// error, never a guess.
func SessionPrincipal(s secret.Session) (*principal.Principal, error) {
	p := &principal.Principal{AccountID: s.AccountID, ID: s.ID, Name: s.Name, Path: s.Path, SessionName: s.SessionName, AccessKeyID: s.AccessKeyID,
		Session: &principal.Session{IssuedAt: time.Unix(s.IssuedAt, 0).UTC(), Expiration: time.Unix(s.Expiration, 0).UTC(),
			Policy: s.Policy, PolicyARNs: s.PolicyARNs, Tags: s.Tags, TransitiveTagKeys: s.TransitiveTags,
			SourceIdentity: s.SourceIdentity, CreatedByRoot: s.ByRoot,
			SignedInWith: s.SignedInWith, PasswordResetRequired: s.ResetRequired}}
	if s.SignedInAt != 0 {
		p.Session.SignedInAt = time.UnixMilli(s.SignedInAt).UTC()
	}
	for _, k := range tokenKinds {
		if k.name == s.Kind {
			p.Kind, p.Session.Origin = k.kind, k.origin
		}
	}
	whole := s.AccountID != "" && s.ID != ""
	switch p.Kind {
	case principal.AssumedRole:
		whole = whole && s.Name != "" && s.SessionName != ""
	case principal.User:
		whole = whole && s.Name != ""
	case principal.Root:
		whole = whole && s.ID == s.AccountID && s.Name == ""
	case principal.FederatedUser:
		whole = whole && s.SessionName != "" && (s.ByRoot == (s.Name == "")) && (!s.ByRoot || s.ID == s.AccountID)
	default:
		whole = false
	}
	if p.Session.Origin == principal.ConsoleSignIn {
		whole = whole && s.SignedInAt != 0 && (p.Kind == principal.Root) == (s.SignedInWith != "")
	} else {
		whole = whole && s.SignedInAt == 0 && s.SignedInWith == "" && !s.ResetRequired
	}
	if !whole {
		return nil, fmt.Errorf("session token %s does not describe a principal (kind %q)", s.AccessKeyID, s.Kind)
	}
	return p, nil
}

// sealSession issues temporary credentials standing for p, whose Session
// says their origin, lifetime and limits.
func (s *Service) sealSession(p *principal.Principal) (Credentials, error) {
	kind := ""
	for _, k := range tokenKinds {
		if k.kind == p.Kind && k.origin == p.Session.Origin {
			kind = k.name
		}
	}
	if kind == "" {
		return Credentials{}, fmt.Errorf("no session token for a %s made by %s", p.Kind, p.Session.Origin)
	}
	sess := secret.Session{Kind: kind, AccountID: p.AccountID, AccessKeyID: secret.NewTemporaryAccessKeyID(p.AccountID), Secret: secret.NewSecretAccessKey(),
		ID: p.ID, Name: p.Name, Path: p.Path, SessionName: p.SessionName, ByRoot: p.Session.CreatedByRoot,
		IssuedAt: p.Session.IssuedAt.Unix(), Expiration: p.Session.Expiration.Unix(),
		Policy: p.Session.Policy, PolicyARNs: p.Session.PolicyARNs, Tags: p.Session.Tags, TransitiveTags: p.Session.TransitiveTagKeys,
		SourceIdentity: p.Session.SourceIdentity, SignedInWith: p.Session.SignedInWith, ResetRequired: p.Session.PasswordResetRequired}
	if !p.Session.SignedInAt.IsZero() {
		sess.SignedInAt = p.Session.SignedInAt.UnixMilli()
	}
	token, err := secret.SealSession(s.SessionKey, sess)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token,
		Expiration: time.Unix(sess.Expiration, 0).UTC().Format("2006-01-02T15:04:05Z")}, nil
}

// IssueConsoleSession issues the credentials of a console session: p is
// a user or the root, p.Session's origin ConsoleSignIn.
func (s *Service) IssueConsoleSession(p *principal.Principal) (Credentials, error) {
	if p.Session == nil || p.Session.Origin != principal.ConsoleSignIn || (p.Kind != principal.User && p.Kind != principal.Root) {
		return Credentials{}, fmt.Errorf("not a console session")
	}
	return s.sealSession(p)
}
