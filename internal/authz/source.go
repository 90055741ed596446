package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awsmanaged"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/store"
)

// Backend is what Source reads: policy sets, and the change feed that says
// when a cached one may be stale.
type Backend interface {
	store.Authorization
	store.ChangeFeed
}

// Source gathers and parses the policy sets of users and groups. Parsed
// documents are cached by their text, and resolved sets by identity; a set
// is reused only while the store's generation is the one it was read
// under, so a set never outlives an acknowledged write that changed it.
type Source struct {
	Store Backend
	// MaxSets bounds the cached sets (0: no caching of sets).
	MaxSets int

	mu     sync.Mutex
	sets   map[string]cachedSet
	parsed map[string]*policy.Policy
}

type cachedSet struct {
	gen uint64
	set *Set
}

const maxParsed = 10_000

// User returns the policy set of the user with id userID.
func (s *Source) User(ctx context.Context, accountID, userID string) (*Set, error) {
	return s.cached("user/"+accountID+"/"+userID, func() (store.PolicySet, error) {
		ps, err := s.Store.UserPolicySet(ctx, accountID, userID)
		if err != nil {
			return ps, fmt.Errorf("read the policies of user %s: %w", userID, err)
		}
		return ps, nil
	})
}

// cached resolves the set load reads, reusing the one cached under key
// while the store's generation is the one it was read under. The
// generation is read before the store, so a set read across a write is
// never reused after it.
func (s *Source) cached(key string, load func() (store.PolicySet, error)) (*Set, error) {
	return s.cachedSet(key, func() (*Set, error) {
		ps, err := load()
		if err != nil {
			return nil, err
		}
		return s.Resolve(ps)
	})
}

func (s *Source) cachedSet(key string, load func() (*Set, error)) (*Set, error) {
	gen := s.Store.Generation()
	if s.MaxSets > 0 {
		s.mu.Lock()
		c, ok := s.sets[key]
		s.mu.Unlock()
		if ok && c.gen == gen {
			return c.set, nil
		}
	}
	set, err := load()
	if err != nil {
		return nil, err
	}
	if s.MaxSets > 0 {
		s.mu.Lock()
		if s.sets == nil || len(s.sets) >= s.MaxSets {
			s.sets = make(map[string]cachedSet)
		}
		s.sets[key] = cachedSet{gen: gen, set: set}
		s.mu.Unlock()
	}
	return set, nil
}

// Principal returns the policy set that decides what p may do:
//
//   - a user's own set (also for its GetSessionToken sessions);
//   - for a role session, its role's current policies;
//   - for a federated user, its creator's policies (the root's: all);
//
// limited by the session's policies, with its session tags over the
// identity's tags. A session whose role or creating user is gone, or was
// replaced by another of the same name, gets an empty set, as does a
// federated user without session policies: every action is implicitly
// denied. The root has no policy set (it may do everything in its
// account): nil.
func (s *Source) Principal(ctx context.Context, p *principal.Principal) (*Set, error) {
	var set *Set
	var err error
	switch p.Kind {
	case principal.Root:
		return nil, nil
	case principal.User:
		set, err = s.User(ctx, p.AccountID, p.ID)
		if errors.Is(err, store.ErrNotFound) && p.Session != nil {
			// A session outlives its user's deletion, powerless.
			return NewSet(nil, nil, nil), nil
		}
	case principal.AssumedRole:
		set, err = s.Role(ctx, p.AccountID, p.Name)
		if errors.Is(err, store.ErrNotFound) || err == nil && set.PrincipalID != p.ID {
			return NewSet(nil, nil, nil), nil
		}
	case principal.FederatedUser:
		switch {
		case p.Session == nil || !p.Session.HasSessionPolicies():
			return NewSet(nil, nil, nil), nil
		case p.Session.CreatedByRoot:
			set = rootSet
		default:
			set, err = s.User(ctx, p.AccountID, p.ID)
			if errors.Is(err, store.ErrNotFound) {
				return NewSet(nil, nil, nil), nil
			}
		}
	default:
		return nil, fmt.Errorf("principal %q of kind %s has no policy set", p.ARN(), p.Kind)
	}
	if err != nil {
		return nil, err
	}
	if p.Session == nil {
		return set, nil
	}
	return s.withSession(ctx, p, set)
}

