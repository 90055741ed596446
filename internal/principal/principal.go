// Package principal defines who is calling: the verified identity behind a
// request, with an explicit kind. Nothing about a principal is inferred
// from an empty field: a principal whose kind is unknown is refused by
// every consumer (authorization fails closed on it).
package principal

import (
	"time"

	"github.com/latchkey/latchkey/internal/arn"
)

// Kind is the kind of identity a principal is.
type Kind uint8

const (
	// Unknown is the zero Kind; it is never a valid principal.
	Unknown Kind = iota
	// Root is an account's root identity (arn:aws:iam::ACCOUNT:root).
	Root
	// User is an IAM user.
	User
	// AssumedRole is a session of a role, made by STS AssumeRole or
	// AssumeRoleWithWebIdentity.
	AssumedRole
	// FederatedUser is a session made by STS GetFederationToken.
	FederatedUser
	// Anonymous is the caller of an unsigned action
	// (AssumeRoleWithWebIdentity), whose proof is in its input. It has no
	// account, no ARN and no permissions.
	Anonymous
)

func (k Kind) String() string {
	switch k {
	case Root:
		return "root"
	case User:
		return "user"
	case AssumedRole:
		return "assumed role"
	case FederatedUser:
		return "federated user"
	case Anonymous:
		return "anonymous"
	}
	return "unknown"
}

// Principal is an authenticated identity.
type Principal struct {
	Kind      Kind
	AccountID string
	// ID, Name and Path name the identity whose permissions apply: a
	// user's id (AIDA…), name and path; the account id (and no name) for
	// the root; an assumed role's role id (AROA…), name and path; for a
	// federated user, the user who created it (the root when
	// Session.CreatedByRoot).
	ID   string
	Name string
	Path string
	// SessionName names an assumed role's session, or a federated user.
	SessionName string
	// Session holds the details of temporary credentials; nil for a
	// long-term access key.
	Session *Session
	// AccessKeyID is the key that signed the request ("" when the principal
	// was not authenticated by a key, as in simulation).
	AccessKeyID string
}

// Origin is the STS action that issued temporary credentials.
type Origin uint8

const (
	// AssumeRole made a role session.
	AssumeRole Origin = iota + 1
	// AssumeRoleWithWebIdentity made a role session for an OpenID Connect
	// identity.
	AssumeRoleWithWebIdentity
	// GetSessionToken made a session of a user or the root, with its
	// permissions.
	GetSessionToken
	// GetFederationToken made a federated user.
	GetFederationToken
	// ConsoleSignIn made a console session of a user (signed in with its
	// password) or of the root (with its access key pair).
	ConsoleSignIn
)

func (o Origin) String() string {
	switch o {
	case AssumeRole:
		return "AssumeRole"
	case AssumeRoleWithWebIdentity:
		return "AssumeRoleWithWebIdentity"
	case GetSessionToken:
		return "GetSessionToken"
	case GetFederationToken:
		return "GetFederationToken"
	case ConsoleSignIn:
		return "ConsoleSignIn"
	}
	return "unknown"
}

// Session is what temporary credentials say beyond their identity.
type Session struct {
	Origin     Origin
	IssuedAt   time.Time
	Expiration time.Time
	// Policy (inline, "" for none) and PolicyARNs (managed) are the
	// session policies: the session may do only what its identity's
	// policies allow and one of them allows too.
	Policy     string
	PolicyARNs []string
	// Tags are the session tags (aws:PrincipalTag/…, over the role's own
	// tags); TransitiveTagKeys those that pass to a chained role session.
	Tags              map[string]string
	TransitiveTagKeys []string
	// SourceIdentity is the identity set when the session was made
	// (aws:SourceIdentity), carried through role chaining.
	SourceIdentity string
	// CreatedByRoot says a federated user was made by the root, whose
	// permissions its session policies then limit.
	CreatedByRoot bool
	// SignedInAt is when a console session's sign-in happened (kept when
	// the session is refreshed); SignedInWith the root access key that
	// signed a root's sign-in.
	SignedInAt   time.Time
	SignedInWith string
	// PasswordResetRequired limits a console session to choosing a new
	// password.
	PasswordResetRequired bool
}

// HasSessionPolicies reports whether the session is limited by session
// policies.
func (s *Session) HasSessionPolicies() bool {
	return s != nil && (s.Policy != "" || len(s.PolicyARNs) > 0)
}

// IsRoot reports whether p is an account's root identity.
func (p *Principal) IsRoot() bool { return p != nil && p.Kind == Root }

// IsUser reports whether p is an IAM user.
func (p *Principal) IsUser() bool { return p != nil && p.Kind == User }

// ARN is the principal's ARN as GetCallerIdentity shows it; "" for an
// unknown kind.
func (p *Principal) ARN() string {
	switch p.Kind {
	case Root:
		return arn.Root(p.AccountID)
	case User:
		return arn.User(p.AccountID, p.Path, p.Name)
	case AssumedRole:
		return "arn:aws:sts::" + p.AccountID + ":assumed-role/" + p.Name + "/" + p.SessionName
	case FederatedUser:
		return "arn:aws:sts::" + p.AccountID + ":federated-user/" + p.SessionName
	}
	return ""
}

// PrincipalARN is the value of the aws:PrincipalArn condition key: a role
// session's role ARN, otherwise the principal's ARN.
func (p *Principal) PrincipalARN() string {
	if p.Kind == AssumedRole {
		return p.RoleARN()
	}
	return p.ARN()
}

// RoleARN is an assumed role's role ARN (the aws:PrincipalArn of its
// sessions), "" for other kinds.
func (p *Principal) RoleARN() string {
	if p.Kind != AssumedRole {
		return ""
	}
	return arn.Role(p.AccountID, p.Path, p.Name)
}

// UserID is the principal's id as GetCallerIdentity's UserId and the
// aws:userid condition key show it: the user id of a user, the account id
// of the root, "ROLEID:SESSION" for an assumed role, "ACCOUNT:NAME" for a
// federated user.
func (p *Principal) UserID() string {
	switch p.Kind {
	case AssumedRole:
		return p.ID + ":" + p.SessionName
	case FederatedUser:
		return p.AccountID + ":" + p.SessionName
	}
	return p.ID
}

// Type is the value of the aws:PrincipalType condition key: "Account" for
// the root, "User" for a user, "AssumedRole", "FederatedUser".
func (p *Principal) Type() string {
	switch p.Kind {
	case Root:
		return "Account"
	case User:
		return "User"
	case AssumedRole:
		return "AssumedRole"
	case FederatedUser:
		return "FederatedUser"
	}
	return ""
}
