package iam

import (
	"context"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/store"
)

// Policy simulation: SimulatePrincipalPolicy, SimulateCustomPolicy and the
// context-key listings. The simulator decides with authz.Decide on sets
// from the same authz.Source the request pipeline uses, so a simulated
// decision and a real call's can never disagree. As in AWS, a simulation
// sees only the context keys its ContextEntries give.

type xmlPosition struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type xmlStatement struct {
	SourcePolicyID   string      `xml:"SourcePolicyId"`
	SourcePolicyType string      `xml:"SourcePolicyType"`
	StartPosition    xmlPosition `xml:"StartPosition"`
	EndPosition      xmlPosition `xml:"EndPosition"`
}

type xmlBoundaryDetail struct {
	Allowed bool `xml:"AllowedByPermissionsBoundary"`
}

type xmlResourceResult struct {
	EvalResourceName                  string                `xml:"EvalResourceName"`
	EvalResourceDecision              string                `xml:"EvalResourceDecision"`
	MatchedStatements                 Members[xmlStatement] `xml:"MatchedStatements"`
	MissingContextValues              Members[string]       `xml:"MissingContextValues"`
	PermissionsBoundaryDecisionDetail *xmlBoundaryDetail    `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

type xmlEvaluationResult struct {
	EvalActionName                    string                      `xml:"EvalActionName"`
	EvalResourceName                  string                      `xml:"EvalResourceName"`
	EvalDecision                      string                      `xml:"EvalDecision"`
	MatchedStatements                 Members[xmlStatement]       `xml:"MatchedStatements"`
	MissingContextValues              Members[string]             `xml:"MissingContextValues"`
	PermissionsBoundaryDecisionDetail *xmlBoundaryDetail          `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
	ResourceSpecificResults           *Members[xmlResourceResult] `xml:"ResourceSpecificResults,omitempty"`
}

type simulatePolicyResult struct {
	EvaluationResults Members[xmlEvaluationResult] `xml:"EvaluationResults"`
	IsTruncated       bool                         `xml:"IsTruncated"`
	Marker            string                       `xml:"Marker,omitempty"`
}

type getContextKeysResult struct {
	ContextKeyNames Members[string] `xml:"ContextKeyNames"`
}

// inputPolicies parses a list of documents given to the simulator, named
// as AWS names them in MatchedStatements ("PolicyInputList.1", …).
func inputPolicies(r *op.Request, param string) ([]*authz.Policy, error) {
	var out []*authz.Policy
	for i, doc := range r.Input.List(param) {
		p, err := policy.Parse(doc)
		if err != nil {
			ae := awserr.As(err)
			return nil, awserr.InvalidInput("%s.%d: %s", param, i+1, ae.Message)
		}
		out = append(out, &authz.Policy{ID: param + "." + strconv.Itoa(i+1), Type: authz.TypeNone, Parsed: p})
	}
	return out, nil
}

// sourceSet is the policy set of SimulatePrincipalPolicy's (or
// GetContextKeysForPrincipalPolicy's) PolicySourceArn: a user (its
// groups' policies included), a group or a role of the caller's account. The
// entity must have exactly that ARN (path and name as stored, compared
// case-sensitively, as the policies that authorized the call compared
// it): a user or group found only by a looser match is not simulated.
func (s *Service) sourceSet(ctx context.Context, r *op.Request) (*authz.Set, error) {
	src := r.Input.String("PolicySourceArn")
	kind, account, _, name, ok := arn.ParseEntity(src)
	if !ok || account != r.Caller.AccountID {
		return nil, awserr.InvalidInput("Invalid ARN: %s", src)
	}
	var set *authz.Set
	switch kind {
	case "user":
		u, err := s.Store.GetUser(ctx, r.Caller.AccountID, name)
		if err != nil {
			return nil, storeErr(err)
		}
		if arn.User(u.AccountID, u.Path, u.Name) != src {
			return nil, noSuchUser(name)
		}
		if set, err = s.Authz.User(ctx, r.Caller.AccountID, u.ID); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	case "group":
		g, err := s.Store.GetGroup(ctx, r.Caller.AccountID, name)
		if err != nil {
			return nil, storeErr(err)
		}
		if arn.Group(g.AccountID, g.Path, g.Name) != src {
			return nil, storeErr(&store.NotFoundError{Entity: store.EntityGroup, Name: name})
		}
		if set, err = s.Authz.Group(ctx, r.Caller.AccountID, g.Name); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	case "role":
		role, err := s.Store.GetRole(ctx, r.Caller.AccountID, name)
		if err != nil {
			return nil, storeErr(err)
		}
		if arn.Role(role.AccountID, role.Path, role.Name) != src {
			return nil, noSuchRole(name)
		}
		if set, err = s.Authz.Role(ctx, r.Caller.AccountID, role.Name); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	default:
		return nil, awserr.InvalidInput("Invalid ARN: %s", src)
	}
	return set, nil
}

