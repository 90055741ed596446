// Package awsmodel validates request parameters against the constraints of
// botocore's IAM and STS service models (models.json, extracted by ./gen and
// embedded), with AWS's ValidationError wording:
//
//	1 validation error detected: Value 'bad name!' at 'userName' failed to
//	satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+
//
// Patterns are the models' Java regular expressions converted to RE2 and
// anchored, since AWS matches the whole value.
package awsmodel

//go:generate go run ./gen -o models.json

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/query"
)

//go:embed models.json
var modelsJSON []byte

type shape struct {
	Type     string            `json:"type"`
	Required []string          `json:"required"`
	Members  map[string]string `json:"members"`
	Member   string            `json:"member"`
	Key      string            `json:"key"`
	Value    string            `json:"value"`
	Min      *float64          `json:"min"`
	Max      *float64          `json:"max"`
	Pattern  string            `json:"pattern"`
	Enum     []string          `json:"enum"`

	once sync.Once
	re   *regexp.Regexp // nil when the pattern does not translate
}

type operation struct {
	Input         string `json:"input"`
	ResultWrapper string `json:"resultWrapper"`
}

type service struct {
	APIVersion   string               `json:"apiVersion"`
	XMLNamespace string               `json:"xmlNamespace"`
	Operations   map[string]operation `json:"operations"`
	Shapes       map[string]*shape    `json:"shapes"`
}

var (
	loadOnce sync.Once
	services map[string]*service
)

func load() {
	if err := json.Unmarshal(modelsJSON, &services); err != nil {
		panic("awsmodel: embedded models.json: " + err.Error())
	}
}

// Op is one operation of a service model.
type Op struct {
	svc  *service
	name string
	in   string
}

// Operation returns the model of service ("iam" or "sts") action.
func Operation(serviceName, action string) (*Op, bool) {
	loadOnce.Do(load)
	s := services[serviceName]
	if s == nil {
		return nil, false
	}
	o, ok := s.Operations[action]
	if !ok {
		return nil, false
	}
	return &Op{svc: s, name: action, in: o.Input}, true
}

// APIVersion returns a service's API version ("2010-05-08").
func APIVersion(serviceName string) string {
	loadOnce.Do(load)
	if s := services[serviceName]; s != nil {
		return s.APIVersion
	}
	return ""
}

// maxReported bounds how many violations one message lists.
const maxReported = 10

// Validate checks v against the operation's input shape and returns a
// ValidationError listing every violation, or nil.
func (o *Op) Validate(v query.Values) error {
	if o.in == "" {
		return nil
	}
	var errs []string
	o.validateStruct(o.svc.Shapes[o.in], v, "", "", &errs)
	if len(errs) == 0 {
		return nil
	}
	n := len(errs)
	if n > maxReported {
		errs = errs[:maxReported]
	}
	noun := "errors"
	if n == 1 {
		noun = "error"
	}
	return awserr.ValidationError("%d validation %s detected: %s", n, noun, strings.Join(errs, "; "))
}

// lowerFirst is how AWS names members in messages: userName, tags.1.member.key.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// validateStruct checks the members of a structure whose parameters start
// with prefix ("" at the top, "Tags.member.1." inside a list).
func (o *Op) validateStruct(sh *shape, v query.Values, prefix, path string, errs *[]string) {
	required := map[string]bool{}
	for _, r := range sh.Required {
		required[r] = true
	}
	for name, target := range sh.Members {
		msh := o.svc.Shapes[target]
		key := prefix + name
		mpath := join(path, lowerFirst(name))
		switch msh.Type {
		case "list":
			o.validateList(msh, v, key, mpath, required[name], errs)
		case "structure":
			if !hasPrefix(v, key+".") {
				if required[name] {
					*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", mpath))
				}
				continue
			}
			o.validateStruct(msh, v, key+".", mpath, errs)
		case "map":
			o.validateMap(msh, v, key, mpath, required[name], errs)
		default:
			val, ok := v[key]
			if !ok {
				if required[name] {
					*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", mpath))
				}
				continue
			}
			o.validateScalar(msh, val, mpath, errs)
		}
	}
}

