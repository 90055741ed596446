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
	// AssumedRole is a session of a role, made by STS AssumeRole.
	AssumedRole
)

func (k Kind) String() string {
	switch k {
	case Root:
		return "root"
	case User:
		return "user"
	case AssumedRole:
		return "assumed role"
	}
	return "unknown"
}

// Principal is an authenticated identity.
type Principal struct {
	Kind      Kind
	AccountID string
	// ID is the user id (AIDA…) of a user, the account id of the root, the
	// role id (AROA…) of an assumed role.
	ID string
	// Name and Path are a user's, or an assumed role's role; empty for
	// the root.
	Name string
	Path string
	// SessionName names an assumed role's session; ID is then the role id.
	SessionName string
	// Session holds an assumed role's session details.
	Session *Session
	// AccessKeyID is the key that signed the request ("" when the principal
	// was not authenticated by a key, as in simulation).
	AccessKeyID string
}

// Session is what a role session's credentials say beyond the role.
type Session struct {
	IssuedAt   time.Time
	Expiration time.Time
	// Policy is the session policy ("" for none): the session may do only
	// what both the role's policies and this one allow.
	Policy string
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
	}
	return ""
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
// of the root, "ROLEID:SESSION" for an assumed role.
func (p *Principal) UserID() string {
	if p.Kind == AssumedRole {
		return p.ID + ":" + p.SessionName
	}
	return p.ID
}

// Type is the value of the aws:PrincipalType condition key: "Account" for
// the root, "User" for a user.
func (p *Principal) Type() string {
	switch p.Kind {
	case Root:
		return "Account"
	case User:
		return "User"
	case AssumedRole:
		return "AssumedRole"
	}
	return ""
}
