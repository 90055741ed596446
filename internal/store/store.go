// Package store defines Latchkey's persistence contract: plain value structs,
// one small interface per aggregate, and sentinel errors every backend
// converts its driver errors into at its edge.
//
// Contract for every backend:
//   - Each method is atomic: it either commits entirely or changes nothing.
//   - A method that returns nil has committed durably: the write survives a
//     crash of the process or the machine immediately after it returns.
//   - Invariants are enforced inside the backend's transaction, so they hold
//     under any concurrency: user, group and managed policy names are
//     unique per account ignoring case; a user (or an account's root) holds
//     at most MaxAccessKeys keys; the quotas below (groups per account and
//     per user, policies attached per entity, versions per policy, inline
//     policy size per entity) are never exceeded; an entity something still
//     depends on cannot be deleted (ConflictError says what).
//   - Every committed write that can change what a principal may do
//     (policies, memberships, attachments, boundaries, users, groups)
//     advances Generation before the method returns, so a cache validated
//     against it never answers from state older than an acknowledged write.
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

// AWS's default IAM quotas, enforced by the store inside its transactions.
// The names are AWS's quota names, as LimitExceeded messages give them.
const (
	MaxGroupsPerAccount   = 300  // GroupsPerAccount
	MaxGroupsPerUser      = 10   // GroupsPerUser
	MaxPoliciesPerAccount = 1500 // PoliciesPerAccount (customer managed)
	MaxPoliciesPerUser    = 10   // PoliciesPerUser (attached managed)
	MaxPoliciesPerGroup   = 10   // PoliciesPerGroup (attached managed)
	MaxRolesPerAccount    = 1000 // RolesPerAccount
	MaxPoliciesPerRole    = 10   // PoliciesPerRole (attached managed)
	// MaxInstanceProfilesPerAccount is InstanceProfilesPerAccount; a
	// profile holds at most MaxRolesPerInstanceProfile roles.
	MaxInstanceProfilesPerAccount = 1000
	MaxRolesPerInstanceProfile    = 1
	MaxPolicyVersions             = 5 // VersionsPerPolicy
	// Aggregate size of an entity's inline policies, white space not
	// counted (InlinePolicy.Size).
	MaxUserInlinePolicySize  = 2048
	MaxGroupInlinePolicySize = 5120
	MaxRoleInlinePolicySize  = 10240
)

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
	EntityAccount     Entity = "account"
	EntityUser        Entity = "user"
	EntityAccessKey   Entity = "access key"
	EntityUserPolicy  Entity = "user policy"
	EntityGroup       Entity = "group"
	EntityGroupPolicy Entity = "group policy"
	EntityRole        Entity = "role"
	EntityRolePolicy  Entity = "role policy"
	// EntityInstanceProfile: an instance profile, or (as a dependent) a
	// role's place in one.
	EntityInstanceProfile Entity = "instance profile"
	// EntityInstanceProfileRole: a role's place in an instance profile.
	EntityInstanceProfileRole Entity = "role in instance profile"
	EntityManagedPolicy       Entity = "managed policy"
	EntityPolicyVersion       Entity = "policy version"
	// EntityGroupMember: a user's membership of a group.
	EntityGroupMember Entity = "group member"
	// EntityAttachment: a managed policy attached to a user or group, or
	// used as a permissions boundary.
	EntityAttachment Entity = "policy attachment"
)

// LimitError says which quota a write would have exceeded. It matches
// ErrLimitExceeded.
type LimitError struct {
	Quota string // AWS's quota name, e.g. "GroupsPerUser"
	Max   int
	// Owner names the entity the quota is counted on, for the message.
	Owner string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("quota %s (%d) exceeded for %s", e.Quota, e.Max, e.Owner)
}
func (e *LimitError) Is(t error) bool { return t == ErrLimitExceeded }

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
	// Entity is what could not be deleted: a user, group, role, instance
	// profile, managed policy or policy version.
	Entity Entity
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("delete conflict: the %s still has a %s", e.Entity, e.Dependent)
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
	// PermissionsBoundary is the ARN of the managed policy bounding the
	// user's permissions, "" for none. A customer managed one must exist
	// when it is set; AWS managed ones (account "aws") are the caller's to
	// check.
	PermissionsBoundary string
	// PasswordLastUsed is when the user last signed in with its console
	// password (nil: never), kept after the password is removed.
	PasswordLastUsed *time.Time
}

// Group is an IAM group.
type Group struct {
	AccountID string
	ID        string // AGPA…, stable across renames
	Name      string
	Path      string
	CreatedAt time.Time
}

// Role is an IAM role.
type Role struct {
	AccountID   string
	ID          string // AROA…, stable across updates
	Name        string
	Path        string
	Description string
	// AssumeRolePolicy is the trust policy document, exactly as given.
	AssumeRolePolicy string
	// MaxSessionDuration bounds sessions of the role, in seconds.
	MaxSessionDuration int
	CreatedAt          time.Time
	Tags               []Tag
	// PermissionsBoundary is as for users.
	PermissionsBoundary string
	// LastUsed is when and in which region the role was last assumed or
	// acted through a session (Service unused); nil if never.
	LastUsed *LastUsed
}

