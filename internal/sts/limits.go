package sts

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
)

const (
	// packedAllotment is the space session policies and tags share once
	// packed. AWS packs them into a binary form; Latchkey counts the
	// inline policy without whitespace, the managed policies' ARNs and
	// the tags' keys and values.
	packedAllotment = 2048
	// maxSessionPolicyARNs is AWS's limit on PolicyArns.
	maxSessionPolicyARNs = 10
)

// sessionLimits are the session policies and tags a request gives, checked.
type sessionLimits struct {
	policy     string
	policyARNs []string
	tags       map[string]string
	transitive []string
	// packed is PackedPolicySize, nil when the request gives neither
	// session policies nor tags.
	packed *int
}

// readSessionLimits reads and checks Policy, PolicyArns and (when withTags)
// Tags and TransitiveTagKeys. Tags inherited as transitive from the
// caller's own session are kept, and may not be given again.
func readSessionLimits(r *op.Request, withTags bool) (sessionLimits, error) {
	var l sessionLimits
	size := 0
	if l.policy = r.Input.String("Policy"); l.policy != "" {
		if _, err := policy.Parse(l.policy); err != nil {
			return l, err
		}
		size += policy.SizeWithoutWhitespace(l.policy)
	}
	descriptors := r.Input.Structs("PolicyArns")
	if len(descriptors) > maxSessionPolicyARNs {
		return l, awserr.ValidationError("Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionPolicyARNs)
	}
	for _, d := range descriptors {
		a := d.String("arn")
		if _, _, _, ok := arn.ParsePolicy(a); !ok {
			return l, awserr.ValidationError("%s is not a valid policy ARN.", a)
		}
		l.policyARNs = append(l.policyARNs, a)
		size += len(a)
	}
	if withTags {
		inherited := inheritedTags(r.Caller)
		for _, t := range r.Input.Tags("Tags") {
			key := strings.ToLower(t.Key)
			if _, ok := inherited[key]; ok {
				return l, awserr.InvalidParameterValue("One or more of the specified transitive tag keys conflict with the session tags of the calling session: %s", t.Key)
			}
			for k := range l.tags {
				if strings.ToLower(k) == key {
					return l, awserr.InvalidParameterValue("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
				}
			}
			if l.tags == nil {
				l.tags = make(map[string]string)
			}
			l.tags[t.Key] = t.Value
			size += len(t.Key) + len(t.Value)
		}
		for _, k := range r.Input.List("TransitiveTagKeys") {
			if _, ok := l.tags[k]; !ok {
				return l, awserr.InvalidParameterValue("The specified transitive tag key must be included in the requested tags.")
			}
			l.transitive = append(l.transitive, k)
		}
		for _, t := range inherited {
			if l.tags == nil {
				l.tags = make(map[string]string)
			}
			l.tags[t.key] = t.value
			l.transitive = append(l.transitive, t.key)
		}
	}
	if l.policy != "" || len(l.policyARNs) > 0 || len(l.tags) > 0 {
		pct := size * 100 / packedAllotment
		if pct > 100 {
			return l, &awserr.Error{Code: "PackedPolicyTooLarge", Message: fmt.Sprintf("Packed policy consumes %d%% of allotted space, please use smaller policy.", pct), Status: http.StatusBadRequest, Sender: true}
		}
		l.packed = &pct
	}
	return l, nil
}

type tag struct{ key, value string }

// inheritedTags are the caller's transitive session tags, by lower-cased
// key: a role session passes them to the sessions it makes.
func inheritedTags(c *principal.Principal) map[string]tag {
	if c.Kind != principal.AssumedRole || c.Session == nil {
		return nil
	}
	out := make(map[string]tag, len(c.Session.TransitiveTagKeys))
	for _, k := range c.Session.TransitiveTagKeys {
		if v, ok := c.Session.Tags[k]; ok {
			out[strings.ToLower(k)] = tag{k, v}
		}
	}
	return out
}

// apply sets the limits on a session being made.
func (l sessionLimits) apply(s *principal.Session) {
	s.Policy, s.PolicyARNs, s.Tags, s.TransitiveTagKeys = l.policy, l.policyARNs, l.tags, l.transitive
}
