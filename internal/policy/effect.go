package policy

// Effect is a statement's Effect: Allow or Deny (case-sensitive, as AWS).
type Effect string

const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// parseEffect validates a statement's Effect member.
func parseEffect(v *jsonValue) (Effect, error) {
	if v == nil {
		return "", malformed(msgMissingEffect)
	}
	switch e := Effect(v.text); e {
	case EffectAllow, EffectDeny:
		return e, nil
	default:
		return "", malformed(msgInvalidEffect, v.text)
	}
}