// InstanceProfile is an IAM instance profile: a container for (at most
// MaxRolesPerInstanceProfile) roles.
type InstanceProfile struct {
	AccountID string
	ID        string // AIPA…
	Name      string
	Path      string
	CreatedAt time.Time
	Tags      []Tag
	Roles     []Role // filled on read
}

// ManagedPolicy is a customer managed policy. Its ARN is
// arn:aws:iam::ACCOUNT:policy PATH NAME.
type ManagedPolicy struct {
	AccountID        string
	ID               string // ANPA…
	Name             string
	Path             string
	Description      string
	DefaultVersionID string // "v1", "v2", …
	CreatedAt        time.Time
	// UpdatedAt is when the newest version was created (the creation date
	// while there is only v1), as AWS's UpdateDate.
	UpdatedAt time.Time
	Tags      []Tag
	// Filled on read: the entities it is attached to, and the users and
	// roles it bounds.
	AttachmentCount    int
	BoundaryUsageCount int
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	VersionID string
	Document  string // exactly as given
	IsDefault bool
	CreatedAt time.Time
}

// PolicyFilter selects managed policies in a listing.
type PolicyFilter struct {
	PathPrefix string
}

// EntityKind is the kind of IAM identity a policy can be embedded in or
// attached to.
type EntityKind string

const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// AttachedPolicy is a managed policy attached to an entity.
type AttachedPolicy struct {
	PolicyARN  string
	PolicyName string
	PolicyPath string
}

// PolicyEntity is an entity a managed policy is attached to.
type PolicyEntity struct {
	Kind EntityKind
	ID   string
	Name string
	Path string
}

// Key status values, as the IAM API spells them.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
	// StatusExpired is a key older than its account's key policy allows
	// (KeyPolicies): it never authenticates again and can only be deleted.
	StatusExpired = "Expired"
)

// AccessKey is a long-lived credential of a user or of an account's root.
type AccessKey struct {
	ID        string // AKIA…
	AccountID string
	// Root is set when the key belongs to the account's root identity
	// (the store holds no user for it); UserID is then "".
	Root      bool
	UserID    string
	UserName  string // filled on read; "" for the root
	UserPath  string // filled on read; "" for the root
	Status    string
	CreatedAt time.Time
	// SecretCiphertext is the secret sealed by the caller; MasterKeyID names
	// the master key that sealed it.
	SecretCiphertext []byte
	MasterKeyID      string
	LastUsed         *LastUsed
	// Quarantine says the key was deactivated by a quarantine rule (nil
	// otherwise, and again after any later status change).
	Quarantine *Quarantine
}

// Quarantine is when and why a key was quarantined.
type Quarantine struct {
	At     time.Time
	Reason string
}

// LastUsed is when and where a key last authenticated a request.
type LastUsed struct {
	Time    time.Time
	Service string
	Region  string
}

// LastUsedUpdate is one coalesced observation of a key's use, or (with
// RoleID instead of AccessKeyID) of a role's.
type LastUsedUpdate struct {
	AccessKeyID string
	RoleID      string
	LastUsed
}

// InlinePolicy is a policy embedded in a user or a group.
type InlinePolicy struct {
	// Owner is the name of the user or group; on read, as stored.
	Owner    string
	Name     string
	Document string // exactly as given
	// Size is the document's size as AWS counts it against the owner's
	// aggregate quota (white space not counted), computed by the caller.
	Size int
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
	// AccountSummary counts what the account holds, in one snapshot.
	AccountSummary(ctx context.Context, id string) (AccountSummary, error)
}

// AccountSummary is what GetAccountSummary reports of an account.
type AccountSummary struct {
	Users, Groups, Policies, Roles, InstanceProfiles int
	// PolicyVersions counts the versions of the customer managed policies.
	PolicyVersions int
	RootAccessKeys int
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
	// UpdateAccessKeyStatus sets the key's status, clearing its
	// Quarantine; ErrKeyExpired for an Expired key.
	UpdateAccessKeyStatus(ctx context.Context, accountID, userName, id, status string) error
	// QuarantineAccessKey deactivates an Active key, noting q:
	// ErrKeyNotActive when it is not Active (nothing changes).
	QuarantineAccessKey(ctx context.Context, accountID, userName, id string, q Quarantine) error
	// ListQuarantinedKeys returns the account's quarantined keys (the
	// root's and its users'), oldest key first.
	ListQuarantinedKeys(ctx context.Context, accountID string) ([]AccessKey, error)
	DeleteAccessKey(ctx context.Context, accountID, userName, id string) error
	// SealedSecrets returns up to limit keys whose secret is not sealed
	// with master key id except (for rotation), with their ciphertexts.
	SealedSecrets(ctx context.Context, except string, limit int) ([]AccessKey, error)
	// ReplaceSealedSecret stores a re-sealed secret for key id, only if it
	// is still sealed with oldMasterKeyID; it reports whether it replaced.
	ReplaceSealedSecret(ctx context.Context, id, oldMasterKeyID string, ciphertext []byte, newMasterKeyID string) (bool, error)
	// RecordLastUsed applies a batch of last-used observations of keys and
	// roles; a newer stored time is never overwritten by an older one, and
	// unknown keys and roles are skipped.
	RecordLastUsed(ctx context.Context, updates []LastUsedUpdate) error
}

