// Package store defines Latchkey's persistence contract: plain value structs,
// one small interface per aggregate, and sentinel errors every backend
// converts its driver errors into at its edge.
//
// Contract for every backend:
//   - Each method is atomic: it either commits entirely or changes nothing.
//   - A method that returns nil has committed durably: the write survives a
//     crash of the process or the machine immediately after it returns.
//   - Invariants are enforced inside the backend's transaction, so they hold
//     under any concurrency: user names are unique per account ignoring case,
//     a user (or an account's root) holds at most MaxAccessKeys keys, a user
//     with keys or policies cannot be deleted.
//   - Secrets are stored only as the ciphertext the caller passes in; the
//     store never sees a plaintext secret.
//
// The conformance suite in package storetest is the executable form of this
// contract; a backend is done when it passes it.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxAccessKeys is the number of access keys a user (or an account's root)
// may hold, as in AWS.
const MaxAccessKeys = 2

// Sentinel errors. Backends wrap them; callers test with errors.Is.
var (
	ErrNotFound       = errors.New("not found")
	ErrAlreadyExists  = errors.New("already exists")
	ErrLimitExceeded  = errors.New("limit exceeded")
	ErrDeleteConflict = errors.New("delete conflict")
	// ErrStaleMasterKey: a secret sealed under a master key other than the
	// data dir's current one (MetaMasterKeyID) was refused. The caller
	// reloads its keyring and seals again.
	ErrStaleMasterKey = errors.New("secret sealed with a master key that is no longer current")
)

// MetaMasterKeyID is the Meta entry naming the current master key. When it
// is set, a key is only stored if its secret is sealed under that key, so
// a rotation can finish: once it has re-sealed every secret, none sealed
// with the old key can appear.
const MetaMasterKeyID = "master_key_id"

// Entity names the kind of thing an error is about.
type Entity string

const (
	EntityAccount    Entity = "account"
	EntityUser       Entity = "user"
	EntityAccessKey  Entity = "access key"
	EntityUserPolicy Entity = "user policy"
)

// NotFoundError says which entity was missing. It matches ErrNotFound.
type NotFoundError struct {
	Entity Entity
	Name   string
}

func (e *NotFoundError) Error() string   { return fmt.Sprintf("%s %q not found", e.Entity, e.Name) }
func (e *NotFoundError) Is(t error) bool { return t == ErrNotFound }

// ConflictError says why a delete was refused. It matches ErrDeleteConflict.
type ConflictError struct {
	Dependent Entity // what still depends on the entity (access keys, policies)
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("delete conflict: %s still attached", e.Dependent)
}
func (e *ConflictError) Is(t error) bool { return t == ErrDeleteConflict }

// Account is one isolated tenant. Its root identity is arn:aws:iam::ID:root.
type Account struct {
	ID        string // 12 digits
	CreatedAt time.Time
}

// Tag is a key/value pair on a user; order is kept as given.
type Tag struct {
	Key   string
	Value string
}

// User is an IAM user.
type User struct {
	AccountID string
	ID        string // AIDA…, stable across renames
	Name      string
	Path      string
	CreatedAt time.Time
	Tags      []Tag
}

// Key status values, as the IAM API spells them.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// AccessKey is a long-lived credential of a user or of an account's root.
type AccessKey struct {
	ID        string // AKIA…
	AccountID string
	UserID    string // "" for the account's root
	UserName  string // filled on read; "" for the root
	UserPath  string // filled on read; "" for the root
	Status    string
	CreatedAt time.Time
	// SecretCiphertext is the secret sealed by the caller; MasterKeyID names
	// the master key that sealed it.
	SecretCiphertext []byte
	MasterKeyID      string
	LastUsed         *LastUsed
}

// LastUsed is when and where a key last authenticated a request.
type LastUsed struct {
	Time    time.Time
	Service string
	Region  string
}

// LastUsedUpdate is one coalesced observation of a key's use.
type LastUsedUpdate struct {
	AccessKeyID string
	LastUsed
}

// UserPolicy is an inline policy embedded in a user.
type UserPolicy struct {
	UserName string
	Name     string
	Document string // exactly as given
}

// Page bounds a listing: entries strictly after After (an opaque sort key
// returned by a previous page), at most Limit of them.
type Page struct {
	After string
	Limit int
}

// Accounts is the account aggregate.
type Accounts interface {
	// CreateAccount creates the account and its first root key atomically.
	CreateAccount(ctx context.Context, a Account, rootKey AccessKey) error
	GetAccount(ctx context.Context, id string) (Account, error)
	CountAccounts(ctx context.Context) (int, error)
}

// Users is the user aggregate. Names are matched ignoring case.
type Users interface {
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, accountID, name string) (User, error)
	// ListUsers returns users whose path starts with pathPrefix, ordered by
	// name ignoring case, and the sort key of the last one returned.
	ListUsers(ctx context.Context, accountID, pathPrefix string, p Page) (users []User, last string, more bool, err error)
	// UpdateUser runs update on the current user inside one transaction and
	// stores its result (name, path and tags may change; ids may not).
	UpdateUser(ctx context.Context, accountID, name string, update func(User) (User, error)) (User, error)
	DeleteUser(ctx context.Context, accountID, name string) error
}

// AccessKeys is the access key aggregate. userName "" means the account's root.
type AccessKeys interface {
	// CreateAccessKey stores k for the user named userName; ErrLimitExceeded
	// when the owner already holds MaxAccessKeys keys.
	CreateAccessKey(ctx context.Context, accountID, userName string, k AccessKey) (AccessKey, error)
	// GetAccessKey finds a key by id across all accounts (authentication).
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	ListAccessKeys(ctx context.Context, accountID, userName string) ([]AccessKey, error)
	UpdateAccessKeyStatus(ctx context.Context, accountID, userName, id, status string) error
	DeleteAccessKey(ctx context.Context, accountID, userName, id string) error
	// SealedSecrets returns up to limit keys whose secret is not sealed
	// with master key id except (for rotation), with their ciphertexts.
	SealedSecrets(ctx context.Context, except string, limit int) ([]AccessKey, error)
	// ReplaceSealedSecret stores a re-sealed secret for key id, only if it
	// is still sealed with oldMasterKeyID; it reports whether it replaced.
	ReplaceSealedSecret(ctx context.Context, id, oldMasterKeyID string, ciphertext []byte, newMasterKeyID string) (bool, error)
	// RecordLastUsed applies a batch of last-used observations; a newer
	// stored time is never overwritten by an older one, and unknown keys are
	// skipped.
	RecordLastUsed(ctx context.Context, updates []LastUsedUpdate) error
}

// UserPolicies is the inline user policy aggregate.
type UserPolicies interface {
	PutUserPolicy(ctx context.Context, accountID string, p UserPolicy) error
	GetUserPolicy(ctx context.Context, accountID, userName, policyName string) (UserPolicy, error)
	// ListUserPolicies returns the user's policies, documents included,
	// ordered by name ignoring case.
	ListUserPolicies(ctx context.Context, accountID, userName string) ([]UserPolicy, error)
	DeleteUserPolicy(ctx context.Context, accountID, userName, policyName string) error
}

// Meta holds small named values the server needs across restarts (the
// master key check value, for one).
type Meta interface {
	GetMeta(ctx context.Context, name string) (string, error)
	PutMeta(ctx context.Context, name, value string) error
}

// Store is everything a backend provides.
type Store interface {
	Accounts
	Users
	AccessKeys
	UserPolicies
	Meta
	// Check runs the backend's own integrity check.
	Check(ctx context.Context) error
	Close() error
}
