package policy

// Decision is the outcome of evaluating policies for one request.
type Decision int

const (
	// NoDecision: no statement allowed the request, which is an implicit
	// deny. It is distinct from Deny so that callers can combine sources
	// (and word AccessDenied) as AWS does.
	NoDecision Decision = iota
	// Allow: some statement allowed the request and none denied it.
	Allow
	// Deny: some statement explicitly denied the request.
	Deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	default:
		return "NoDecision"
	}
}

// Request is what policies are evaluated against.
type Request struct {
	Action   string // e.g. "iam:CreateUser"; compared ignoring case
	Resource string // an ARN, compared case-sensitively
	// Context holds the condition keys of the request (aws:username,
	// aws:userid, aws:SourceIp, aws:CurrentTime, ...), which are also the
	// values of policy variables. Keys compare ignoring case; a key with no
	// values is absent. It may be nil.
	Context map[string][]string
	// Principal is who makes the request, matched by the Principal and
	// NotPrincipal of resource-based policies; identity-based policies
	// ignore it. When it is nil, resource-based statements fail closed:
	// those that deny apply, those that allow do not.
	Principal *PrincipalRef
}

// Evaluate returns the decision of policies for req, with AWS's rules for
// policies in one account: a statement applies when its principal (for
// resource-based policies), action, resource and conditions all match; any
// applicable Deny wins; otherwise any applicable Allow allows; otherwise
// NoDecision (an implicit deny). Identity-based and resource-based policies
// may be mixed, which is AWS's rule within one account (either kind may
// allow); across accounts, where both must allow, the caller evaluates
// them apart. Nil policies are skipped. Evaluate does not fail: every check
// that could was made by Parse or ParseResourcePolicy.
func Evaluate(policies []*Policy, req Request) Decision {
	allowed := false
	for _, p := range policies {
		if p == nil {
			continue
		}
		for i := range p.Statements {
			s := &p.Statements[i]
			if allowed && s.Effect == EffectAllow {
				continue // once allowed, only a Deny can change the answer
			}
			if !s.applies(&req) {
				continue
			}
			if s.Effect == EffectDeny {
				return Deny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return NoDecision
}