// principalSet is the source's policy set with PolicyInputList added.
func (s *Service) principalSet(ctx context.Context, r *op.Request) (*authz.Set, error) {
	set, err := s.sourceSet(ctx, r)
	if err != nil {
		return nil, err
	}
	extra, err := inputPolicies(r, "PolicyInputList")
	if err != nil {
		return nil, err
	}
	return authz.NewSet(append(append([]*authz.Policy(nil), set.Identity...), extra...), set.Boundary, set.Tags), nil
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, r *op.Request) (any, error) {
	set, err := s.principalSet(ctx, r)
	if err != nil {
		return nil, err
	}
	identity := set.Identity
	boundary := set.Boundary
	if b, err := inputPolicies(r, "PermissionsBoundaryPolicyInputList"); err != nil {
		return nil, err
	} else if len(b) > 0 {
		boundary = b[0]
	}
	caller := r.Input.String("CallerArn")
	if caller == "" && strings.Contains(r.Input.String("PolicySourceArn"), ":user/") {
		caller = r.Input.String("PolicySourceArn")
	}
	return simulate(r, authz.NewSet(identity, boundary, set.Tags), caller)
}

func (s *Service) simulateCustomPolicy(_ context.Context, r *op.Request) (any, error) {
	identity, err := inputPolicies(r, "PolicyInputList")
	if err != nil {
		return nil, err
	}
	var boundary *authz.Policy
	if b, err := inputPolicies(r, "PermissionsBoundaryPolicyInputList"); err != nil {
		return nil, err
	} else if len(b) > 0 {
		boundary = b[0]
	}
	return simulate(r, authz.NewSet(identity, boundary, nil), r.Input.String("CallerArn"))
}

// resourcePolicy reads the simulator's ResourcePolicy, evaluated for the
// principal callerARN; ResourceOwner (an account id, or an ARN of the
// account) makes the resource another account's than the caller's.
func resourcePolicy(r *op.Request, set *authz.Set, callerARN string) (*policy.PrincipalRef, error) {
	doc := r.Input.String("ResourcePolicy")
	if doc == "" {
		return nil, nil
	}
	if callerARN == "" {
		return nil, awserr.InvalidInput("CallerArn is required when a ResourcePolicy is given and the simulated principal is not a user.")
	}
	account, ok := arn.Account(callerARN)
	if !ok {
		return nil, awserr.InvalidInput("Invalid ARN: %s", callerARN)
	}
	p, err := policy.ParseResourcePolicy(doc)
	if err != nil {
		return nil, awserr.InvalidInput("ResourcePolicy: %s", awserr.As(err).Message)
	}
	set.Resource = &authz.Policy{ID: "ResourcePolicy", Type: authz.TypeResource, Parsed: p}
	if owner := r.Input.String("ResourceOwner"); owner != "" {
		ownerAccount, ok := owner, arn.IsAccountID(owner)
		if !ok {
			ownerAccount, ok = arn.Account(owner)
		}
		if !ok {
			return nil, awserr.InvalidInput("Invalid ResourceOwner: %s", owner)
		}
		set.CrossAccount = ownerAccount != account
	}
	return &policy.PrincipalRef{ARN: callerARN, Account: account}, nil
}

