package policy

import (
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
)

// The Principal and NotPrincipal elements of resource-based policies (role
// trust policies, the ResourcePolicy of SimulatePrincipalPolicy and
// SimulateCustomPolicy). AWS's grammar ("Grammar of the IAM JSON policy
// language"):
//
//	<principal_block> = ("Principal" | "NotPrincipal") : ("*" | <principal_map>)
//	<principal_map_entry> = ("AWS" | "Federated" | "Service" | "CanonicalUser") :
//	    [<principal_id_string>, <principal_id_string>, ...]
//
// with the note "The principal_block element is required in resource-based
// policies [...] and in trust policies for IAM roles. It must not be
// included in identity-based policies." The values, as "AWS JSON policy
// elements: Principal" describes them:
//
//   - AWS: "*"; an account, as its 12-digit ID or
//     arn:PARTITION:iam::ACCOUNT:root ("The account ARN and the shortened
//     account ID behave the same way. Both delegate permissions to the
//     account. Using the account ARN in the Principal element does not
//     limit permissions to only the root user of the account."); an IAM
//     user or role, arn:PARTITION:iam::ACCOUNT:user/PATH/NAME or
//     :role/PATH/NAME; a role session,
//     arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION; a federated
//     user session, arn:PARTITION:sts::ACCOUNT:federated-user/NAME.
//   - Service: a service principal, "usually in the following format:
//     service-name.amazonaws.com".
//   - Federated: a web identity provider (cognito-identity.amazonaws.com,
//     accounts.google.com, ...) or an IAM identity provider,
//     arn:PARTITION:iam::ACCOUNT:saml-provider/NAME (or :oidc-provider/...).
//   - CanonicalUser: an S3 canonical user ID ("64-digit-alphanumeric-value";
//     AWS's examples are 64 hexadecimal digits).
//
// Wildcards: "You cannot use a wildcard to match part of a principal name
// or ARN"; "*" is the only wildcard, as the whole Principal or as an AWS
// value.
//
// What AWS checks that Latchkey cannot: IAM resolves a trust policy's user
// and role ARNs to the principals' unique IDs when the policy is saved, and
// refuses ARNs of principals that do not exist (Invalid principal in
// policy: "AWS":"arn:aws:iam::...:role/X" until the role exists,
// hashicorp/terraform-provider-aws#8905), and service principals it does
// not know ("SERVICE":"tagging.amazonaws.com", hashicorp/terraform#35086).
// This package checks the shape of a value only; whether it exists is the
// caller's to check.

// Principal types: the members of a Principal object, and PrincipalAll,
// the key under which Statement.Principals holds "Principal": "*" (as
// Terraform's aws_iam_policy_document writes it: type "*", identifiers
// ["*"]).
const (
	PrincipalAWS           = "AWS"
	PrincipalService       = "Service"
	PrincipalFederated     = "Federated"
	PrincipalCanonicalUser = "CanonicalUser"
	PrincipalAll           = "*"
)

// PrincipalRef is the principal a request is made by, which the Principal
// and NotPrincipal elements of resource-based policies are matched against
// (Request.Principal). Identity-based policies ignore it.
//
// A principal of an account has ARN and Account; a service principal has
// Service only; a web identity has Federated only (AWS: "Using
// "Principal": "*" with an Allow effect in a resource-based policy allows
// anyone, even if they're not signed in to AWS", Amazon S3 User Guide,
// "Principals").
type PrincipalRef struct {
	// ARN is the principal's ARN: arn:aws:iam::ACCOUNT:root,
	// arn:aws:iam::ACCOUNT:user/PATH/NAME, or for sessions
	// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION and
	// arn:aws:sts::ACCOUNT:federated-user/NAME. Compared case-sensitively.
	ARN string
	// Account is the 12-digit ID of the account the principal belongs to.
	// It is not derived from ARN: set both.
	Account string
	// Service is the service principal (ec2.amazonaws.com) when an AWS
	// service makes the request.
	Service string
	// Federated is the identity provider (an OIDC provider's ARN) that
	// vouches for the caller of AssumeRoleWithWebIdentity.
	Federated string
}

// principalSet is a compiled Principal (or NotPrincipal) element.
type principalSet struct {
	all      bool               // "Principal": "*"
	anyAWS   bool               // "AWS": "*"
	accounts []accountPrincipal // account IDs and :root ARNs
	arns     []string           // user, role, session and federated user ARNs
	sessions []string           // for each role, the prefix of its sessions' ARNs
	services []string
	// federated are identity providers (an OIDC provider's ARN) that a web
	// identity request names exactly. CanonicalUser values match no
	// PrincipalRef: Latchkey has no canonical user principals.
	federated []string
}

// accountPrincipal is an account: its ID and, for arn:...:root, the
// partition ("" for a bare ID).
type accountPrincipal struct {
	partition, account string
}