func hasPrefix(v query.Values, prefix string) bool {
	for k := range v {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// entries returns the indexes present under prefix ("X.member."), and
// whether they are exactly 1..N.
func entries(v query.Values, prefix string) (n int, ok bool) {
	seen := map[int]bool{}
	ok = true
	for k := range v {
		rest, found := strings.CutPrefix(k, prefix)
		if !found {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || strconv.Itoa(i) != num {
			ok = false
			continue
		}
		seen[i] = true
	}
	for i := 1; i <= len(seen); i++ {
		if !seen[i] {
			ok = false
		}
	}
	return len(seen), ok
}

func (o *Op) validateList(sh *shape, v query.Values, key, path string, required bool, errs *[]string) {
	prefix := key + ".member."
	n, ok := entries(v, prefix)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must be a list numbered from 1 without gaps", path))
		return
	}
	if n == 0 {
		if _, empty := v[key]; !empty && required {
			*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
		}
		if sh.Min != nil && *sh.Min > 0 && (required || v.Has(key)) {
			*errs = append(*errs, fmt.Sprintf("Value '[]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", path, int(*sh.Min)))
		}
		return
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		*errs = append(*errs, fmt.Sprintf("Value '[...%d items]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", n, path, int(*sh.Max)))
	}
	if sh.Min != nil && float64(n) < *sh.Min {
		*errs = append(*errs, fmt.Sprintf("Value '[...%d items]' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", n, path, int(*sh.Min)))
	}
	msh := o.svc.Shapes[sh.Member]
	for i := 1; i <= n; i++ {
		ipath := fmt.Sprintf("%s.%d.member", path, i)
		ikey := prefix + strconv.Itoa(i)
		if msh.Type == "structure" {
			o.validateStruct(msh, v, ikey+".", ipath, errs)
			continue
		}
		val, ok := v[ikey]
		if !ok {
			*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", ipath))
			continue
		}
		o.validateScalar(msh, val, ipath, errs)
	}
}

func (o *Op) validateMap(sh *shape, v query.Values, key, path string, required bool, errs *[]string) {
	prefix := key + ".entry."
	n, ok := entries(v, prefix)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must be a map numbered from 1 without gaps", path))
		return
	}
	if n == 0 && required {
		*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		*errs = append(*errs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", path, int(*sh.Max)))
	}
	for i := 1; i <= n; i++ {
		base := prefix + strconv.Itoa(i) + "."
		for _, part := range []struct{ field, shape string }{{"key", sh.Key}, {"value", sh.Value}} {
			val, ok := v[base+part.field]
			ppath := fmt.Sprintf("%s.%d.%s", path, i, part.field)
			if !ok {
				*errs = append(*errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", ppath))
				continue
			}
			o.validateScalar(o.svc.Shapes[part.shape], val, ppath, errs)
		}
	}
}

// quote renders a client value in a message, bounded.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) > 256 {
		r := []rune(s)
		s = string(r[:256]) + "..."
	}
	return "'" + s + "'"
}

func (o *Op) validateScalar(sh *shape, val, path string, errs *[]string) {
	fail := func(constraint string) {
		*errs = append(*errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", quote(val), path, constraint))
	}
	switch sh.Type {
	case "integer", "long":
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil || (sh.Type == "integer" && (n > math.MaxInt32 || n < math.MinInt32)) {
			fail("be a number")
			return
		}
		if sh.Max != nil && float64(n) > *sh.Max {
			fail(fmt.Sprintf("have value less than or equal to %d", int64(*sh.Max)))
		}
		if sh.Min != nil && float64(n) < *sh.Min {
			fail(fmt.Sprintf("have value greater than or equal to %d", int64(*sh.Min)))
		}
	case "boolean":
		if val != "true" && val != "false" {
			fail("be a boolean: true or false")
		}
	case "timestamp":
	case "string":
		if len(sh.Enum) > 0 {
			ok := false
			for _, e := range sh.Enum {
				if e == val {
					ok = true
					break
				}
			}
			if !ok {
				fail("satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]")
				return
			}
		}
		// Lengths count characters, as AWS does.
		n := utf8.RuneCountInString(val)
		if sh.Max != nil && float64(n) > *sh.Max {
			fail(fmt.Sprintf("have length less than or equal to %d", int(*sh.Max)))
		}
		if sh.Min != nil && float64(n) < *sh.Min {
			fail(fmt.Sprintf("have length greater than or equal to %d", int(*sh.Min)))
		}
		if sh.Pattern != "" {
			if re := sh.regexp(); re != nil && (!utf8.ValidString(val) || !re.MatchString(val)) {
				fail("satisfy regular expression pattern: " + sh.Pattern)
			}
		}
	}
}

var javaEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// JavaToRE2 converts a model pattern (Java syntax) to an anchored RE2
// expression: \uXXXX escapes become \x{XXXX}.
func JavaToRE2(p string) string {
	return `^(?:` + javaEscape.ReplaceAllString(p, `\x{$1}`) + `)$`
}

func (s *shape) regexp() *regexp.Regexp {
	s.once.Do(func() {
		s.re, _ = regexp.Compile(JavaToRE2(s.Pattern))
	})
	return s.re
}
