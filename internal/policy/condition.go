package policy

import "github.com/latchkey/latchkey/internal/policy/condition"

// parseConditions validates a statement's Condition element: an object of
// operator -> {key -> value or list of values}, each value a string, a
// boolean or a number. All conditions must hold for the statement to apply
// (AND across operators and keys; the values of one key are alternatives,
// see package condition). An empty Condition object is accepted and means
// no condition.
func parseConditions(block *jsonValue, variables bool) ([]condition.Condition, error) {
	if block.kind != jsonObject {
		return nil, malformed(msgSyntax)
	}
	var out []condition.Condition
	for _, op := range block.members {
		if op.value.kind != jsonObject || len(op.value.members) == 0 {
			return nil, malformed(msgSyntax)
		}
		for _, kv := range op.value.members {
			values, ok := conditionValues(&kv.value)
			if !ok {
				return nil, malformed(msgSyntax)
			}
			c, err := condition.New(op.name, kv.name, values, variables)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues accepts a scalar or a non-empty list of scalars.
func conditionValues(v *jsonValue) ([]string, bool) {
	scalar := func(v *jsonValue) bool {
		return v.kind == jsonString || v.kind == jsonBool || v.kind == jsonNumber
	}
	if scalar(v) {
		return []string{v.text}, true
	}
	if v.kind != jsonArray || len(v.elems) == 0 {
		return nil, false
	}
	out := make([]string, len(v.elems))
	for i := range v.elems {
		if !scalar(&v.elems[i]) {
			return nil, false
		}
		out[i] = v.elems[i].text
	}
	return out, true
}