// InlinePolicies is the aggregate of policies embedded in users, groups
// and roles (owner kind KindUser, KindGroup or KindRole; names ignore
// case).
type InlinePolicies interface {
	// PutInlinePolicy creates or replaces (by name ignoring case, keeping
	// the new spelling) a policy of the owner. A *LimitError when the
	// owner's policies together would exceed its aggregate size quota
	// (MaxUserInlinePolicySize, MaxGroupInlinePolicySize,
	// MaxRoleInlinePolicySize), the replaced policy not counted.
	PutInlinePolicy(ctx context.Context, accountID string, kind EntityKind, p InlinePolicy) error
	GetInlinePolicy(ctx context.Context, accountID string, kind EntityKind, owner, name string) (InlinePolicy, error)
	// ListInlinePolicies returns the owner's policies, documents included,
	// ordered by name ignoring case.
	ListInlinePolicies(ctx context.Context, accountID string, kind EntityKind, owner string) ([]InlinePolicy, error)
	DeleteInlinePolicy(ctx context.Context, accountID string, kind EntityKind, owner, name string) error
}

// Groups is the group aggregate, memberships included. Names ignore case.
type Groups interface {
	// CreateGroup: ErrAlreadyExists, or a *LimitError past
	// MaxGroupsPerAccount.
	CreateGroup(ctx context.Context, g Group) error
	GetGroup(ctx context.Context, accountID, name string) (Group, error)
	// ListGroups returns groups whose path starts with pathPrefix, ordered
	// by name ignoring case, and the sort key of the last one returned.
	ListGroups(ctx context.Context, accountID, pathPrefix string, p Page) (groups []Group, last string, more bool, err error)
	// UpdateGroup runs update on the current group inside one transaction
	// and stores its result (name and path may change).
	UpdateGroup(ctx context.Context, accountID, name string, update func(Group) (Group, error)) (Group, error)
	// DeleteGroup refuses (ConflictError) while the group has members,
	// inline policies or attached policies.
	DeleteGroup(ctx context.Context, accountID, name string) error
	// AddUserToGroup is idempotent; a *LimitError past MaxGroupsPerUser.
	AddUserToGroup(ctx context.Context, accountID, groupName, userName string) error
	// RemoveUserFromGroup: NotFoundError{EntityGroupMember} when the user
	// is not in the group.
	RemoveUserFromGroup(ctx context.Context, accountID, groupName, userName string) error
	// ListGroupMembers returns the group and a page of its users ordered by
	// name ignoring case.
	ListGroupMembers(ctx context.Context, accountID, groupName string, p Page) (g Group, users []User, last string, more bool, err error)
	// ListGroupsForUser returns the user's groups ordered by name ignoring
	// case.
	ListGroupsForUser(ctx context.Context, accountID, userName string) ([]Group, error)
}

// Roles is the role aggregate. Names ignore case.
type Roles interface {
	// CreateRole: ErrAlreadyExists, a *LimitError past MaxRolesPerAccount,
	// or NotFoundError{EntityManagedPolicy} for a missing customer managed
	// boundary.
	CreateRole(ctx context.Context, r Role) error
	GetRole(ctx context.Context, accountID, name string) (Role, error)
	// ListRoles returns roles whose path starts with pathPrefix, ordered by
	// name ignoring case, and the sort key of the last one returned.
	ListRoles(ctx context.Context, accountID, pathPrefix string, p Page) (roles []Role, last string, more bool, err error)
	// UpdateRole runs update on the current role inside one transaction;
	// the description, trust policy, maximum session duration and tags may
	// change, nothing else.
	UpdateRole(ctx context.Context, accountID, name string, update func(Role) (Role, error)) (Role, error)
	// DeleteRole refuses (ConflictError{Entity: EntityRole}) while the role
	// has inline policies (EntityRolePolicy), attached policies
	// (EntityAttachment) or is in an instance profile
	// (EntityInstanceProfile).
	DeleteRole(ctx context.Context, accountID, name string) error
	// SetRolePermissionsBoundary sets ("" removes) the role's boundary, as
	// SetUserPermissionsBoundary.
	SetRolePermissionsBoundary(ctx context.Context, accountID, roleName, policyARN string) error
}

