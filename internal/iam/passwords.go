package iam

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/password"
	"github.com/latchkey/latchkey/internal/store"
)

// Login profiles (console passwords) and the account's password policy.
//
// A password is hashed (argon2id, package password) before it reaches the
// store and is never logged nor returned; the store keeps the hash and the
// user's earlier hashes, which PasswordReusePrevention is checked against.
// A password is checked against the account's policy when it is set by
// CreateLoginProfile, UpdateLoginProfile or ChangePassword; an account
// without a policy gets AWS's default minimum of 8 characters (AWS's
// default policy also asks for three of the four character types: that
// rule is not applied). UpdateAccountPasswordPolicy replaces the whole
// policy, each absent parameter taking the model's default (6 characters,
// every flag false, no expiry, no reuse prevention), as AWS documents.
// ChangePassword is the calling user's own: the root is InvalidUserType,
// as AWS documents; the permission comes from the caller's policies,
// which include what AllowUsersToChangePassword grants every user
// (authz.Source: ChangePassword on itself, GetAccountPasswordPolicy).

// passwordSymbols are the characters AWS counts as symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// defaultMinimumPasswordLength applies to accounts without a policy;
// modelMinimumPasswordLength is UpdateAccountPasswordPolicy's default.
const (
	defaultMinimumPasswordLength = 8
	modelMinimumPasswordLength   = 6
)

type xmlLoginProfile struct {
	UserName              string     `xml:"UserName"`
	CreateDate            *Timestamp `xml:"CreateDate"`
	PasswordResetRequired bool       `xml:"PasswordResetRequired"`
}

type createLoginProfileResult struct {
	LoginProfile xmlLoginProfile `xml:"LoginProfile"`
}

type getLoginProfileResult struct {
	LoginProfile xmlLoginProfile `xml:"LoginProfile"`
}

