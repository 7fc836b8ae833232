package main

import "flag"

// parseInterspersed parses args with fs, accepting flags after the positional arguments too
// (`ioroute run chat.yaml --watch`), as users of most command lines expect; the standard
// flag package stops at the first non-flag. A lone "--" still ends the flags. It returns the
// positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil // "--": everything after it is positional
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
