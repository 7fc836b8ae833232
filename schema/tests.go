package schema

import (
	_ "embed"
	"encoding/json"
	"strings"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/config/testfile"
)

// TestsID is the $id of the test files' schema.
const TestsID = "urn:ioroute:tests:v1"

// TestsFile is the committed schema of test files; a test keeps it equal to GenerateTests().
//
//go:embed ioroute.tests.schema.json
var TestsFile []byte

// GenerateTests returns the JSON Schema of `ioroute test` files (*.test.yaml), derived from
// config/testfile's fields, indented, with a trailing newline.
func GenerateTests() []byte {
	stepProps := obj{}
	var oneOf []any
	for _, k := range testfile.StepKinds {
		p := stepSchema(k)
		p["description"] = k.Doc
		stepProps[k.Name] = p
		oneOf = append(oneOf, obj{"required": []any{k.Name}})
	}
	timeout, _ := config.Lookup(testfile.StepFields, "timeout")
	stepProps["timeout"] = fieldSchema(timeout)

	top := objectSchema(testfile.TopFields, "")
	props := top["properties"].(obj)
	props["env"] = withDoc(obj{"$ref": "#/$defs/env"}, testfile.TopFields, "env")
	props["clients"] = withDoc(obj{"$ref": "#/$defs/clients"}, testfile.TopFields, "clients")
	props["tests"] = withDoc(obj{"type": "array", "items": obj{"$ref": "#/$defs/test"}}, testfile.TopFields, "tests")
	props["calls"] = withDoc(obj{"$ref": "#/$defs/calls"}, testfile.TopFields, "calls")

	test := objectSchema(testfile.TestFields, "One test: clients and the steps they take, against a fresh server.")
	tprops := test["properties"].(obj)
	tprops["env"] = withDoc(obj{"$ref": "#/$defs/env"}, testfile.TestFields, "env")
	tprops["clients"] = withDoc(obj{"$ref": "#/$defs/clients"}, testfile.TestFields, "clients")
	tprops["steps"] = withDoc(obj{"type": "array", "items": obj{"$ref": "#/$defs/step"}}, testfile.TestFields, "steps")
	tprops["calls"] = withDoc(obj{"$ref": "#/$defs/calls"}, testfile.TestFields, "calls")

	client := objectSchema(testfile.ClientFields, "")
	cprops := client["properties"].(obj)
	cprops["protocol"] = withDoc(obj{"enum": []any{3, 4}, "default": 4}, testfile.ClientFields, "protocol")
	cprops["namespace"].(obj)["pattern"] = "^/"

	root := obj{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         TestsID,
		"title":       "ioroute test file",
		"description": "Tests of an ioroute config, run by `ioroute test`: named clients and the steps they take.",
	}
	for k, v := range top {
		root[k] = v
	}
	root["$defs"] = obj{
		"env": obj{"type": "object", "additionalProperties": obj{"type": scalarTypes}},
		"clients": obj{"type": "object", "additionalProperties": obj{
			"description": "A client: its namespace (`/chat`), or a mapping.",
			"anyOf":       []any{obj{"type": "string", "pattern": "^/"}, client},
		}},
		"test": test,
		"step": obj{
			"description":          "One step: " + joinNames(testfile.KindNames()) + ", optionally with `timeout`.",
			"type":                 "object",
			"additionalProperties": false,
			"properties":           stepProps,
			"oneOf":                oneOf,
		},
		"clientNames": obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}}},
		"event":       eventSchema(),
		"calls": obj{
			"description":          "Stubs by `METHOD URL`: how each call is answered.",
			"type":                 "object",
			"propertyNames":        methodURL,
			"additionalProperties": obj{"anyOf": []any{obj{"type": "null"}, stubSchema()}},
		},
		"request": obj{
			"description": "A request: `METHOD URL`, or a mapping from `METHOD URL` to what it holds.",
			"anyOf": []any{
				obj{"type": "string", "pattern": methodURL["pattern"]},
				obj{
					"type":                 "object",
					"propertyNames":        methodURL,
					"additionalProperties": obj{"anyOf": []any{obj{"type": "null"}, objectSchema(testfile.CalledFields, "")}},
				},
			},
		},
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(err) // plain maps; this cannot fail
	}
	return append(b, '\n')
}

// stepSchema is the schema of one step kind's value.
func stepSchema(k testfile.StepKind) obj {
	switch k.Name {
	case "connect", "disconnect":
		return obj{"$ref": "#/$defs/clientNames"}
	case "refused":
		return obj{"anyOf": []any{obj{"type": "string"}, objectSchema(k.Fields, "")}}
	case "emit":
		s := objectSchema(k.Fields, "")
		props := s["properties"].(obj)
		props["args"] = withDoc(obj{"type": "array"}, k.Fields, "args")
		props["ack_args"] = withDoc(obj{"type": "array"}, k.Fields, "ack_args")
		return s
	case "expect":
		return obj{"type": "object", "additionalProperties": obj{
			"description": "What this client receives: an event, a list of events in order, `nothing` or `disconnected`.",
			"anyOf": []any{
				obj{"enum": []any{"nothing", "disconnected"}},
				obj{"$ref": "#/$defs/event"},
				obj{"type": "array", "items": obj{"$ref": "#/$defs/event"}},
			},
		}}
	case "printed":
		return obj{"type": []any{"string", "number", "boolean", "object", "array"}}
	case "called":
		return obj{"anyOf": []any{obj{"$ref": "#/$defs/request"}, obj{"type": "array", "items": obj{"$ref": "#/$defs/request"}}}}
	case "rooms":
		return obj{"type": "object", "additionalProperties": obj{
			"anyOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}},
		}}
	}
	panic("schema: no schema for step kind " + k.Name)
}

// methodURL is the schema of a stub's or a called step's `METHOD URL`.
var methodURL = obj{"pattern": "^(" + strings.Join(testfile.Methods, "|") + ") +[^ ]"}

func stubSchema() obj {
	s := objectSchema(testfile.StubFields, "How a call is answered.")
	status := s["properties"].(obj)["status"].(obj)
	status["minimum"], status["maximum"] = 100, 599
	return s
}

func eventSchema() obj {
	s := objectSchema(testfile.EventFields, "An event a client receives.")
	s["properties"].(obj)["args"] = withDoc(obj{"type": "array"}, testfile.EventFields, "args")
	return s
}

// withDoc gives s the doc of the field named name of fields.
func withDoc(s obj, fields []config.Field, name string) obj {
	s["description"] = fieldDoc(fields, name)
	return s
}
