// Package codegen turns botocore's IAM and STS service models into the Go
// source of package awsmodel (zz_generated.go): for every operation, the
// input shape tree with its constraints, the result wrapper and the modeled
// errors, plus each service's metadata. It is the body of awsmodel/gen,
// kept importable so that awsmodel's tests can check the committed file is
// what the installed botocore produces.
package codegen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Models lists the service models Latchkey speaks, relative to the botocore
// package directory.
var Models = []struct{ Service, Path string }{
	{"iam", "data/iam/2010-05-08/service-2.json.gz"},
	{"sts", "data/sts/2011-06-15/service-2.json.gz"},
}

// LocateBotocore asks python3 where the botocore package is installed.
func LocateBotocore() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("python3 cannot import botocore: %w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("python3 cannot import botocore: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

var versionLine = regexp.MustCompile(`(?m)^__version__ = ['"]([^'"]+)['"]`)

// Generate reads the models under the botocore package directory dir and
// returns the gofmt'd source of zz_generated.go. The output depends only on
// the models' content: same botocore, same bytes.
func Generate(dir string) ([]byte, error) {
	version := "unknown version"
	if b, err := os.ReadFile(filepath.Join(dir, "__init__.py")); err == nil {
		if m := versionLine.FindSubmatch(b); m != nil {
			version = string(m[1])
		}
	}
	g := &generator{patterns: map[string]string{}, pat: map[string][2]string{}, varNames: map[string]string{}}
	var svcs []*service
	for _, m := range Models {
		raw, err := readModel(filepath.Join(dir, filepath.FromSlash(m.Path)))
		if err != nil {
			return nil, err
		}
		s, err := g.service(m.Service, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Path, err)
		}
		svcs = append(svcs, s)
	}
	src := g.render(version, svcs)
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("gofmt generated source: %w", err)
	}
	return out, nil
}

// The botocore JSON, as far as Latchkey reads it.

type rawModel struct {
	Metadata struct {
		APIVersion   string `json:"apiVersion"`
		XMLNamespace string `json:"xmlNamespace"`
		ServiceID    string `json:"serviceId"`
		Protocol     string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]rawOperation `json:"operations"`
	Shapes     map[string]*rawShape    `json:"shapes"`
}

type rawOperation struct {
	Input  *rawRef `json:"input"`
	Output *struct {
		Shape         string `json:"shape"`
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
	Errors   []rawRef `json:"errors"`
	Auth     []string `json:"auth"`
	AuthType string   `json:"authtype"`
}

type rawRef struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	Flattened    bool   `json:"flattened"`
	Location     string `json:"location"`
}

