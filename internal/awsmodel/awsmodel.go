// Package awsmodel holds what botocore's IAM and STS service models say
// about each operation, as generated Go (zz_generated.go, written by ./gen):
// the input shape tree with its constraints (types, required members,
// lengths, value ranges, patterns, enums), the result wrapper, the modeled
// errors, and each service's metadata. Op.Validate checks a request's
// decoded parameters against that tree and answers with AWS's
// ValidationError wording.
//
// The models are the wire contract: regenerate after a botocore update with
// go generate, and review the diff like code.
package awsmodel

//go:generate go run ./gen

import (
	"regexp"
	"sort"
	"sync"
)

// Kind is a shape's type in the model.
type Kind uint8

// Kinds of shapes. Float covers the model's float and double.
const (
	KindString Kind = iota + 1
	KindInteger
	KindLong
	KindBoolean
	KindTimestamp
	KindBlob
	KindFloat
	KindList
	KindMap
	KindStructure
)

var kindNames = [...]string{
	KindString: "string", KindInteger: "integer", KindLong: "long", KindBoolean: "boolean",
	KindTimestamp: "timestamp", KindBlob: "blob", KindFloat: "float", KindList: "list",
	KindMap: "map", KindStructure: "structure",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Shape is a node of an operation's input tree. Shapes are shared between
// operations and must not be modified.
type Shape struct {
	Name string // the model's shape name, e.g. "userNameType"
	Kind Kind
	// Min and Max bound the length of a string (in characters), blob (in
	// bytes), list or map (in elements), or the value of a number; each
	// applies only when its Has flag is set.
	Min, Max       int64
	HasMin, HasMax bool
	Pattern        *Pattern // strings only; nil when unconstrained
	Enum           []string // strings only; the allowed values, model order
	// Sensitive strings (passwords) are never echoed: a violation renders
	// the value as '***'.
	Sensitive bool
	// Members of a structure, in model order.
	Members []Member
	// Elem is a list's element or a map's value shape; ElemName is its name
	// on the wire: "member" (Name.member.N) or "value" (Name.entry.N.value).
	Elem     *Shape
	ElemName string
	// Key is a map's key shape; KeyName its wire name ("key").
	Key     *Shape
	KeyName string
}

// Member is one member of a structure shape.
type Member struct {
	Name         string // the model's member name, e.g. "UserName"
	LocationName string // the name on the wire, usually Name
	Required     bool
	Shape        *Shape
}

// Pattern is a model pattern with its RE2 translation, compiled on first
// use (there are many, and most requests touch few).
type Pattern struct {
	// Model is the pattern as the model writes it (Java syntax): what
	// validation messages quote, as AWS does.
	Model string
	// RE2 is the translation, anchored as ^(?:...)$ since AWS matches the
	// whole value.
	RE2 string
	// Reject, when set, is an RE2 expression a value must not match: the
	// hand translation of a lookahead (see internal/codegen).
	Reject string

	once       sync.Once
	re, reject *regexp.Regexp
}

// MatchString reports whether s satisfies the pattern. Invalid UTF-8 bytes
// are matched as U+FFFD, as AWS's decoder replaces them before matching.
func (p *Pattern) MatchString(s string) bool {
	p.once.Do(p.compile)
	return p.re.MatchString(s) && (p.reject == nil || !p.reject.MatchString(s))
}

func (p *Pattern) compile() {
	// The generator compiled every expression; a failure here is a bug.
	p.re = regexp.MustCompile(p.RE2)
	if p.Reject != "" {
		p.reject = regexp.MustCompile(p.Reject)
	}
}

// ModeledError is an error the model lists for an operation.
type ModeledError struct {
	Code   string // the wire code, e.g. "NoSuchEntity"
	Shape  string // the model's shape name, e.g. "NoSuchEntityException"
	Status int    // HTTP status
	Sender bool   // Sender fault (client error) when true, Receiver otherwise
}

// Op is one operation of a service model.
type Op struct {
	Service string // "iam" or "sts"
	Name    string // the Action, e.g. "CreateUser"
	// Input is the input structure; nil when the operation takes no
	// parameters.
	Input *Shape
	// ResultWrapper names the element the result sits in
	// ("CreateUserResult"); "" when the operation returns nothing.
	ResultWrapper string
	// Unsigned marks operations the model declares without authentication
	// (sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity).
	Unsigned bool
	// Errors are the modeled errors, in model order.
	Errors []ModeledError
}

// LookupError returns the modeled error with the given wire code.
func (op *Op) LookupError(code string) (ModeledError, bool) {
	for _, e := range op.Errors {
		if e.Code == code {
			return e, true
		}
	}
	return ModeledError{}, false
}

// Service is one service model's metadata and operations.
type Service struct {
	Name         string // "iam" or "sts"
	ServiceID    string // "IAM", "STS"
	APIVersion   string // "2010-05-08"
	XMLNamespace string // "https://iam.amazonaws.com/doc/2010-05-08/"

	operations []*Op // sorted by Name
}

// Operations returns the service's operations sorted by name. The slice is
// shared: do not modify it.
func (s *Service) Operations() []*Op { return s.operations }

// Operation returns the operation named action.
func (s *Service) Operation(action string) (*Op, bool) {
	i := sort.Search(len(s.operations), func(i int) bool { return s.operations[i].Name >= action })
	if i < len(s.operations) && s.operations[i].Name == action {
		return s.operations[i], true
	}
	return nil, false
}

// LookupService returns the model of service "iam" or "sts".
func LookupService(name string) (*Service, bool) {
	switch name {
	case "iam":
		return iamService, true
	case "sts":
		return stsService, true
	}
	return nil, false
}

// Operation returns the model of action in service ("iam" or "sts").
func Operation(service, action string) (*Op, bool) {
	s, ok := LookupService(service)
	if !ok {
		return nil, false
	}
	return s.Operation(action)
}