// InstanceProfiles is the instance profile aggregate. Names ignore case.
type InstanceProfiles interface {
	// CreateInstanceProfile: ErrAlreadyExists, or a *LimitError past
	// MaxInstanceProfilesPerAccount.
	CreateInstanceProfile(ctx context.Context, p InstanceProfile) error
	GetInstanceProfile(ctx context.Context, accountID, name string) (InstanceProfile, error)
	// ListInstanceProfiles returns profiles whose path starts with
	// pathPrefix, ordered by name ignoring case, roles filled.
	ListInstanceProfiles(ctx context.Context, accountID, pathPrefix string, p Page) (profiles []InstanceProfile, last string, more bool, err error)
	// ListInstanceProfilesForRole returns the role's profiles ordered by
	// name ignoring case.
	ListInstanceProfilesForRole(ctx context.Context, accountID, roleName string) ([]InstanceProfile, error)
	// UpdateInstanceProfile runs update inside one transaction; only the
	// tags may change.
	UpdateInstanceProfile(ctx context.Context, accountID, name string, update func(InstanceProfile) (InstanceProfile, error)) error
	// DeleteInstanceProfile refuses (ConflictError{Entity:
	// EntityInstanceProfile, Dependent: EntityRole}) while it holds a role.
	DeleteInstanceProfile(ctx context.Context, accountID, name string) error
	// AddRoleToInstanceProfile: ErrAlreadyExists when the role is already
	// in it; a *LimitError past MaxRolesPerInstanceProfile.
	AddRoleToInstanceProfile(ctx context.Context, accountID, profileName, roleName string) error
	// RemoveRoleFromInstanceProfile: NotFoundError{EntityInstanceProfileRole}
	// when the role (which exists) is not in it.
	RemoveRoleFromInstanceProfile(ctx context.Context, accountID, profileName, roleName string) error
}

// ManagedPolicies is the customer managed policy aggregate: policies, their
// versions, their attachments to users and groups, and their use as
// permissions boundaries. Policies are named by ARN.
type ManagedPolicies interface {
	// CreatePolicy stores p with document as its default version v1.
	// ErrAlreadyExists for a name taken ignoring case; a *LimitError past
	// MaxPoliciesPerAccount.
	CreatePolicy(ctx context.Context, p ManagedPolicy, document string) (ManagedPolicy, error)
	GetPolicy(ctx context.Context, accountID, policyARN string) (ManagedPolicy, error)
	// ListPolicies returns policies ordered by name ignoring case.
	ListPolicies(ctx context.Context, accountID string, f PolicyFilter, p Page) (policies []ManagedPolicy, last string, more bool, err error)
	// UpdatePolicy runs update on the policy inside one transaction; only
	// its tags may change.
	UpdatePolicy(ctx context.Context, accountID, policyARN string, update func(ManagedPolicy) (ManagedPolicy, error)) error
	// DeletePolicy refuses (ConflictError) while the policy is attached or
	// bounds a user or role (EntityAttachment), or has versions other than
	// its default (EntityPolicyVersion).
	DeletePolicy(ctx context.Context, accountID, policyARN string) error
	// CreatePolicyVersion adds the next version (never reusing a number)
	// and advances UpdatedAt; a *LimitError past MaxPolicyVersions.
	CreatePolicyVersion(ctx context.Context, accountID, policyARN, document string, setDefault bool, at time.Time) (PolicyVersion, error)
	GetPolicyVersion(ctx context.Context, accountID, policyARN, versionID string) (PolicyVersion, error)
	// ListPolicyVersions returns the versions, newest first.
	ListPolicyVersions(ctx context.Context, accountID, policyARN string) ([]PolicyVersion, error)
	// DeletePolicyVersion refuses (ConflictError{EntityPolicyVersion}) to
	// delete the default version.
	DeletePolicyVersion(ctx context.Context, accountID, policyARN, versionID string) error
	SetDefaultPolicyVersion(ctx context.Context, accountID, policyARN, versionID string) error

	// AttachPolicy attaches a managed policy to the user, group or role
	// named owner; attaching again changes nothing. A customer managed
	// policy must exist (NotFoundError{EntityManagedPolicy}); a
	// *LimitError past MaxPoliciesPerUser, MaxPoliciesPerGroup or
	// MaxPoliciesPerRole.
	AttachPolicy(ctx context.Context, accountID string, kind EntityKind, owner string, p AttachedPolicy) error
	// DetachPolicy: NotFoundError{EntityAttachment} when not attached.
	DetachPolicy(ctx context.Context, accountID string, kind EntityKind, owner, policyARN string) error
	// ListAttachedPolicies returns the owner's attached policies ordered by
	// name ignoring case.
	ListAttachedPolicies(ctx context.Context, accountID string, kind EntityKind, owner string) ([]AttachedPolicy, error)
	// ListEntitiesForPolicy returns the users, groups and roles the policy
	// is attached to (boundary: false), or the users and roles it bounds
	// (boundary: true), ordered by kind then name ignoring case.
	ListEntitiesForPolicy(ctx context.Context, accountID, policyARN string, boundary bool) ([]PolicyEntity, error)
	// AttachmentCounts returns, for AWS managed policies (which the store
	// does not hold), how many entities of the account each is attached
	// to and bounds, by ARN.
	AttachmentCounts(ctx context.Context, accountID string) (attached, bounds map[string]int, err error)
	// SetUserPermissionsBoundary sets ("" removes) the user's boundary. A
	// customer managed policy must exist.
	SetUserPermissionsBoundary(ctx context.Context, accountID, userName, policyARN string) error
}