type rawShape struct {
	Type      string          `json:"type"`
	Required  []string        `json:"required"`
	Members   json.RawMessage `json:"members"`
	Member    *rawRef         `json:"member"`
	Key       *rawRef         `json:"key"`
	Value     *rawRef         `json:"value"`
	Min       *json.Number    `json:"min"`
	Max       *json.Number    `json:"max"`
	Pattern   *string         `json:"pattern"`
	Enum      []string        `json:"enum"`
	Sensitive bool            `json:"sensitive"`
	Flattened bool            `json:"flattened"`
	Union     bool            `json:"union"`
	Exception bool            `json:"exception"`
	Fault     bool            `json:"fault"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

func readModel(path string) (*rawModel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber()
	var m rawModel
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Metadata.Protocol != "query" {
		return nil, fmt.Errorf("%s: protocol %q, want query", path, m.Metadata.Protocol)
	}
	return &m, nil
}

// member is one structure member in model order.
type member struct {
	Name string
	Ref  rawRef
}

// orderedMembers decodes a "members" object keeping the model's order, which
// is the order AWS reports validation errors in.
func orderedMembers(raw json.RawMessage) ([]member, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("members: not an object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var ref rawRef
		if err := dec.Decode(&ref); err != nil {
			return nil, err
		}
		out = append(out, member{Name: t.(string), Ref: ref})
	}
	return out, nil
}

// The generator's own view.

type service struct {
	Name       string
	Meta       *rawModel
	Shapes     []*shape // reachable from an input, sorted by name
	Operations []*operation
}

type shape struct {
	Var       string // Go variable name
	Name      string
	Kind      string // Go constant name: KindString...
	Min, Max  *int64
	Pattern   string // the model pattern, "" for none
	Enum      []string
	Sensitive bool
	Members   []shapeMember
	Elem      *shape // list member, map value
	ElemName  string // list member / map value location name
	Key       *shape
	KeyName   string
	visiting  bool
	generated bool
}

type shapeMember struct {
	Name, LocationName string
	Required           bool
	Shape              *shape
}

type operation struct {
	Name          string
	Input         *shape
	ResultWrapper string
	Errors        []modeledError
	Unsigned      bool
}

type modeledError struct {
	Code, Shape string
	Status      int
	Sender      bool
}

type generator struct {
	patterns map[string]string    // model pattern -> Go variable, set by render
	patOrder []string             // model patterns, first use first
	pat      map[string][2]string // model pattern -> RE2, reject
	varNames map[string]string    // Go variable -> shape name, for collisions
}

var kinds = map[string]string{
	"string":    "KindString",
	"integer":   "KindInteger",
	"long":      "KindLong",
	"boolean":   "KindBoolean",
	"timestamp": "KindTimestamp",
	"blob":      "KindBlob",
	"float":     "KindFloat",
	"double":    "KindFloat",
	"list":      "KindList",
	"map":       "KindMap",
	"structure": "KindStructure",
}

func (g *generator) service(name string, m *rawModel) (*service, error) {
	s := &service{Name: name, Meta: m}
	shapes := map[string]*shape{}
	var visit func(shapeName string) (*shape, error)
	visit = func(shapeName string) (*shape, error) {
		if sh, ok := shapes[shapeName]; ok {
			if sh.visiting {
				return nil, fmt.Errorf("shape %s is recursive; awsmodel's generated vars cannot express that yet", shapeName)
			}
			return sh, nil
		}
		raw := m.Shapes[shapeName]
		if raw == nil {
			return nil, fmt.Errorf("shape %s is referenced but not defined", shapeName)
		}
		kind, ok := kinds[raw.Type]
		if !ok {
			return nil, fmt.Errorf("shape %s: type %q is not supported", shapeName, raw.Type)
		}
		if raw.Flattened || raw.Union {
			return nil, fmt.Errorf("shape %s: flattened or union shapes are not supported", shapeName)
		}
		sh := &shape{Name: shapeName, Kind: kind, Var: name + exportName(shapeName), Enum: raw.Enum, Sensitive: raw.Sensitive && kind == "KindString", visiting: true}
		if other, dup := g.varNames[sh.Var]; dup {
			return nil, fmt.Errorf("shapes %s and %s both map to Go name %s", other, shapeName, sh.Var)
		}
		g.varNames[sh.Var] = shapeName
		shapes[shapeName] = sh
		var err error
		if sh.Min, err = integral(shapeName, "min", raw.Min); err != nil {
			return nil, err
		}
		if sh.Max, err = integral(shapeName, "max", raw.Max); err != nil {
			return nil, err
		}
		if raw.Pattern != nil {
			if sh.Pattern, err = g.pattern(*raw.Pattern); err != nil {
				return nil, fmt.Errorf("shape %s: %w", shapeName, err)
			}
		}
		members, err := orderedMembers(raw.Members)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %w", shapeName, err)
		}
		required := map[string]bool{}
		for _, r := range raw.Required {
			required[r] = true
		}
		for _, mem := range members {
			if mem.Ref.Flattened || (mem.Ref.Location != "" && mem.Ref.Location != "querystring") {
				return nil, fmt.Errorf("shape %s member %s: flattened or located members are not supported", shapeName, mem.Name)
			}
			target, err := visit(mem.Ref.Shape)
			if err != nil {
				return nil, err
			}
			loc := mem.Name
			if mem.Ref.LocationName != "" {
				loc = mem.Ref.LocationName
			}
			sh.Members = append(sh.Members, shapeMember{Name: mem.Name, LocationName: loc, Required: required[mem.Name], Shape: target})
			delete(required, mem.Name)
		}
		if len(required) > 0 {
			return nil, fmt.Errorf("shape %s requires members it does not have: %v", shapeName, required)
		}
		switch raw.Type {
		case "list":
			if raw.Member == nil {
				return nil, fmt.Errorf("list shape %s has no member", shapeName)
			}
			if sh.Elem, err = visit(raw.Member.Shape); err != nil {
				return nil, err
			}
			sh.ElemName = or(raw.Member.LocationName, "member")
		case "map":
			if raw.Key == nil || raw.Value == nil {
				return nil, fmt.Errorf("map shape %s lacks key or value", shapeName)
			}
			if sh.Key, err = visit(raw.Key.Shape); err != nil {
				return nil, err
			}
			if sh.Elem, err = visit(raw.Value.Shape); err != nil {
				return nil, err
			}
			if !scalar(sh.Key) || !scalar(sh.Elem) {
				return nil, fmt.Errorf("map shape %s: only scalar keys and values are supported", shapeName)
			}
			sh.KeyName = or(raw.Key.LocationName, "key")
			sh.ElemName = or(raw.Value.LocationName, "value")
		}
		sh.visiting = false
		return sh, nil
	}

	names := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ro := m.Operations[n]
		o := &operation{Name: n, Unsigned: ro.AuthType == "none"}
		for _, a := range ro.Auth {
			if a == "smithy.api#noAuth" {
				o.Unsigned = true
			}
		}
		if ro.Input != nil {
			in, err := visit(ro.Input.Shape)
			if err != nil {
				return nil, fmt.Errorf("operation %s: %w", n, err)
			}
			if in.Kind != "KindStructure" {
				return nil, fmt.Errorf("operation %s: input %s is not a structure", n, in.Name)
			}
			o.Input = in
		}
		if ro.Output != nil {
			o.ResultWrapper = ro.Output.ResultWrapper
		}
		for _, e := range ro.Errors {
			raw := m.Shapes[e.Shape]
			if raw == nil || !raw.Exception {
				return nil, fmt.Errorf("operation %s: error %s is not an exception shape", n, e.Shape)
			}
			// Without an error trait botocore uses the shape name as the
			// code; Smithy's default for a client error is 400.
			me := modeledError{Code: e.Shape, Shape: e.Shape, Status: 400, Sender: !raw.Fault}
			if raw.Error != nil {
				me.Code = or(raw.Error.Code, e.Shape)
				if raw.Error.HTTPStatusCode != 0 {
					me.Status = raw.Error.HTTPStatusCode
				}
				me.Sender = raw.Error.SenderFault
			}
			o.Errors = append(o.Errors, me)
		}
		s.Operations = append(s.Operations, o)
	}
	for _, sh := range shapes {
		s.Shapes = append(s.Shapes, sh)
	}
	sort.Slice(s.Shapes, func(i, j int) bool { return s.Shapes[i].Name < s.Shapes[j].Name })
	return s, nil
}

func scalar(sh *shape) bool {
	switch sh.Kind {
	case "KindList", "KindMap", "KindStructure":
		return false
	}
	return true
}

func integral(shapeName, field string, n *json.Number) (*int64, error) {
	if n == nil {
		return nil, nil
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != float64(int64(f)) {
			return nil, fmt.Errorf("shape %s: %s %s is not an integer", shapeName, field, n)
		}
		v = int64(f)
	}
	return &v, nil
}

// pattern registers a model pattern and returns it; render names the Go
// variables once all patterns are known, in sorted order.
func (g *generator) pattern(java string) (string, error) {
	if _, ok := g.pat[java]; ok {
		return java, nil
	}
	re2, reject, err := ConvertPattern(java)
	if err != nil {
		return "", err
	}
	g.patOrder = append(g.patOrder, java)
	g.pat[java] = [2]string{re2, reject}
	return java, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// exportName makes a shape name part of a Go identifier: the first letter
// upper-cased, anything not a letter or digit dropped.
func exportName(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case i == 0 && 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9' && i > 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *generator) render(version string, svcs []*service) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("// Code generated by go run ./gen from botocore's service models; DO NOT EDIT.\n")
	p("// Source: botocore %s:", version)
	for _, m := range Models {
		p(" %s", m.Path)
	}
	p("\n\npackage awsmodel\n\n")

	sort.Strings(g.patOrder)
	p("// Patterns of the models, by model text.\nvar (\n")
	for i, java := range g.patOrder {
		v := fmt.Sprintf("pattern%02d", i)
		g.patterns[java] = v
		pr := g.pat[java]
		p("%s = &Pattern{Model: %s, RE2: %s", v, goString(java), goString(pr[0]))
		if pr[1] != "" {
			p(", Reject: %s", goString(pr[1]))
		}
		p("}\n")
	}
	p(")\n\n")

	for _, s := range svcs {
		p("// Input shapes of %s, by model name.\nvar (\n", s.Meta.Metadata.ServiceID)
		for _, sh := range s.Shapes {
			p("%s = &Shape{Name: %q, Kind: %s", sh.Var, sh.Name, sh.Kind)
			if sh.Min != nil {
				p(", HasMin: true, Min: %d", *sh.Min)
			}
			if sh.Max != nil {
				p(", HasMax: true, Max: %d", *sh.Max)
			}
			if sh.Pattern != "" {
				p(", Pattern: %s", g.patterns[sh.Pattern])
			}
			if len(sh.Enum) > 0 {
				p(", Enum: []string{")
				for i, e := range sh.Enum {
					if i > 0 {
						p(", ")
					}
					p("%s", goString(e))
				}
				p("}")
			}
			if sh.Sensitive {
				p(", Sensitive: true")
			}
			switch sh.Kind {
			case "KindList":
				p(", Elem: %s, ElemName: %q", sh.Elem.Var, sh.ElemName)
			case "KindMap":
				p(", Key: %s, KeyName: %q, Elem: %s, ElemName: %q", sh.Key.Var, sh.KeyName, sh.Elem.Var, sh.ElemName)
			case "KindStructure":
				p(", Members: []Member{\n")
				for _, m := range sh.Members {
					p("{Name: %q, LocationName: %q", m.Name, m.LocationName)
					if m.Required {
						p(", Required: true")
					}
					p(", Shape: %s},\n", m.Shape.Var)
				}
				p("}")
			}
			p("}\n")
		}
		p(")\n\n")

		md := s.Meta.Metadata
		p("// %sService is the %s model (%s).\n", s.Name, md.ServiceID, md.APIVersion)
		p("var %sService = &Service{Name: %q, ServiceID: %q, APIVersion: %q, XMLNamespace: %q, operations: []*Op{\n",
			s.Name, s.Name, md.ServiceID, md.APIVersion, md.XMLNamespace)
		for _, o := range s.Operations {
			p("{Service: %q, Name: %q", s.Name, o.Name)
			if o.Input != nil {
				p(", Input: %s", o.Input.Var)
			}
			if o.ResultWrapper != "" {
				p(", ResultWrapper: %q", o.ResultWrapper)
			}
			if o.Unsigned {
				p(", Unsigned: true")
			}
			if len(o.Errors) > 0 {
				p(", Errors: []ModeledError{\n")
				for _, e := range o.Errors {
					p("{Code: %q, Shape: %q, Status: %d, Sender: %t},\n", e.Code, e.Shape, e.Status, e.Sender)
				}
				p("}")
			}
			p("},\n")
		}
		p("}}\n\n")
	}
	return b.Bytes()
}

// goString quotes s as a Go string literal, raw when that keeps a regular
// expression readable.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