// rootSet stands for the root's permissions where a session limits them:
// everything.
var rootSet = func() *Set {
	doc, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	if err != nil {
		panic(err)
	}
	return NewSet([]*Policy{{ID: "root", Type: TypeRoot, Parsed: doc}}, nil, nil)
}()

// withSession limits set by p's session policies and adds its session
// tags. set is shared (cached): it is copied, never changed.
func (s *Source) withSession(ctx context.Context, p *principal.Principal, set *Set) (*Set, error) {
	sess := p.Session
	if !sess.HasSessionPolicies() && len(sess.Tags) == 0 {
		return set, nil
	}
	limited := *set
	if sess.Policy != "" {
		sp, err := s.parse(sess.Policy)
		if err != nil {
			return nil, fmt.Errorf("session policy of %s: %w", p.ARN(), err)
		}
		limited.Sessions = append(limited.Sessions, &Policy{ID: "SessionPolicy", Type: TypeSession, Parsed: sp})
	}
	if len(sess.PolicyARNs) > 0 {
		managed, err := s.cachedSet("session/"+p.AccountID+"/"+strings.Join(sess.PolicyARNs, ","), func() (*Set, error) {
			docs, err := s.Store.SessionPolicies(ctx, p.AccountID, sess.PolicyARNs)
			if err != nil {
				return nil, fmt.Errorf("read the session policies of %s: %w", p.ARN(), err)
			}
			var policies []*Policy
			for _, d := range docs {
				mp, err := s.managed(d)
				if err != nil {
					return nil, err
				}
				policies = append(policies, mp)
			}
			return NewSet(policies, nil, nil), nil
		})
		if err != nil {
			return nil, err
		}
		limited.Sessions = append(limited.Sessions, managed.Identity...)
	}
	if sess.HasSessionPolicies() {
		// An empty list still limits: no session policy allows anything.
		limited.sessionLimited = true
		limited.sessions = make([]*policy.Policy, len(limited.Sessions))
		for i, sp := range limited.Sessions {
			limited.sessions[i] = sp.Parsed
		}
	}
	if len(sess.Tags) > 0 {
		tags := make(map[string]string, len(set.Tags)+len(sess.Tags))
		for k, v := range set.Tags {
			tags[k] = v
		}
		// A session tag overrides the identity's tag of the same key,
		// whatever its case.
		for k, v := range sess.Tags {
			for old := range tags {
				if strings.EqualFold(old, k) {
					delete(tags, old)
				}
			}
			tags[k] = v
		}
		limited.Tags = tags
	}
	return &limited, nil
}

// Role returns the policy set of the role named name.
// It is cached like users' sets: role sessions read it on every request.
func (s *Source) Role(ctx context.Context, accountID, name string) (*Set, error) {
	return s.cached("role/"+accountID+"/"+strings.ToLower(name), func() (store.PolicySet, error) {
		return s.Store.RolePolicySet(ctx, accountID, name)
	})
}

// Group returns the policy set of the group named name.
func (s *Source) Group(ctx context.Context, accountID, name string) (*Set, error) {
	ps, err := s.Store.GroupPolicySet(ctx, accountID, name)
	if err != nil {
		return nil, err
	}
	return s.Resolve(ps)
}