// PolicySet is everything that decides what an identity may do, read in one
// consistent snapshot: its inline and attached policies, its groups' (for
// a user), and its permissions boundary. Documents of AWS managed policies
// (account "aws") are not the store's: their Document is empty and the
// caller resolves them.
type PolicySet struct {
	// Kind is the identity's kind; User, Group or Role is filled
	// accordingly.
	Kind     EntityKind
	User     User
	Group    Group
	Role     Role
	Inline   []InlinePolicy
	Attached []PolicyDocument
	Groups   []GroupPolicySet // a user's groups, ordered by name ignoring case
	Boundary *PolicyDocument  // nil: no permissions boundary
	// UsersChangePasswords, for a user, is the account's password
	// policy's AllowUsersToChangePassword, read in the same snapshot.
	UsersChangePasswords bool
}

// GroupPolicySet is one group's part of a user's PolicySet.
type GroupPolicySet struct {
	Group    Group
	Inline   []InlinePolicy
	Attached []PolicyDocument
}

// PolicyDocument is a managed policy's default version.
type PolicyDocument struct {
	AttachedPolicy
	PolicyID  string // "" for AWS managed policies
	VersionID string // "" for AWS managed policies
	Document  string // "" for AWS managed policies
}

// Authorization reads policy sets for the authorizer and the simulator.
type Authorization interface {
	// UserPolicySet reads the policy set of the user with id userID.
	UserPolicySet(ctx context.Context, accountID, userID string) (PolicySet, error)
	// GroupPolicySet reads the policy set of the group named name (no
	// boundary: groups have none).
	GroupPolicySet(ctx context.Context, accountID, name string) (PolicySet, error)
	// RolePolicySet reads the policy set of the role named name.
	RolePolicySet(ctx context.Context, accountID, name string) (PolicySet, error)
	// SessionPolicies reads, in one snapshot, the default versions of the
	// managed policies named as a session's policies, in the order given:
	// AWS managed ones as their reference alone; a customer managed one
	// that no longer exists is left out (a session policy only limits, so
	// a missing one allows nothing).
	SessionPolicies(ctx context.Context, accountID string, policyARNs []string) ([]PolicyDocument, error)
}

// ChangeFeed tells caches when authorization state may have changed.
type ChangeFeed interface {
	// Generation advances after every committed write that can change
	// what a principal may do, before the write's method returns, and
	// after such a write by another server sharing the store, once this
	// one has learned of it. While a shared store cannot vouch that this
	// server knows of every such write acknowledged more than the
	// store's bound ago, it advances on every call, so nothing cached is
	// used.
	Generation() uint64
	// ExternalGeneration is Generation without this server's own writes:
	// what a cache that this server's writes invalidate precisely (the
	// key cache) must also follow. Constant for a store no other server
	// writes.
	ExternalGeneration() uint64
}

// KeyPolicy is an account's rule for its access keys: MaxAge, when set,
// is the age past which a key expires.
type KeyPolicy struct {
	AccountID string
	MaxAge    time.Duration // whole days; 0: keys never expire
}

// ErrKeyExpired: the key expired (StatusExpired) and can only be deleted.
var ErrKeyExpired = errors.New("the access key is expired")

// ErrKeyNotActive: a quarantine found the key no longer Active.
var ErrKeyNotActive = errors.New("the access key is not Active")

// KeyPolicies holds the accounts' key policies and expires keys by them.
type KeyPolicies interface {
	// GetKeyPolicy is the account's policy (MaxAge 0 when it has none).
	GetKeyPolicy(ctx context.Context, accountID string) (KeyPolicy, error)
	// PutKeyPolicy sets the account's policy; MaxAge 0 removes it.
	PutKeyPolicy(ctx context.Context, p KeyPolicy) error
	// ListKeyPolicies is every account's policy that has a MaxAge.
	ListKeyPolicies(ctx context.Context) ([]KeyPolicy, error)
	// ExpireKeys marks Expired, in one transaction, every key of the
	// account created before createdBefore and not expired yet, and
	// returns them as they were.
	ExpireKeys(ctx context.Context, accountID string, createdBefore time.Time) ([]AccessKey, error)
}

// RelyingService is a service that trusts Latchkey to verify and
// authorize its callers: it calls Latchkey as Principal, and may have
// verified only requests signed for its Scopes and addressed to its Hosts.
type RelyingService struct {
	AccountID string
	Name      string // as created; unique in its account ignoring case
	// Principal is the ARN the service calls as: a user's, a role's (for
	// its sessions) or the account root's. Unique in its account.
	Principal string
	Scopes    []Scope
	// Hosts are the Host values of the requests it may have verified;
	// none: any host.
	Hosts     []string
	CreatedAt time.Time
}

// Scope is a SigV4 credential scope's region and service.
type Scope struct {
	Region  string `json:"region"`
	Service string `json:"service"`
}

// MaxRelyingServicesPerAccount bounds an account's relying services.
const MaxRelyingServicesPerAccount = 100

// EntityRelyingService names relying services in NotFoundError.
const EntityRelyingService Entity = "relying service"

