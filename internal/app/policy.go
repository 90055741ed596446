package app

import "github.com/latchkey/latchkey/internal/policy"

// validatePolicy checks a document against the IAM policy grammar.
func validatePolicy(doc string) error {
	_, err := policy.Parse(doc)
	return err
}