// matches reports whether p is one of the principals of s:
//
//   - "Principal": "*" matches every principal ("all principals").
//   - "AWS": "*" matches every principal of an account ("any root user, IAM
//     user, assumed-role session, or federated user in any account"), not
//     a service principal.
//   - An account ID or arn:PARTITION:iam::ACCOUNT:root matches every
//     principal of that account.
//   - A user, session or federated user ARN matches that ARN exactly.
//   - A role ARN matches the role's sessions
//     (arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION): roles act
//     only through sessions, and AWS grants a role principal to them ("When
//     you specify a role principal in a resource-based policy, the
//     effective permissions for the principal are limited by any policy
//     types that limit permissions for the role", "IAM role principals").
//     Role names are unique in an account whatever their path, so the
//     session ARN, which has no path, names the role.
//   - A service principal matches Service exactly.
//   - A Federated value matches Federated exactly (the OIDC provider
//     vouching for a web identity); "*" as the whole Principal matches it
//     too, "AWS": "*" does not.
//
// It does not allocate.
func (s *principalSet) matches(p *PrincipalRef) bool {
	if s.all {
		return true
	}
	if p.ARN != "" || p.Account != "" {
		if s.anyAWS {
			return true
		}
		for _, a := range s.accounts {
			if p.Account == a.account && (a.partition == "" || p.ARN == "" || arnPartition(p.ARN) == a.partition) {
				return true
			}
		}
		for _, arn := range s.arns {
			if p.ARN == arn {
				return true
			}
		}
		for _, prefix := range s.sessions {
			if session, ok := strings.CutPrefix(p.ARN, prefix); ok && session != "" && !strings.Contains(session, "/") {
				return true
			}
		}
	}
	if p.Service != "" {
		for _, svc := range s.services {
			if p.Service == svc {
				return true
			}
		}
	}
	if p.Federated != "" {
		for _, f := range s.federated {
			if p.Federated == f {
				return true
			}
		}
	}
	return false
}

// arnPartition returns the partition of an ARN, or "".
func arnPartition(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return ""
	}
	partition, _, _ := strings.Cut(rest, ":")
	return partition
}

// principalApplies reports whether a statement's Principal or NotPrincipal
// lets it apply to a request by p. A nil p is a request whose principal
// the caller did not give: failing closed, the statement applies if it
// denies and not if it allows.
func (s *Statement) principalApplies(p *PrincipalRef) bool {
	if p == nil {
		return s.Effect == EffectDeny
	}
	return s.principals.matches(p) != s.NotPrincipal
}

// checkPrincipalSyntax checks the JSON shape of a Principal or NotPrincipal
// element: "*", or an object of the four principal types, each a string or
// a list of strings (possibly empty: see msgNoPrincipals).
func checkPrincipalSyntax(v *jsonValue) bool {
	if v.kind == jsonString {
		return v.text == "*"
	}
	if v.kind != jsonObject {
		return false
	}
	for i := range v.members {
		switch v.members[i].name {
		case PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser:
		default:
			return false
		}
		if _, ok := stringList(&v.members[i].value); !ok {
			return false
		}
	}
	return true
}

// principalElement returns the statement's Principal or NotPrincipal.
func (s *rawStatement) principalElement() (v *jsonValue, not bool) {
	if s.notPrincipal != nil {
		return s.notPrincipal, true
	}
	return s.principal, false
}

// checkPrincipalValues returns the message AWS refuses a statement's
// Principal (or NotPrincipal) values with, or "": none at all, then the
// first invalid value, in document order.
func checkPrincipalValues(v *jsonValue) (string, []any) {
	if v.kind == jsonString {
		return "", nil // "*"
	}
	n := 0
	for i := range v.members {
		values, _ := stringList(&v.members[i].value)
		n += len(values)
	}
	if n == 0 {
		return msgNoPrincipals, nil
	}
	for i := range v.members {
		typ := v.members[i].name
		values, _ := stringList(&v.members[i].value)
		for _, value := range values {
			if !validPrincipal(typ, value) {
				return msgInvalidPrincipal, []any{strings.ToUpper(typ), value}
			}
		}
	}
	return "", nil
}

