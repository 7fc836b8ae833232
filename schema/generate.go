// Package schema derives the config's JSON Schema from the field specs of config and actions,
// and validates configs against it.
package schema

import (
	"encoding/json"
	"strings"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
)

// ID is the schema's $id.
const ID = "urn:ioroute:config:v1"

type obj = map[string]any

// Generate returns the JSON Schema of config version 1, indented, with a trailing newline.
func Generate() []byte {
	lifecycle := []any{}
	for _, r := range actions.ReservedEvents {
		if r != "connect" && r != "disconnect" {
			lifecycle = append(lifecycle, r)
		}
	}
	names := actions.Names()
	stepProps := obj{
		"when": obj{"description": "Run the action only when this bare expression is true, such as `data > 10`; with for_each, it is evaluated per item.", "type": []any{"string", "boolean"}},
		"for_each": obj{"description": "Run the step once per item of this list (a YAML list, or one ${{ }} that yields a list), with `item` and `index` set.",
			"anyOf": []any{obj{"type": "array"}, obj{"type": "string", "pattern": `\$\{\{`}}},
	}
	oneOf := []any{}
	for _, s := range actions.Specs() {
		stepProps[s.Name] = actionSchema(s)
		oneOf = append(oneOf, obj{"required": []any{s.Name}})
	}
	root := obj{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  ID,
		"title":                "ioroute config",
		"description":          "A declarative Socket.IO server: namespaces, events and the actions each event runs.",
		"type":                 "object",
		"additionalProperties": false,
		"required":             []any{"version", "namespaces"},
		"properties": obj{
			"version": obj{"const": 1, "description": fieldDoc(config.TopFields, "version")},
			"server":  serverSchema(),
			"namespaces": obj{
				"description":          fieldDoc(config.TopFields, "namespaces"),
				"type":                 "object",
				"propertyNames":        obj{"pattern": "^/"},
				"additionalProperties": obj{"$ref": "#/$defs/namespace"},
			},
		},
		"$defs": obj{
			"namespace": obj{
				"type":                 []any{"object", "null"},
				"additionalProperties": false,
				"properties": obj{
					"on": obj{
						"description":          fieldDoc(config.NamespaceFields, "on"),
						"type":                 "object",
						"propertyNames":        obj{"minLength": 1, "not": obj{"enum": lifecycle}},
						"additionalProperties": obj{"$ref": "#/$defs/handler"},
					},
					"on_error": fieldSchema(field(config.NamespaceFields, "on_error")),
				},
			},
			"handler": obj{
				"description": "A list of steps, or a mapping with `do` (the steps), `when` (a guard) and `on_error`.",
				"anyOf":       []any{obj{"$ref": "#/$defs/steps"}, objectSchema(config.HandlerFields, "")},
			},
			"steps": obj{
				"description": "Steps run in order; each is one action, optionally with `when` and `for_each`.",
				"type":        []any{"array", "null"},
				"items":       obj{"$ref": "#/$defs/step"},
			},
			"step": obj{
				"description":          "One action (" + joinNames(names) + "), optionally with `when` and `for_each`.",
				"type":                 "object",
				"additionalProperties": false,
				"properties":           stepProps,
				"oneOf":                oneOf,
			},
		},
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(err) // the schema is built from plain maps; this cannot fail
	}
	return append(b, '\n')
}

func actionSchema(s *actions.Spec) obj {
	if s.ShorthandOnly {
		f, _ := config.Lookup(s.Fields, s.Shorthand)
		out := fieldSchema(f)
		out["description"] = s.Doc
		return out
	}
	long := objectSchema(s.Fields, "")
	if s.Shorthand == "" {
		long["description"] = s.Doc
		return long
	}
	f, _ := config.Lookup(s.Fields, s.Shorthand)
	short := fieldSchema(f)
	if f.Type == config.Value {
		short = obj{"not": obj{"type": "object"}}
	}
	return obj{"description": s.Doc, "anyOf": []any{short, long}}
}

