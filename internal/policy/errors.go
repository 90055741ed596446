package policy

import "github.com/latchkey/latchkey/internal/awserr"

// The messages of the MalformedPolicyDocument errors Parse returns, in
// AWS's words (see the rejected corpus in testdata/rejected for which
// document gets which, and Parse for the order in which they are checked).
// Where a message's trigger is not Latchkey's own, its source is moto's IAM
// policy validator tests, whose documents were checked against AWS
// (getmoto/moto tests/test_iam/test_iam_policies.py, from PR #2269).
const (
	// msgSyntax: not JSON, trailing data, duplicate or unknown member
	// names, a value of the wrong JSON type, no Statement or an empty
	// list, both Action and NotAction (or Resource and NotResource), a
	// Version other than 2012-10-17 or 2008-10-17, a missing Effect or one
	// that is not allow or deny in any case, an unknown condition operator
	// with a non-empty block.
	msgSyntax = "Syntax errors in policy."
	// msgLegacyParsing: an Effect of the wrong case ("allow", "denY"), a
	// Date... condition value outside AWS's date grammar, or a resource
	// with fewer than five colons and a "::", or an empty service.
	msgLegacyParsing = "The policy failed legacy parsing"
	// msgPrincipal: Principal or NotPrincipal in an identity-based policy.
	msgPrincipal = "Policy document should not specify a principal."
	// msgMissingPrincipal: a statement of a resource-based policy with
	// neither Principal nor NotPrincipal. AWS's words where it was seen:
	// S3's PutBucketPolicy (MalformedPolicy, "Missing required field
	// Principal", humanmade/S3-Uploads#191, spantaleev/matrix-docker-ansible-deploy#1869)
	// and Kinesis's PutResourcePolicy ("Policy validation error: Missing
	// required field Principal"); IAM's CreateRole answers the same for a
	// trust policy by third-party IAM emulators' tests, not seen on AWS.
	msgMissingPrincipal = "Missing required field Principal"
	// msgNoPrincipals: a Principal or NotPrincipal object with no values
	// ({} or {"AWS": []}). IAM's CreateRole, for a trust policy whose
	// principal list is empty (terraform-aws-modules/terraform-aws-iam#47,
	// cloudposse/terraform-aws-cloudwatch-logs#7; the documents are
	// generated, so that the list was empty is inferred). S3 words an empty
	// Principal "Missing required field Principal cannot be empty!" (seen
	// by an emulator's authors, not here).
	msgNoPrincipals = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
	// msgInvalidPrincipal (format, the principal type upper-cased, then the
	// value): a value not of its type's shape (principal.go). AWS's words
	// for "AWS" values (Invalid principal in policy:
	// "AWS":"arn:aws:iam::899720958166:role/...", aws-samples/aws-iam-access-key-auto-rotation#26)
	// and "Service" ones ("SERVICE":"amazonaws.com",
	// aws-samples/aws-cdk-examples#801); "FEDERATED" and "CANONICALUSER"
	// follow the same rule, not seen.
	msgInvalidPrincipal = "Invalid principal in policy: \"%s\":\"%s\""
	// msgNoActions: neither Action nor NotAction, or an empty list.
	msgNoActions = "Policy statement must contain actions."
	// msgNoResources: neither Resource nor NotResource, or an empty list
	// (in a resource-based policy, only an empty list).
	msgNoResources = "Policy statement must contain resources."
	// msgVendor: an action without a "vendor:" prefix ("" included).
	msgVendor = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	// msgOneColon: an action with more than one colon.
	msgOneColon = "Actions/Condition can contain only one colon."
	// msgInvalidVendor (format, the vendor): a vendor with characters
	// other than letters, digits, '-' and '.'.
	msgInvalidVendor = "Vendor %s is not valid"
	// msgResource (format, the resource): a resource without a colon that
	// is not "*".
	msgResource = "Resource %s must be in ARN format or \"*\"."
	// msgPartition (format, the partition, then the partition and the
	// resource's next four components, "*" for those missing): a second
	// component that is no partition.
	msgPartition = "Partition \"%s\" is not valid for resource \"arn:%s:%s:%s:%s:%s\"."
	// msgVendorQualified: a resource with a partition and nothing after it.
	msgVendorQualified = "Resource vendor must be fully qualified and cannot contain regexes."
	// msgIAMRegion, msgS3Region (format, the resource): an iam or s3
	// resource with a region.
	msgIAMRegion = "IAM resource %s cannot contain region information."
	msgS3Region  = "Resource %s can not contain region information."
	// msgIAMPath: an iam resource whose resource part is not one of IAM's.
	msgIAMPath = "IAM resource path must either be \"*\", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."
	// msgSidCharacters: a Sid with characters other than [0-9A-Za-z], as
	// AWS documents for IAM policies (sid_string in the policy grammar).
	msgSidCharacters = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	// msgSidUnique: two statements with the same non-empty Sid.
	msgSidUnique = "Statement IDs (SID) in a single policy must be unique."

	// Not used yet: the rules IAM applies to role trust policies only
	// (CreateRole, UpdateAssumeRolePolicy), for a trust-policy parser to
	// add; messages from LocalStack's IAM validator and third-party
	// emulators' tests, not seen on AWS here: "Has prohibited field
	// Resource." (a Resource in a trust policy), "AssumeRole policy may
	// only specify STS AssumeRole actions.", "Allow with NotPrincipal is
	// not allowed.", and "This policy contains invalid Json" where Parse
	// says msgSyntax.

	// From package condition: "Invalid value %q for condition %s on key
	// %s." (a number, boolean, IP address, base64 or Null value that does
	// not parse; Latchkey's words, checked last).
)

func malformed(format string, args ...any) *awserr.Error {
	return awserr.MalformedPolicyDocument(format, args...)
}