// RelyingServices holds the relying-service records.
type RelyingServices interface {
	// CreateRelyingService stores r: ErrAlreadyExists when its name or its
	// principal is taken in the account; a *LimitError past the quota.
	CreateRelyingService(ctx context.Context, r RelyingService) error
	GetRelyingService(ctx context.Context, accountID, name string) (RelyingService, error)
	// RelyingServiceFor finds the service that calls as principalARN.
	RelyingServiceFor(ctx context.Context, accountID, principalARN string) (RelyingService, error)
	ListRelyingServices(ctx context.Context, accountID string) ([]RelyingService, error)
	DeleteRelyingService(ctx context.Context, accountID, name string) error
}

// ChangeKind says what a committed write changed.
type ChangeKind string

// What a Change's Subject names, by kind: an access key's id; a user's,
// group's, role's or instance profile's name; for PolicyChanged, a
// managed policy's ARN, or the owner of an inline policy or a boundary as
// user/NAME, group/NAME or role/NAME; for GroupMembershipChanged, the
// user's name; an OIDC provider's URL; a relying service's name; an
// account's id; for ChangeStore,
// the setting's name.
const (
	ChangeAccountCreated         ChangeKind = "AccountCreated"
	ChangeUserCreated            ChangeKind = "UserCreated"
	ChangeUserUpdated            ChangeKind = "UserUpdated"
	ChangeUserDeleted            ChangeKind = "UserDeleted"
	ChangeAccessKeyCreated       ChangeKind = "AccessKeyCreated"
	ChangeAccessKeyActivated     ChangeKind = "AccessKeyActivated"
	ChangeAccessKeyDeactivated   ChangeKind = "AccessKeyDeactivated"
	ChangeAccessKeyDeleted       ChangeKind = "AccessKeyDeleted"
	ChangeAccessKeyExpired       ChangeKind = "AccessKeyExpired"
	ChangeKeyPolicyChanged       ChangeKind = "KeyPolicyChanged"
	ChangeGroupCreated           ChangeKind = "GroupCreated"
	ChangeGroupUpdated           ChangeKind = "GroupUpdated"
	ChangeGroupDeleted           ChangeKind = "GroupDeleted"
	ChangeGroupMembershipChanged ChangeKind = "GroupMembershipChanged"
	ChangePolicyChanged          ChangeKind = "PolicyChanged"
	ChangeRoleCreated            ChangeKind = "RoleCreated"
	ChangeRoleUpdated            ChangeKind = "RoleUpdated"
	ChangeRoleDeleted            ChangeKind = "RoleDeleted"
	ChangeInstanceProfileChanged ChangeKind = "InstanceProfileChanged"
	ChangeProviderChanged        ChangeKind = "OpenIDConnectProviderChanged"
	ChangeRelyingServiceChanged  ChangeKind = "RelyingServiceChanged"
	// ChangeLoginProfileChanged: a user's login profile was created,
	// updated or deleted (Subject: the user's name);
	// ChangePasswordPolicyChanged: the account's password policy (Subject:
	// the account's id).
	ChangeLoginProfileChanged   ChangeKind = "LoginProfileChanged"
	ChangePasswordPolicyChanged ChangeKind = "PasswordPolicyChanged"
	// ChangeStore: a change of the store's own settings (the master key,
	// a bulk load): everything may have changed.
	ChangeStore ChangeKind = "StoreChanged"
)

// Change is an entry of the change log: what one committed write changed.
type Change struct {
	// Seq numbers the changes in commit order, without gaps: every
	// change committed gets the next number, across every server sharing
	// the store.
	Seq       int64
	Kind      ChangeKind
	AccountID string // "" for ChangeStore
	Subject   string
	At        time.Time
}

// ChangeRetention is how long the change log keeps an entry at least.
const ChangeRetention = 24 * time.Hour

// ChangeLog is what the store's committed writes changed, in order: every
// write that can change what authenticates or what is allowed records its
// changes in its own transaction.
type ChangeLog interface {
	// Changes returns up to limit changes numbered above after, in
	// order, and the number of the last change committed. First is the
	// oldest number the log still holds (last+1 when it holds none): a
	// reader whose after+1 is below it has missed changes the log no
	// longer has.
	Changes(ctx context.Context, after int64, limit int) (changes []Change, first, last int64, err error)
}

// Meta holds small named values the server needs across restarts (the
// master key check value, for one).
type Meta interface {
	GetMeta(ctx context.Context, name string) (string, error)
	PutMeta(ctx context.Context, name, value string) error
	// InitMeta stores value under name unless a value is stored already,
	// and returns the stored value: of servers starting together, the
	// first one's value is everyone's.
	InitMeta(ctx context.Context, name, value string) (string, error)
}

// AWS's quotas on OpenID Connect providers, enforced by the store inside
// its transactions. The names are AWS's quota names, as its LimitExceeded
// messages give them (the tag quota's is Latchkey's: AWS words that one
// without a name).
const (
	MaxOpenIDConnectProvidersPerAccount    = 100 // OpenIdConnectProvidersPerAccount
	MaxClientIDsPerOpenIDConnectProvider   = 100 // ClientIdsPerOpenIdConnectProvider
	MaxThumbprintsPerOpenIDConnectProvider = 5   // ThumbprintsPerOpenIdConnectProvider
	MaxTagsPerOpenIDConnectProvider        = 50  // TagsPerOpenIdConnectProvider
)

