// Command gen extracts from botocore's IAM and STS service models what
// Latchkey validates requests against: for every operation, the input shape
// tree with its constraints (type, required, min, max, pattern, enum), the
// result wrapper, and the service metadata. It writes models.json, which
// package awsmodel embeds.
//
//	go run ./gen [-botocore DIR] [-o models.json]
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

type rawModel struct {
	Metadata   map[string]any            `json:"metadata"`
	Operations map[string]rawOperation   `json:"operations"`
	Shapes     map[string]map[string]any `json:"shapes"`
}

type rawOperation struct {
	Input  *struct{ Shape string } `json:"input"`
	Output *struct {
		Shape         string
		ResultWrapper string `json:"resultWrapper"`
	} `json:"output"`
}

// Shape is a constraint tree node, as written to models.json.
type Shape struct {
	Type     string            `json:"type"`
	Required []string          `json:"required,omitempty"`
	Members  map[string]string `json:"members,omitempty"` // member name -> shape name
	Member   string            `json:"member,omitempty"`  // list element shape
	Key      string            `json:"key,omitempty"`
	Value    string            `json:"value,omitempty"`
	Min      *float64          `json:"min,omitempty"`
	Max      *float64          `json:"max,omitempty"`
	Pattern  string            `json:"pattern,omitempty"`
	Enum     []string          `json:"enum,omitempty"`
}

type Operation struct {
	Input         string `json:"input,omitempty"`
	ResultWrapper string `json:"resultWrapper,omitempty"`
}

type Service struct {
	APIVersion   string               `json:"apiVersion"`
	XMLNamespace string               `json:"xmlNamespace"`
	Operations   map[string]Operation `json:"operations"`
	Shapes       map[string]Shape     `json:"shapes"`
}

func main() {
	dir := flag.String("botocore", "", "botocore package directory (default: ask python3)")
	out := flag.String("o", "models.json", "output file")
	flag.Parse()
	if *dir == "" {
		b, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
		if err != nil {
			fail("locate botocore with python3: %v", err)
		}
		*dir = strings.TrimSpace(string(b))
	}
	models := map[string]Service{}
	for svc, rel := range map[string]string{"iam": "data/iam/2010-05-08/service-2.json.gz", "sts": "data/sts/2011-06-15/service-2.json.gz"} {
		models[svc] = extract(filepath.Join(*dir, rel))
	}
	b, err := json.MarshalIndent(models, "", " ")
	if err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fail("%v", err)
	}
}

func extract(path string) Service {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		fail("%v", err)
	}
	var m rawModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		fail("%s: %v", path, err)
	}
	s := Service{
		APIVersion:   fmt.Sprint(m.Metadata["apiVersion"]),
		XMLNamespace: fmt.Sprint(m.Metadata["xmlNamespace"]),
		Operations:   map[string]Operation{},
		Shapes:       map[string]Shape{},
	}
	var visit func(name string)
	visit = func(name string) {
		if _, done := s.Shapes[name]; done || name == "" {
			return
		}
		raw := m.Shapes[name]
		sh := Shape{Type: fmt.Sprint(raw["type"])}
		if v, ok := raw["min"].(float64); ok {
			sh.Min = &v
		}
		if v, ok := raw["max"].(float64); ok {
			sh.Max = &v
		}
		if v, ok := raw["pattern"].(string); ok {
			sh.Pattern = v
		}
		for _, e := range asList(raw["enum"]) {
			sh.Enum = append(sh.Enum, fmt.Sprint(e))
		}
		for _, r := range asList(raw["required"]) {
			sh.Required = append(sh.Required, fmt.Sprint(r))
		}
		s.Shapes[name] = sh // placeholder against cycles
		if members, ok := raw["members"].(map[string]any); ok {
			sh.Members = map[string]string{}
			for mn, mv := range members {
				target := fmt.Sprint(mv.(map[string]any)["shape"])
				sh.Members[mn] = target
				visit(target)
			}
		}
		for field, dst := range map[string]*string{"member": &sh.Member, "key": &sh.Key, "value": &sh.Value} {
			if ref, ok := raw[field].(map[string]any); ok {
				*dst = fmt.Sprint(ref["shape"])
				visit(*dst)
			}
		}
		s.Shapes[name] = sh
	}
	for name, op := range m.Operations {
		o := Operation{}
		if op.Input != nil {
			o.Input = op.Input.Shape
			visit(o.Input)
		}
		if op.Output != nil {
			o.ResultWrapper = op.Output.ResultWrapper
		}
		s.Operations[name] = o
	}
	return s
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}
