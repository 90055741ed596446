// Package principal defines who is calling: the verified identity behind a
// request, with an explicit kind. Nothing about a principal is inferred
// from an empty field: a principal whose kind is unknown is refused by
// every consumer (authorization fails closed on it).
package principal

import "github.com/latchkey/latchkey/internal/arn"

// Kind is the kind of identity a principal is.
type Kind uint8

const (
	// Unknown is the zero Kind; it is never a valid principal.
	Unknown Kind = iota
	// Root is an account's root identity (arn:aws:iam::ACCOUNT:root).
	Root
	// User is an IAM user.
	User
)

func (k Kind) String() string {
	switch k {
	case Root:
		return "root"
	case User:
		return "user"
	}
	return "unknown"
}

// Principal is an authenticated identity.
type Principal struct {
	Kind      Kind
	AccountID string
	// ID is the user id (AIDA…) of a user, the account id of the root.
	ID string
	// Name and Path are a user's; empty for the root.
	Name string
	Path string
	// AccessKeyID is the key that signed the request ("" when the principal
	// was not authenticated by a key, as in simulation).
	AccessKeyID string
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
	}
	return ""
}

// UserID is the principal's id as GetCallerIdentity's UserId and the
// aws:userid condition key show it: the user id of a user, the account id
// of the root.
func (p *Principal) UserID() string { return p.ID }

// Type is the value of the aws:PrincipalType condition key: "Account" for
// the root, "User" for a user.
func (p *Principal) Type() string {
	switch p.Kind {
	case Root:
		return "Account"
	case User:
		return "User"
	}
	return ""
}
