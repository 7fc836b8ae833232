package main

import (
	"flag"
	"io"

	"github.com/ioroute/ioroute/schema"
)

// schemaCmd prints the config's JSON Schema, or with --tests the test files'.
func schemaCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tests := fs.Bool("tests", false, "print the JSON Schema of test files (*.test.yaml) instead")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *tests {
		_, _ = stdout.Write(schema.GenerateTests())
		return 0
	}
	_, _ = stdout.Write(schema.Generate())
	return 0
}
