package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// outputFlag is every admin command's --output: table, the text meant for
// people (the default), or json, one JSON document for programs.
type outputFlag struct{ format string }

func (o *outputFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.format, "output", "o", "table", "table or json (env "+envName("output")+")")
}

// check refuses an unknown format; commands call it before doing anything,
// so that a typo never costs a secret printed in no readable form. "text",
// the name the table format had, is still accepted.
func (o *outputFlag) check() error {
	switch o.format {
	case "table", "json", "text":
		return nil
	}
	return fmt.Errorf("--output must be table or json, not %q", o.format)
}

// print writes v as one indented JSON document, or runs table.
func (o *outputFlag) print(w io.Writer, v any, table func(io.Writer) error) error {
	if o.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return table(w)
}
