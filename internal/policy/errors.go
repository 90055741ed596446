package policy

import "github.com/latchkey/latchkey/internal/awserr"

// The messages of the MalformedPolicyDocument errors Parse returns, in
// AWS's words where AWS's are known (see the rejected corpus in
// testdata/rejected for which document gets which).
const (
	// msgSyntax: not JSON, trailing data, duplicate or unknown member
	// names, a value of the wrong JSON type, an empty Statement list, both
	// Action and NotAction (or Resource and NotResource).
	msgSyntax = "Syntax errors in policy."
	// msgLegacyParsing: a Version other than 2012-10-17 or 2008-10-17.
	msgLegacyParsing = "The policy failed legacy parsing"
	// msgPrincipal: Principal or NotPrincipal in an identity-based policy.
	msgPrincipal = "Policy document should not specify a principal."
	// msgMissingEffect: a statement without Effect.
	msgMissingEffect = "Missing required field Effect"
	// msgInvalidEffect (format, the effect): an Effect other than Allow or Deny.
	msgInvalidEffect = "Invalid effect: %s"
	// msgNoActions: neither Action nor NotAction, or an empty list.
	msgNoActions = "Policy statement must contain actions."
	// msgNoResources: neither Resource nor NotResource, or an empty list.
	msgNoResources = "Policy statement must contain resources."
	// msgVendor: an action or a condition key without a "vendor:" prefix.
	msgVendor = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	// msgInvalidVendor (format, the vendor): a vendor with characters
	// other than letters, digits, '-' and wildcards.
	msgInvalidVendor = "Vendor %s is not valid"
	// msgResource (format, the resource): a resource that is neither an ARN
	// (arn:partition:service:region:account:resource) nor "*".
	msgResource = "Resource %s must be in ARN format or \"*\"."
	// msgSidCharacters: a Sid with characters other than [0-9A-Za-z].
	msgSidCharacters = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	// msgSidUnique: two statements with the same Sid.
	msgSidUnique = "Statement IDs (SID) in a single policy must be unique."

	// From package condition:
	//  "Invalid Condition type : %s" (an unknown operator, qualifier or
	//  suffix, e.g. "StringEqualz", "NullIfExists", "ForAnyValue:Null"), and
	//  "Invalid value %q for condition %s on key %s." (a number, date, IP
	//  address, boolean or base64 value that does not parse).
)

func malformed(format string, args ...any) *awserr.Error {
	return awserr.MalformedPolicyDocument(format, args...)
}