type xmlPasswordPolicy struct {
	MinimumPasswordLength      int  `xml:"MinimumPasswordLength"`
	RequireSymbols             bool `xml:"RequireSymbols"`
	RequireNumbers             bool `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool `xml:"ExpirePasswords"`
	MaxPasswordAge             int  `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    int  `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 bool `xml:"HardExpiry"`
}

type getAccountPasswordPolicyResult struct {
	PasswordPolicy xmlPasswordPolicy `xml:"PasswordPolicy"`
}

func xmlProfile(p store.LoginProfile) xmlLoginProfile {
	return xmlLoginProfile{UserName: p.UserName, CreateDate: TimestampPtr(p.CreatedAt), PasswordResetRequired: p.PasswordResetRequired}
}

func noSuchLoginProfile(user string) *awserr.Error {
	return awserr.NoSuchEntity("Login Profile for User %s cannot be found.", user)
}

// loginProfileErr words a store error of the login profile actions.
func loginProfileErr(err error, user string) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Entity == store.EntityLoginProfile {
		return noSuchLoginProfile(nf.Name)
	}
	if errors.Is(err, store.ErrAlreadyExists) {
		return awserr.EntityAlreadyExists("Login Profile for user %s already exists.", user)
	}
	return storeErr(err)
}

// profileOwner is the user a login profile action names: UserName, or the
// calling user. The root keeps no login profile here.
func profileOwner(r *op.Request) (string, error) {
	name, err := ownerName(r)
	if err != nil {
		return "", err
	}
	if name == "" {
		return "", awserr.ValidationError("Must specify userName when calling with non-User credentials")
	}
	return name, nil
}

// passwordPolicy is the account's policy, or nil without one.
func (s *Service) passwordPolicy(ctx context.Context, accountID string) (*store.PasswordPolicy, error) {
	p, err := s.Store.GetPasswordPolicy(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return &p, nil
}

// checkPassword is PasswordPolicyViolation, worded as AWS words it, for a
// password that breaks the policy (nil: the account has none).
func checkPassword(pw string, policy *store.PasswordPolicy) error {
	minLen := defaultMinimumPasswordLength
	if policy != nil {
		minLen = policy.MinimumPasswordLength
	}
	if len([]rune(pw)) < minLen {
		return awserr.PasswordPolicyViolation("Password should have at least %d characters", minLen)
	}
	if policy == nil {
		return nil
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	switch {
	case policy.RequireUppercaseCharacters && !has(func(c rune) bool { return c >= 'A' && c <= 'Z' }):
		return awserr.PasswordPolicyViolation("Password should have at least one uppercase letter")
	case policy.RequireLowercaseCharacters && !has(func(c rune) bool { return c >= 'a' && c <= 'z' }):
		return awserr.PasswordPolicyViolation("Password should have at least one lowercase letter")
	case policy.RequireNumbers && !has(func(c rune) bool { return c >= '0' && c <= '9' }):
		return awserr.PasswordPolicyViolation("Password should have at least one number")
	case policy.RequireSymbols && !strings.ContainsAny(pw, passwordSymbols):
		return awserr.PasswordPolicyViolation("Password should have at least one symbol")
	}
	return nil
}

// checkReuse refuses a password among the last PasswordReusePrevention
// ones: the current hash and the newest of the history.
func checkReuse(pw string, p store.LoginProfile, policy *store.PasswordPolicy) error {
	if policy == nil || policy.PasswordReusePrevention == 0 {
		return nil
	}
	hashes := append([]string{p.PasswordHash}, p.History...)
	if len(hashes) > policy.PasswordReusePrevention {
		hashes = hashes[:policy.PasswordReusePrevention]
	}
	for _, h := range hashes {
		ok, err := password.Verify(pw, h)
		if err != nil {
			return awserr.ServiceFailure(err)
		}
		if ok {
			return awserr.PasswordPolicyViolation("Policy constraint violation with password reuse prevention during password change")
		}
	}
	return nil
}

func hashPassword(pw string) (string, error) {
	h, err := password.Hash(pw, password.Default)
	if err != nil {
		return "", awserr.ServiceFailure(err)
	}
	return h, nil
}

func (s *Service) createLoginProfile(ctx context.Context, r *op.Request) (any, error) {
	name, err := profileOwner(r)
	if err != nil {
		return nil, err
	}
	pw := r.Input.String("Password")
	if pw == "" {
		return nil, awserr.ValidationError("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	if _, err := s.Store.GetUser(ctx, r.Caller.AccountID, name); err != nil {
		return nil, storeErr(err)
	}
	policy, err := s.passwordPolicy(ctx, r.Caller.AccountID)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(pw, policy); err != nil {
		return nil, err
	}
	hash, err := hashPassword(pw)
	if err != nil {
		return nil, err
	}
	reset, _ := r.Input.Bool("PasswordResetRequired")
	now := s.now()
	p := store.LoginProfile{AccountID: r.Caller.AccountID, UserName: name, PasswordHash: hash,
		PasswordResetRequired: reset, CreatedAt: now, PasswordChangedAt: now}
	if err := s.Store.CreateLoginProfile(ctx, p); err != nil {
		return nil, loginProfileErr(err, name)
	}
	stored, err := s.Store.GetLoginProfile(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, loginProfileErr(err, name)
	}
	return createLoginProfileResult{LoginProfile: xmlProfile(stored)}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, r *op.Request) (any, error) {
	name, err := profileOwner(r)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.GetLoginProfile(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, loginProfileErr(err, name)
	}
	return getLoginProfileResult{LoginProfile: xmlProfile(p)}, nil
}

func (s *Service) updateLoginProfile(ctx context.Context, r *op.Request) (any, error) {
	name := r.Input.String("UserName")
	pw := r.Input.String("Password")
	reset, setReset := r.Input.Bool("PasswordResetRequired")
	var hash string
	var current store.LoginProfile
	if pw != "" {
		policy, err := s.passwordPolicy(ctx, r.Caller.AccountID)
		if err != nil {
			return nil, err
		}
		if err := checkPassword(pw, policy); err != nil {
			return nil, err
		}
		// The slow part (a hash, the reuse check's verifications) before
		// the write: its transaction must not wait on them.
		if current, err = s.Store.GetLoginProfile(ctx, r.Caller.AccountID, name); err != nil {
			return nil, loginProfileErr(err, name)
		}
		if err := checkReuse(pw, current, policy); err != nil {
			return nil, err
		}
		if hash, err = hashPassword(pw); err != nil {
			return nil, err
		}
	}
	now := s.now()
	_, err := s.Store.UpdateLoginProfile(ctx, r.Caller.AccountID, name, func(p store.LoginProfile) (store.LoginProfile, error) {
		if pw != "" {
			if !sameHashes(p, current) {
				return p, errPasswordRace
			}
			p.PasswordHash, p.PasswordChangedAt = hash, now
		}
		if setReset {
			p.PasswordResetRequired = reset
		}
		return p, nil
	})
	if err != nil {
		return nil, loginProfileErr(err, name)
	}
	return nil, nil
}

func (s *Service) deleteLoginProfile(ctx context.Context, r *op.Request) (any, error) {
	name, err := profileOwner(r)
	if err != nil {
		return nil, err
	}
	return nil, loginProfileErr(s.Store.DeleteLoginProfile(ctx, r.Caller.AccountID, name), name)
}

// changePassword is the calling user's own change of its own password:
// OldPassword must be its current one. A wrong one is InvalidUserType
// ("The old password is incorrect."), without telling anything more.
func (s *Service) changePassword(ctx context.Context, r *op.Request) (any, error) {
	if !r.Caller.IsUser() {
		return nil, awserr.InvalidUserType("Only IAM users can change their own password.")
	}
	name := r.Caller.Name
	oldPw, newPw := r.Input.String("OldPassword"), r.Input.String("NewPassword")
	policy, err := s.passwordPolicy(ctx, r.Caller.AccountID)
	if err != nil {
		return nil, err
	}
	current, err := s.Store.GetLoginProfile(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, loginProfileErr(err, name)
	}
	if err := verifyOld(oldPw, current.PasswordHash); err != nil {
		return nil, err
	}
	if err := checkPassword(newPw, policy); err != nil {
		return nil, err
	}
	hash, err := hashPassword(newPw)
	if err != nil {
		return nil, err
	}
	if err := checkReuse(newPw, current, policy); err != nil {
		return nil, err
	}
	now := s.now()
	_, err = s.Store.UpdateLoginProfile(ctx, r.Caller.AccountID, name, func(p store.LoginProfile) (store.LoginProfile, error) {
		// The old password and the reuse check were checked against the
		// profile as first read, outside the transaction (they are slow):
		// a password set since then refuses this change.
		if !sameHashes(p, current) {
			return p, errPasswordRace
		}
		p.PasswordHash, p.PasswordChangedAt, p.PasswordResetRequired = hash, now, false
		return p, nil
	})
	if err != nil {
		return nil, loginProfileErr(err, name)
	}
	return nil, nil
}

// errPasswordRace: the password changed between the checks and the write.
var errPasswordRace = awserr.EntityTemporarilyUnmodifiable("The password was changed by another request at the same time; try again.")

// sameHashes reports whether p holds the password and history that were
// checked (compared as stored text: cheap inside a transaction).
func sameHashes(p, checked store.LoginProfile) bool {
	return p.PasswordHash == checked.PasswordHash && slices.Equal(p.History, checked.History)
}

func verifyOld(pw, hash string) error {
	ok, err := password.Verify(pw, hash)
	if err != nil {
		return awserr.ServiceFailure(err)
	}
	if !ok {
		return awserr.InvalidUserType("The old password is incorrect.")
	}
	return nil
}

func (s *Service) getAccountPasswordPolicy(ctx context.Context, r *op.Request) (any, error) {
	p, err := s.Store.GetPasswordPolicy(ctx, r.Caller.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchPasswordPolicy()
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return getAccountPasswordPolicyResult{PasswordPolicy: xmlPasswordPolicy{
		MinimumPasswordLength:      p.MinimumPasswordLength,
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		ExpirePasswords:            p.MaxPasswordAge > 0,
		MaxPasswordAge:             p.MaxPasswordAge,
		PasswordReusePrevention:    p.PasswordReusePrevention,
		HardExpiry:                 p.HardExpiry,
	}}, nil
}

func noSuchPasswordPolicy() *awserr.Error {
	return awserr.NoSuchEntity("The Password Policy with domain name %s cannot be found.", "ACCOUNT")
}

// updateAccountPasswordPolicy replaces the policy: AWS does no partial
// updates, an absent parameter takes its default.
func (s *Service) updateAccountPasswordPolicy(ctx context.Context, r *op.Request) (any, error) {
	in := r.Input
	b := func(name string) bool { v, _ := in.Bool(name); return v }
	p := store.PasswordPolicy{
		AccountID:                  r.Caller.AccountID,
		MinimumPasswordLength:      modelMinimumPasswordLength,
		RequireSymbols:             b("RequireSymbols"),
		RequireNumbers:             b("RequireNumbers"),
		RequireUppercaseCharacters: b("RequireUppercaseCharacters"),
		RequireLowercaseCharacters: b("RequireLowercaseCharacters"),
		AllowUsersToChangePassword: b("AllowUsersToChangePassword"),
		HardExpiry:                 b("HardExpiry"),
	}
	if n, ok := in.Int("MinimumPasswordLength"); ok {
		p.MinimumPasswordLength = n
	}
	if n, ok := in.Int("MaxPasswordAge"); ok {
		p.MaxPasswordAge = n
	}
	if n, ok := in.Int("PasswordReusePrevention"); ok {
		p.PasswordReusePrevention = n
	}
	return nil, storeErr(s.Store.PutPasswordPolicy(ctx, p))
}

func (s *Service) deleteAccountPasswordPolicy(ctx context.Context, r *op.Request) (any, error) {
	err := s.Store.DeletePasswordPolicy(ctx, r.Caller.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchPasswordPolicy()
	}
	return nil, storeErr(err)
}