// validPrincipal reports whether value has the shape of a principal of
// type typ (see the top of this file).
func validPrincipal(typ, value string) bool {
	switch typ {
	case PrincipalAWS:
		return value == "*" || arn.IsAccountID(value) || validAWSPrincipalARN(value)
	case PrincipalService:
		return isHostName(value, 3)
	case PrincipalFederated:
		if strings.HasPrefix(value, "arn:") {
			partition, service, account, resource, ok := splitPrincipalARN(value)
			if !ok || service != "iam" || !partitions[partition] || partition == "*" || !arn.IsAccountID(account) {
				return false
			}
			for _, prefix := range []string{"saml-provider/", "oidc-provider/"} {
				if rest, ok := strings.CutPrefix(resource, prefix); ok {
					return rest != "" && printableNoWildcard(rest)
				}
			}
			return false
		}
		return isHostName(value, 2)
	case PrincipalCanonicalUser:
		if len(value) != 64 {
			return false
		}
		for i := 0; i < len(value); i++ {
			if c := lowerASCII(value[i]); !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
		return true
	}
	return false
}

// validAWSPrincipalARN reports whether value is the ARN of an account
// root, IAM user or role, role session or federated user session.
func validAWSPrincipalARN(value string) bool {
	partition, service, account, resource, ok := splitPrincipalARN(value)
	if !ok || !partitions[partition] || partition == "*" || !arn.IsAccountID(account) {
		return false
	}
	switch service {
	case "iam":
		if resource == "root" {
			return true
		}
		for _, prefix := range []string{"user/", "role/"} {
			if rest, ok := strings.CutPrefix(resource, prefix); ok {
				return validPathAndName(rest)
			}
		}
	case "sts":
		if rest, ok := strings.CutPrefix(resource, "assumed-role/"); ok {
			role, session, ok := strings.Cut(rest, "/")
			return ok && validIAMName(role) && validIAMName(session)
		}
		if rest, ok := strings.CutPrefix(resource, "federated-user/"); ok {
			return validIAMName(rest)
		}
	}
	return false
}

// splitPrincipalARN splits arn:PARTITION:SERVICE::ACCOUNT:RESOURCE, whose
// region must be empty.
func splitPrincipalARN(value string) (partition, service, account, resource string, ok bool) {
	parts := strings.SplitN(value, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[3] != "" {
		return "", "", "", "", false
	}
	return parts[1], parts[2], parts[4], parts[5], true
}

// validIAMName reports whether s is a non-empty IAM name: user, role and
// session names are made of letters, digits and +=,.@_- (the IAM API's
// name patterns, [\w+=,.@-]+).
func validIAMName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

// validPathAndName reports whether s is PATH/NAME (the path possibly
// empty): path components of printable ASCII without wildcards, and an
// IAM name.
func validPathAndName(s string) bool {
	path, name := "", s
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		path, name = s[:i], s[i+1:]
	}
	if !validIAMName(name) {
		return false
	}
	if path == "" {
		return true
	}
	for component := range strings.SplitSeq(path, "/") {
		if component == "" || !printableNoWildcard(component) {
			return false
		}
	}
	return true
}

// printableNoWildcard reports whether s is printable ASCII (no space)
// without '*' or '?'.
func printableNoWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '*' || c == '?' {
			return false
		}
	}
	return true
}

// isHostName reports whether s is a DNS name of at least min labels, each
// of letters, digits and '-': service principals (ec2.amazonaws.com,
// three labels or more; AWS refuses "amazonaws.com", aws-samples/aws-cdk-examples#801)
// and web identity providers (accounts.google.com).
func isHostName(s string, min int) bool {
	labels := 0
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '-') {
				return false
			}
		}
		labels++
	}
	return labels >= min
}

// compilePrincipals returns a valid Principal element as written (see
// Statement.Principals) and compiled.
func compilePrincipals(v *jsonValue) (map[string][]string, *principalSet) {
	if v.kind == jsonString {
		return map[string][]string{PrincipalAll: {PrincipalAll}}, &principalSet{all: true}
	}
	written := make(map[string][]string, len(v.members))
	s := &principalSet{}
	for i := range v.members {
		typ := v.members[i].name
		values, _ := stringList(&v.members[i].value)
		written[typ] = values
		for _, value := range values {
			switch typ {
			case PrincipalAWS:
				s.addAWS(value)
			case PrincipalService:
				s.services = append(s.services, value)
			case PrincipalFederated:
				s.federated = append(s.federated, value)
			}
		}
	}
	return written, s
}

// addAWS compiles a valid AWS principal value.
func (s *principalSet) addAWS(value string) {
	if value == "*" {
		s.anyAWS = true
		return
	}
	if arn.IsAccountID(value) {
		s.accounts = append(s.accounts, accountPrincipal{account: value})
		return
	}
	partition, service, account, resource, _ := splitPrincipalARN(value)
	if service == "iam" && resource == "root" {
		s.accounts = append(s.accounts, accountPrincipal{partition: partition, account: account})
		return
	}
	s.arns = append(s.arns, value)
	if path, ok := strings.CutPrefix(resource, "role/"); service == "iam" && ok {
		name := path[strings.LastIndexByte(path, '/')+1:]
		s.sessions = append(s.sessions, "arn:"+partition+":sts::"+account+":assumed-role/"+name+"/")
	}
}
