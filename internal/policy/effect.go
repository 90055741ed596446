package policy

// Effect is a statement's Effect: Allow or Deny (case-sensitive, as AWS:
// "allow" passes the syntax check and fails legacy parsing).
type Effect string

const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)