// EntityOpenIDConnectProvider is an IAM OpenID Connect provider.
const EntityOpenIDConnectProvider Entity = "OpenID Connect provider"

// OpenIDConnectProvider is an IAM OpenID Connect (OIDC) identity provider.
// It has no id: it is named by its URL without the scheme, so its ARN is
// arn:aws:iam::ACCOUNT:oidc-provider/URL.
type OpenIDConnectProvider struct {
	AccountID string
	// URL is the provider's URL without "https://" (host, port and path,
	// exactly as given): what GetOpenIDConnectProvider answers as Url, and
	// the provider's key, unique per account.
	URL string
	// ClientIDs (audiences) and Thumbprints (hex SHA-1 of certificates)
	// are sets kept in the order given: the store keeps the first of
	// duplicates, client ids compared exactly, thumbprints ignoring case.
	ClientIDs   []string
	Thumbprints []string
	CreatedAt   time.Time
	Tags        []Tag
}

// OpenIDConnectProviders is the OIDC provider aggregate. Providers are
// named by account and URL (OpenIDConnectProvider.URL, an ARN's suffix).
// Every write refuses, with a *LimitError, a provider past
// MaxClientIDsPerOpenIDConnectProvider client ids,
// MaxThumbprintsPerOpenIDConnectProvider thumbprints or
// MaxTagsPerOpenIDConnectProvider tags, counted after duplicates are
// dropped.
type OpenIDConnectProviders interface {
	// CreateOpenIDConnectProvider: ErrAlreadyExists for a URL the account
	// already has, or a *LimitError past MaxOpenIDConnectProvidersPerAccount.
	CreateOpenIDConnectProvider(ctx context.Context, p OpenIDConnectProvider) error
	// GetOpenIDConnectProvider reads the provider with that URL, client ids
	// and thumbprints included: what STS checks a web identity token's
	// issuer and audience against. NotFoundError{EntityOpenIDConnectProvider}.
	GetOpenIDConnectProvider(ctx context.Context, accountID, url string) (OpenIDConnectProvider, error)
	// ListOpenIDConnectProviders returns the account's providers ordered by
	// URL.
	ListOpenIDConnectProviders(ctx context.Context, accountID string) ([]OpenIDConnectProvider, error)
	// UpdateOpenIDConnectProvider runs update on the provider inside one
	// transaction and stores its result: the client ids, thumbprints and
	// tags may change, nothing else. It returns the provider as stored.
	UpdateOpenIDConnectProvider(ctx context.Context, accountID, url string, update func(OpenIDConnectProvider) (OpenIDConnectProvider, error)) (OpenIDConnectProvider, error)
	DeleteOpenIDConnectProvider(ctx context.Context, accountID, url string) error
}

// EntityCredentialReport is an account's credential report;
// EntityAccountAlias an account alias.
const (
	EntityCredentialReport Entity = "credential report"
	EntityAccountAlias     Entity = "account alias"
)

// CredentialReport is an account's credential report as it was generated:
// the CSV GetCredentialReport returns, and when it was made.
type CredentialReport struct {
	AccountID   string
	GeneratedAt time.Time
	Content     []byte
}

// CredentialHolder is what one row of a credential report describes: the
// account's root (Root set, User zero) or a user, with its access keys
// oldest first (their LastUsed as stored; secrets not filled) and its
// login profile (nil without one; no hash nor history filled).
type CredentialHolder struct {
	Root         bool
	User         User
	Keys         []AccessKey
	LoginProfile *LoginProfile
}

// CredentialSnapshot is what a credential report is made of, read in one
// snapshot: the account, and the root then the users ordered by name
// ignoring case.
type CredentialSnapshot struct {
	Account Account
	Holders []CredentialHolder
	// PasswordPolicy is the account's, nil without one.
	PasswordPolicy *PasswordPolicy
}

// CredentialReports keeps each account's one credential report.
type CredentialReports interface {
	// CredentialSnapshot reads the account, its users and every access key
	// (the root's included) in one snapshot. NotFoundError{EntityAccount}.
	CredentialSnapshot(ctx context.Context, accountID string) (CredentialSnapshot, error)
	// PutCredentialReport stores r as its account's report, replacing the
	// one held, unless the one held was generated after notBefore: that
	// one is then kept. It returns the report the account holds afterwards
	// and whether it is r; of writers racing, one stores and the others
	// are given its report.
	PutCredentialReport(ctx context.Context, r CredentialReport, notBefore time.Time) (CredentialReport, bool, error)
	// GetCredentialReport: NotFoundError{EntityCredentialReport} when the
	// account has none.
	GetCredentialReport(ctx context.Context, accountID string) (CredentialReport, error)
}