func objectSchema(fields []config.Field, doc string) obj {
	props := obj{}
	var required []any
	for _, f := range fields {
		props[f.Name] = fieldSchema(f)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	out := obj{"type": "object", "additionalProperties": false, "properties": props}
	if required != nil {
		out["required"] = required
	}
	if doc != "" {
		out["description"] = doc
	}
	return out
}

var scalarTypes = []any{"string", "number", "boolean"}

func fieldSchema(f config.Field) obj {
	var out obj
	switch f.Type {
	case config.String:
		out = obj{"type": "string"}
	case config.Bool:
		out = obj{"type": "boolean"}
	case config.Int:
		out = obj{"type": "integer", "minimum": 0}
	case config.Duration:
		out = obj{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	case config.StringList:
		out = obj{"type": "array", "items": obj{"type": "string"}}
	case config.Object:
		out = objectSchema(f.Fields, "")
	case config.Map:
		out = obj{"type": []any{"object", "null"}}
		if f.Fields != nil {
			out["additionalProperties"] = objectSchema(f.Fields, "")
		}
	case config.Text:
		out = obj{"type": scalarTypes}
	case config.TextList:
		out = obj{"anyOf": []any{obj{"type": scalarTypes}, obj{"type": "array", "items": obj{"type": scalarTypes}}}}
	case config.ValueList:
		out = obj{"anyOf": []any{obj{"type": "array"}, obj{"type": "string", "pattern": `\$\{\{`}}}
	case config.ValueMap:
		out = obj{"type": "object"}
	case config.Steps:
		out = obj{"$ref": "#/$defs/steps"}
	case config.Expr:
		out = obj{"type": []any{"string", "boolean"}}
	default:
		out = obj{}
	}
	if f.Doc != "" {
		out["description"] = f.Doc
	}
	if f.Default != nil {
		out["default"] = f.Default
	}
	return out
}

// serverSchema is the schema of the server section, each setting's description ending with
// what a change to it needs, as the reference's On change column says.
func serverSchema() obj {
	out := objectSchema(config.ServerFields, fieldDoc(config.TopFields, "server"))
	props := out["properties"].(obj)
	for _, f := range config.ServerFields {
		p := props[f.Name].(obj)
		p["description"] = strings.TrimSpace(f.Doc + " On change: " + onChange(f.Restart) + ".")
		allowEnv(p, f)
	}
	adminAuthSchema(props["admin"].(obj))
	return out
}

// adminAuthSchema describes server.admin.auth, which config declares as a Value and decodes
// itself (config/admin.go): false, or a user name and a bcrypt hash.
func adminAuthSchema(admin obj) {
	auth := admin["properties"].(obj)["auth"].(obj)
	auth["anyOf"] = []any{
		obj{"const": false},
		obj{"type": "object", "additionalProperties": false, "required": []any{"username", "password_hash"},
			"properties": obj{"username": obj{"type": "string"}, "password_hash": obj{"type": "string"}}},
	}
}

// envSetting is a server setting read from one environment variable, which is a string in the
// file whatever the setting's type (config/envsettings.go).
var envSetting = obj{"type": "string", "pattern": `^\$\{\{\s*env(\.[A-Za-z_][A-Za-z0-9_]*|\[\s*"[^"\\]+"\s*\])\s*\}\}$`}

// allowEnv lets the schema p of server setting f, and of the settings inside it, be written as
// ${{ env.NAME }} where the setting is not a string.
func allowEnv(p obj, f config.Field) {
	switch f.Type {
	case config.Int, config.Bool, config.Duration:
		typed := obj{}
		for k, v := range p {
			if k != "description" && k != "default" {
				typed[k] = v
				delete(p, k)
			}
		}
		p["anyOf"] = []any{typed, envSetting}
	case config.Object:
		props := p["properties"].(obj)
		for _, sub := range f.Fields {
			allowEnv(props[sub.Name].(obj), sub)
		}
	case config.Map:
		if each, ok := p["additionalProperties"].(obj); ok {
			props := each["properties"].(obj)
			for _, sub := range f.Fields {
				allowEnv(props[sub.Name].(obj), sub)
			}
		}
	}
}

func fieldDoc(fields []config.Field, name string) string {
	return field(fields, name).Doc
}

// field returns the field named name of fields, which declares it.
func field(fields []config.Field, name string) config.Field {
	f, ok := config.Lookup(fields, name)
	if !ok {
		panic("schema: no field " + name)
	}
	return f
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}
