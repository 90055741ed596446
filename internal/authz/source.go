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
	gen := s.Store.Generation()
	if s.MaxSets > 0 {
		s.mu.Lock()
		c, ok := s.sets[key]
		s.mu.Unlock()
		if ok && c.gen == gen {
			return c.set, nil
		}
	}
	ps, err := load()
	if err != nil {
		return nil, err
	}
	set, err := s.Resolve(ps)
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

// Principal returns the policy set that decides what p may do: a user's,
// or a role session's — its role's current policies, limited by the
// session policy. A session whose role is gone, or was replaced by another
// of the same name, gets an empty set: every action is implicitly denied.
// The root has no policy set (it may do everything in its account): nil.
func (s *Source) Principal(ctx context.Context, p *principal.Principal) (*Set, error) {
	switch p.Kind {
	case principal.Root:
		return nil, nil
	case principal.User:
		return s.User(ctx, p.AccountID, p.ID)
	case principal.AssumedRole:
		set, err := s.Role(ctx, p.AccountID, p.Name)
		if errors.Is(err, store.ErrNotFound) || err == nil && set.PrincipalID != p.ID {
			return NewSet(nil, nil, nil), nil
		}
		if err != nil {
			return nil, err
		}
		if p.Session != nil && p.Session.Policy != "" {
			sp, err := s.parse(p.Session.Policy)
			if err != nil {
				return nil, fmt.Errorf("session policy of %s: %w", p.ARN(), err)
			}
			withSession := *set
			withSession.Session = &Policy{ID: "SessionPolicy", Type: TypeSession, Parsed: sp}
			set = &withSession
		}
		return set, nil
	}
	return nil, fmt.Errorf("principal %q of kind %s has no policy set", p.ARN(), p.Kind)
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
	owner, inlineType := ps.User.Name, TypeUser
	tags := ps.User.Tags
	switch ps.Kind {
	case store.KindGroup:
		owner, inlineType, tags = ps.Group.Name, TypeGroup, nil
	case store.KindRole:
		owner, inlineType, tags = ps.Role.Name, TypeRole, ps.Role.Tags
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
	set.PrincipalID = map[store.EntityKind]string{store.KindUser: ps.User.ID, store.KindGroup: ps.Group.ID, store.KindRole: ps.Role.ID}[ps.Kind]
	return set, nil
}

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