// AccountAliases is the account alias aggregate. An account has at most
// one alias, and an alias names at most one account in the whole store (as
// AWS's are unique across accounts).
type AccountAliases interface {
	// CreateAccountAlias makes alias the account's alias, replacing the one
	// it had (AWS replaces; it does not refuse a second). ErrAlreadyExists
	// when an account, this one included, holds alias already.
	CreateAccountAlias(ctx context.Context, accountID, alias string) error
	// DeleteAccountAlias removes the account's alias if it is alias:
	// NotFoundError{EntityAccountAlias} otherwise.
	DeleteAccountAlias(ctx context.Context, accountID, alias string) error
	// ListAccountAliases returns the account's alias: none or one.
	ListAccountAliases(ctx context.Context, accountID string) ([]string, error)
	// AccountByAlias returns the id of the account holding alias:
	// NotFoundError{EntityAccountAlias} when none does.
	AccountByAlias(ctx context.Context, alias string) (string, error)
}

// EntityLoginProfile is a user's login profile (console password);
// EntityPasswordPolicy an account's password policy.
const (
	EntityLoginProfile   Entity = "login profile"
	EntityPasswordPolicy Entity = "password policy"
)

// MaxPasswordHistory is how many earlier password hashes a user's login
// profile keeps: AWS's largest PasswordReusePrevention (24) less the
// current password.
const MaxPasswordHistory = 23

// LoginProfile is a user's console password. The store keeps the password
// only as the hash it is given (a PHC string); it never sees the password.
type LoginProfile struct {
	AccountID             string
	UserName              string
	PasswordHash          string
	PasswordResetRequired bool
	CreatedAt             time.Time
	// PasswordChangedAt is when the password was last set (CreatedAt at
	// first).
	PasswordChangedAt time.Time
	// History holds the user's earlier password hashes, newest first, at
	// most MaxPasswordHistory: read with the profile, kept by the store
	// (UpdateLoginProfile appends the replaced hash itself).
	History []string
}

// LoginProfiles is the login profile aggregate: a user has one at most,
// held by the database's constraints. DeleteUser refuses
// (ConflictError{Dependent: EntityLoginProfile}) while the user has one.
type LoginProfiles interface {
	// CreateLoginProfile stores p for the user p.UserName:
	// NotFoundError{EntityUser}, or ErrAlreadyExists when it has one.
	CreateLoginProfile(ctx context.Context, p LoginProfile) error
	// GetLoginProfile: NotFoundError{EntityUser} for a missing user,
	// NotFoundError{EntityLoginProfile} for a user without one.
	GetLoginProfile(ctx context.Context, accountID, userName string) (LoginProfile, error)
	// UpdateLoginProfile runs update on the profile inside one transaction
	// and stores its PasswordHash, PasswordResetRequired and
	// PasswordChangedAt. A new hash pushes the one it replaces onto the
	// history (trimmed to MaxPasswordHistory). It returns the profile as
	// stored.
	UpdateLoginProfile(ctx context.Context, accountID, userName string, update func(LoginProfile) (LoginProfile, error)) (LoginProfile, error)
	// DeleteLoginProfile removes the profile and its history.
	DeleteLoginProfile(ctx context.Context, accountID, userName string) error
	// RecordPasswordUse notes that the user with id userID signed in with
	// its password at at (an earlier time than the one noted changes
	// nothing). NotFoundError{EntityUser} when no such user exists.
	RecordPasswordUse(ctx context.Context, accountID, userID string, at time.Time) error
}

// PasswordPolicy is an account's password policy, with AWS's fields.
// Zero MaxPasswordAge and PasswordReusePrevention mean none.
type PasswordPolicy struct {
	AccountID                  string
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	HardExpiry                 bool
}

// PasswordPolicies keeps each account's one password policy.
type PasswordPolicies interface {
	// PutPasswordPolicy stores p as its account's policy, replacing the
	// one held. NotFoundError{EntityAccount}.
	PutPasswordPolicy(ctx context.Context, p PasswordPolicy) error
	// GetPasswordPolicy: NotFoundError{EntityPasswordPolicy} when the
	// account has none.
	GetPasswordPolicy(ctx context.Context, accountID string) (PasswordPolicy, error)
	// DeletePasswordPolicy: NotFoundError{EntityPasswordPolicy} when the
	// account has none.
	DeletePasswordPolicy(ctx context.Context, accountID string) error
}

// Store is everything a backend provides.
type Store interface {
	Accounts
	Users
	AccessKeys
	InlinePolicies
	Groups
	Roles
	InstanceProfiles
	ManagedPolicies
	OpenIDConnectProviders
	CredentialReports
	AccountAliases
	LoginProfiles
	PasswordPolicies
	Authorization
	ChangeFeed
	ChangeLog
	RelyingServices
	KeyPolicies
	Meta
	// Reset empties the store back to the account keepAccount with its
	// root access keys, in one transaction: every other account goes, and
	// so does everything the accounts held (users and their keys, groups,
	// roles, instance profiles, policies, OIDC providers, relying
	// services, aliases, key policies, credential reports, login profiles,
	// password policies). Meta values
	// and the change log stay; the reset is logged as a ChangeStore change
	// and Generation advances. NotFoundError{EntityAccount}, with nothing
	// changed, when keepAccount does not exist. For development servers
	// (latchkey serve --dev) and tests.
	Reset(ctx context.Context, keepAccount string) error
	// Check runs the backend's own integrity check.
	Check(ctx context.Context) error
	Close() error
}