// simulationContext reads ContextEntries: each key's values, whatever
// their declared type, as the text the evaluator compares.
func simulationContext(r *op.Request) map[string][]string {
	ctx := map[string][]string{}
	for _, e := range r.Input.Structs("ContextEntries") {
		if name := e.String("ContextKeyName"); name != "" {
			ctx[name] = append(ctx[name], e.List("ContextKeyValues")...)
		}
	}
	return ctx
}

// simulate evaluates every action on every resource ("*" when none are
// given), one result per pair, in request order, a page (MaxItems) at a
// time; callerARN is the principal a ResourcePolicy is evaluated for.
func simulate(r *op.Request, set *authz.Set, callerARN string) (any, error) {
	principal, err := resourcePolicy(r, set, callerARN)
	if err != nil {
		return nil, err
	}
	ctx := simulationContext(r)
	missing := missingContext(set, ctx)
	resources := r.Input.List("ResourceArns")
	perResource := len(resources) > 0
	if !perResource {
		resources = []string{"*"}
	}
	// Only the requested page is evaluated: pair k is action k/len(resources)
	// on resource k%len(resources).
	actions := r.Input.List("ActionNames")
	start, end, next, err := pageBounds(r, "simulation", len(actions)*len(resources))
	if err != nil {
		return nil, err
	}
	results := make(Members[xmlEvaluationResult], 0, end-start)
	for k := start; k < end; k++ {
		action, resource := actions[k/len(resources)], resources[k%len(resources)]
		res := authz.Decide(set, policy.Request{Action: action, Resource: resource, Context: ctx, Principal: principal}, true)
		e := xmlEvaluationResult{EvalActionName: action, EvalResourceName: resource, EvalDecision: string(res.Decision),
			MatchedStatements: xmlMatches(res.Matched), MissingContextValues: missing}
		if res.HasBoundary {
			e.PermissionsBoundaryDecisionDetail = &xmlBoundaryDetail{Allowed: res.BoundaryAllowed}
		}
		if perResource {
			rr := Members[xmlResourceResult]{{EvalResourceName: resource, EvalResourceDecision: string(res.Decision),
				MatchedStatements: e.MatchedStatements, MissingContextValues: missing, PermissionsBoundaryDecisionDetail: e.PermissionsBoundaryDecisionDetail}}
			e.ResourceSpecificResults = &rr
		}
		results = append(results, e)
	}
	return simulatePolicyResult{EvaluationResults: results, IsTruncated: next != "", Marker: next}, nil
}

func xmlMatches(matched []authz.Match) Members[xmlStatement] {
	out := make(Members[xmlStatement], 0, len(matched))
	for _, m := range matched {
		out = append(out, xmlStatement{SourcePolicyID: m.Policy.ID, SourcePolicyType: string(m.Policy.Type),
			StartPosition: xmlPosition{m.Start.Line, m.Start.Column}, EndPosition: xmlPosition{m.End.Line, m.End.Column}})
	}
	return out
}

// missingContext is, as AWS reports MissingContextValues, every key the
// simulated policies read that the context entries do not give.
func missingContext(set *authz.Set, ctx map[string][]string) Members[string] {
	return Members[string](append([]string{}, set.MissingContext(ctx)...))
}

func (s *Service) getContextKeysForPrincipalPolicy(ctx context.Context, r *op.Request) (any, error) {
	set, err := s.principalSet(ctx, r)
	if err != nil {
		return nil, err
	}
	return getContextKeysResult{ContextKeyNames: set.ContextKeys()}, nil
}

func (s *Service) getContextKeysForCustomPolicy(_ context.Context, r *op.Request) (any, error) {
	identity, err := inputPolicies(r, "PolicyInputList")
	if err != nil {
		return nil, err
	}
	return getContextKeysResult{ContextKeyNames: authz.NewSet(identity, nil, nil).ContextKeys()}, nil
}

// sourceTarget is SimulatePrincipalPolicy's resource: the simulated
// principal's ARN as given; the handler simulates only the entity that has
// exactly this ARN.
func sourceTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: r.Input.String("PolicySourceArn")}, nil
}