// Resolve parses the documents of a stored policy set. A document that no
// longer parses, or an AWS managed policy Latchkey does not know, is an
// error: leaving it out could drop a Deny.
func (s *Source) Resolve(ps store.PolicySet) (*Set, error) {
	var identity []*Policy
	owner, inlineType, principalID := ps.User.Name, TypeUser, ps.User.ID
	tags := ps.User.Tags
	switch ps.Kind {
	case store.KindGroup:
		owner, inlineType, principalID, tags = ps.Group.Name, TypeGroup, ps.Group.ID, nil
	case store.KindRole:
		owner, inlineType, principalID, tags = ps.Role.Name, TypeRole, ps.Role.ID, ps.Role.Tags
	}
	add := func(typ SourceType, owner string, inline []store.InlinePolicy, attached []store.PolicyDocument) error {
		for _, ip := range inline {
			p, err := s.parse(ip.Document)
			if err != nil {
				return fmt.Errorf("stored inline policy %s of %s %s: %w", ip.Name, typ, owner, err)
			}
			identity = append(identity, &Policy{ID: ip.Name, Type: typ, Owner: owner, Parsed: p})
		}
		for _, d := range attached {
			p, err := s.managed(d)
			if err != nil {
				return err
			}
			identity = append(identity, p)
		}
		return nil
	}
	if err := add(inlineType, owner, ps.Inline, ps.Attached); err != nil {
		return nil, err
	}
	for _, g := range ps.Groups {
		if err := add(TypeGroup, g.Group.Name, g.Inline, g.Attached); err != nil {
			return nil, err
		}
	}
	if ps.Kind == store.KindUser && ps.UsersChangePasswords {
		p, err := s.parse(usersChangePasswords)
		if err != nil {
			return nil, fmt.Errorf("the password policy's grant: %w", err)
		}
		identity = append(identity, &Policy{ID: "AllowUsersToChangePassword", Type: TypeAccount, Parsed: p})
	}
	var boundary *Policy
	if ps.Boundary != nil {
		b, err := s.managed(*ps.Boundary)
		if err != nil {
			return nil, err
		}
		boundary = b
	}
	var principalTags map[string]string
	if len(tags) > 0 {
		principalTags = make(map[string]string, len(tags))
		for _, t := range tags {
			principalTags[t.Key] = t.Value
		}
	}
	set := NewSet(identity, boundary, principalTags)
	set.PrincipalID = principalID
	return set, nil
}

// usersChangePasswords is what an account's password policy with
// AllowUsersToChangePassword grants each user, as AWS words the grant:
// iam:ChangePassword on its own user, iam:GetAccountPasswordPolicy. It
// is an identity policy like the others: an explicit deny, a boundary or
// session policies still limit it.
const usersChangePasswords = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Allow","Action":"iam:ChangePassword","Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/*/${aws:username}"]},` +
	`{"Effect":"Allow","Action":"iam:GetAccountPasswordPolicy","Resource":"*"}]}`

// managed resolves a managed policy's default version.
func (s *Source) managed(d store.PolicyDocument) (*Policy, error) {
	doc, typ := d.Document, TypeUserManaged
	if arn.IsAWSManagedPolicy(d.PolicyARN) {
		ap, ok := awsmanaged.Get(d.PolicyARN)
		if !ok {
			return nil, fmt.Errorf("attached policy %s is not an AWS managed policy Latchkey knows", d.PolicyARN)
		}
		doc, typ = ap.Document, TypeAWSManaged
	}
	p, err := s.parse(doc)
	if err != nil {
		return nil, fmt.Errorf("stored managed policy %s (%s): %w", d.PolicyARN, d.VersionID, err)
	}
	return &Policy{ID: d.PolicyName, Type: typ, ARN: d.PolicyARN, Parsed: p}, nil
}

// parse parses a stored document, caching by text. Documents were
// validated when stored; one that fails now is reported, never skipped.
func (s *Source) parse(doc string) (*policy.Policy, error) {
	s.mu.Lock()
	p, ok := s.parsed[doc]
	s.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("no longer parses: %w", err)
	}
	s.mu.Lock()
	if s.parsed == nil || len(s.parsed) >= maxParsed {
		s.parsed = make(map[string]*policy.Policy)
	}
	s.parsed[doc] = p
	s.mu.Unlock()
	return p, nil
}
