package policy

import (
	"github.com/latchkey/latchkey/internal/policy/condition"
	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// The Condition element: an object of operator -> {key -> value or list of
// values}, each value a string, a boolean or a number. All conditions must
// hold for the statement to apply (AND across operators and keys; the
// values of one key are alternatives, see package condition). As IAM
// accepts them (moto's AWS-checked documents): an empty Condition, an
// operator with an empty block ({"DateGreaterThan": {}}, and even an
// unknown one, {"x": {}}), a key without a vendor prefix and an empty list
// of values ({"a": []}). An empty block adds no condition; an empty list
// of values is read as a set: no request value matches none of them, so a
// positive operator (StringEquals) never holds and a negated one
// (StringNotEquals) always does when the key is present. What AWS does
// with the latter is not known.

// checkConditionSyntax checks the JSON shape of a Condition element, and
// that every operator with keys is one IAM knows (condition.Split).
func checkConditionSyntax(block *jsonValue) bool {
	if block.kind != jsonObject {
		return false
	}
	for _, op := range block.members {
		if op.value.kind != jsonObject {
			return false
		}
		if _, _, _, known := condition.Split(op.name); !known && len(op.value.members) > 0 {
			return false
		}
		for _, kv := range op.value.members {
			if _, ok := conditionValues(&kv.value); !ok {
				return false
			}
		}
	}
	return true
}

// legacyConditions reports whether every Date... value of a Condition
// element parses as AWS's legacy parser reads dates (condition.ParseDate).
func legacyConditions(block *jsonValue) bool {
	for _, op := range block.members {
		if !condition.IsDate(op.name) {
			continue
		}
		for _, kv := range op.value.members {
			values, _ := conditionValues(&kv.value)
			for _, v := range values {
				if _, ok := condition.ParseDate(v); !ok {
					return false
				}
			}
		}
	}
	return true
}

// parseConditions builds the conditions of a Condition element whose
// syntax was checked, in document order.
func parseConditions(block *jsonValue, variables bool) ([]condition.Condition, error) {
	var out []condition.Condition
	for _, op := range block.members {
		for _, kv := range op.value.members {
			values, _ := conditionValues(&kv.value)
			c, err := condition.New(op.name, kv.name, values, variables)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionKeys appends to keys the context keys a Condition element reads:
// each key, then the policy variables in its values where the operator
// substitutes them (the String... and Arn... operators, version 2012-10-17).
func conditionKeys(keys []string, block *jsonValue, variables bool) []string {
	for _, op := range block.members {
		base, _, _, _ := condition.Split(op.name)
		substitutes := variables && (len(base) > 6 && base[:6] == "String" || len(base) > 3 && base[:3] == "Arn")
		for _, kv := range op.value.members {
			keys = append(keys, kv.name)
			if !substitutes {
				continue
			}
			values, _ := conditionValues(&kv.value)
			for _, v := range values {
				keys = append(keys, wildcard.Keys(v)...)
			}
		}
	}
	return keys
}

// conditionValues accepts a scalar or a list of scalars (possibly empty).
func conditionValues(v *jsonValue) ([]string, bool) {
	scalar := func(v *jsonValue) bool {
		return v.kind == jsonString || v.kind == jsonBool || v.kind == jsonNumber
	}
	if scalar(v) {
		return []string{v.text}, true
	}
	if v.kind != jsonArray {
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
