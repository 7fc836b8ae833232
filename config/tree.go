package config

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// ParseTree reads YAML source into a positioned Node tree without reading it as a config, for
// other files ioroute reads (test files), so that they get the same limits, positions and YAML
// error messages as configs. An empty document is an empty mapping.
func ParseTree(name string, src []byte) (*Node, error) {
	var errs Errors
	if len(src) > MaxFileSize {
		errs.Add(Pos{File: name, Line: 1}, "", "the file is %s, over the %s a file may have; make it smaller",
			mebibytes(len(src)), mebibytes(MaxFileSize))
		return nil, errs.Err()
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(src)).Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return &Node{Kind: MapNode, Pos: Pos{File: name, Line: 1, Col: 1}}, nil
		}
		errs.Append(yamlError(name, src, err))
		return nil, errs.Err()
	}
	if past := firstPastLimit(&doc, new(int)); past != nil {
		errs.Add(Pos{File: name, Line: past.Line, Col: past.Column}, "",
			"the file has more than %d values (mappings, lists and scalars); it passes the limit here: make it smaller", MaxValues)
		return nil, errs.Err()
	}
	root, fatal := fromYAML(name, &doc, "", &errs)
	if fatal != nil {
		return nil, Errors{fatal}.Err()
	}
	return root, errs.Err()
}
