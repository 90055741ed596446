package policy

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// jsonValue is a JSON value decoded strictly for policy parsing: objects keep
// their members in document order, and duplicate member names, trailing
// data and nesting deeper than maxDepth are refused (encoding/json alone
// silently keeps the last of duplicate names, which would let a document
// say one thing to a reviewer and another to the evaluator).
type jsonValue struct {
	kind    jsonKind
	text    string       // string value, number as written, "true"/"false"
	members []jsonMember // object
	elems   []jsonValue  // array
	// start and end are, for an object, the byte offsets in the document
	// just past its opening '{' and just past its closing '}'.
	start, end int
}

type jsonMember struct {
	name  string
	value jsonValue
}

type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// maxDepth bounds nesting; a policy needs six levels (document, Statement
// list, statement, Condition, operator, key -> value list).
const maxDepth = 16

var (
	errDuplicateName = errors.New("duplicate object member name")
	errTooDeep       = errors.New("nesting too deep")
	errTrailingData  = errors.New("data after the document")
)

// decodeJSON decodes exactly one JSON value from doc.
func decodeJSON(doc string) (jsonValue, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return jsonValue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonValue{}, errTrailingData
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (jsonValue, error) {
	if depth > maxDepth {
		return jsonValue{}, errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jsonValue{kind: jsonNull}, nil
	case bool:
		if t {
			return jsonValue{kind: jsonBool, text: "true"}, nil
		}
		return jsonValue{kind: jsonBool, text: "false"}, nil
	case json.Number:
		return jsonValue{kind: jsonNumber, text: string(t)}, nil
	case string:
		return jsonValue{kind: jsonString, text: t}, nil
	case json.Delim:
		if t == '[' {
			v := jsonValue{kind: jsonArray, elems: []jsonValue{}}
			for dec.More() {
				e, err := decodeValue(dec, depth+1)
				if err != nil {
					return jsonValue{}, err
				}
				v.elems = append(v.elems, e)
			}
			_, err := dec.Token() // ']'
			return v, err
		}
		// '{': Token only ever returns an opening delimiter here.
		v := jsonValue{kind: jsonObject, members: []jsonMember{}, start: int(dec.InputOffset())}
		seen := make(map[string]bool)
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return jsonValue{}, err
			}
			name, _ := tok.(string) // the decoder guarantees a string name
			if seen[name] {
				return jsonValue{}, errDuplicateName
			}
			seen[name] = true
			e, err := decodeValue(dec, depth+1)
			if err != nil {
				return jsonValue{}, err
			}
			v.members = append(v.members, jsonMember{name, e})
		}
		_, err := dec.Token() // '}'
		v.end = int(dec.InputOffset())
		return v, err
	}
	return jsonValue{}, errors.New("unexpected JSON token")
}

// member returns the value of the named member of an object, or nil.
func (v *jsonValue) member(name string) *jsonValue {
	for i := range v.members {
		if v.members[i].name == name {
			return &v.members[i].value
		}
	}
	return nil
}
