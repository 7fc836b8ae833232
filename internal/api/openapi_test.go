package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// openAPIFile is the API's OpenAPI description, relative to this package.
const openAPIFile = "../../docs/api.yaml"

type obj = map[string]any

// openAPI reads docs/api.yaml.
func openAPI(t *testing.T) obj {
	t.Helper()
	src, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc obj
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	return doc
}

// at walks doc by keys, failing the test when one is missing.
func at(t *testing.T, doc any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := doc.(obj)
		if !ok || m[k] == nil {
			t.Fatalf("%s: no %s", openAPIFile, strings.Join(keys[:i+1], "."))
		}
		doc = m[k]
	}
	return doc
}

// refName is the component a {$ref: "#/components/<kind>/<name>"} names.
func refName(t *testing.T, v any) string {
	t.Helper()
	ref, _ := at(t, v, "$ref").(string)
	return ref[strings.LastIndex(ref, "/")+1:]
}

// sortedKeys lists a mapping's keys in order.
func sortedKeys(m obj) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(l []string) []string {
	out := slices.Clone(l)
	sort.Strings(out)
	return out
}

// TestOpenAPIDescribesTheHandlers: docs/api.yaml has exactly the endpoints of Routes, each
// with its method, its body's fields (the required ones marked), its query parameters and the
// statuses it answers with.
func TestOpenAPIDescribesTheHandlers(t *testing.T) {
	doc := openAPI(t)
	paths := at(t, doc, "paths").(obj)
	var want []string
	for _, r := range Routes {
		want = append(want, Prefix+r.Name)
	}
	if got := sortedKeys(paths); !reflect.DeepEqual(got, sorted(want)) {
		t.Fatalf("paths %v, want %v", got, sorted(want))
	}
	if got := at(t, doc, "components", "securitySchemes", "bearer", "scheme"); got != "bearer" {
		t.Fatalf("security scheme %v", got)
	}
	for _, r := range Routes {
		t.Run(r.Name, func(t *testing.T) {
			ops := paths[Prefix+r.Name].(obj)
			if got := sortedKeys(ops); !reflect.DeepEqual(got, []string{strings.ToLower(r.Method)}) {
				t.Fatalf("methods %v, want %s", got, r.Method)
			}
			op := ops[strings.ToLower(r.Method)]
			var statuses []string
			for _, s := range r.Statuses {
				statuses = append(statuses, strconv.Itoa(s))
			}
			if got := sortedKeys(at(t, op, "responses").(obj)); !reflect.DeepEqual(got, sorted(statuses)) {
				t.Errorf("responses %v, want %v", got, sorted(statuses))
			}
			if r.Request == nil {
				var names []string
				for _, p := range at(t, op, "parameters").([]any) {
					names = append(names, p.(obj)["name"].(string))
				}
				if !reflect.DeepEqual(names, r.Query) {
					t.Errorf("query parameters %v, want %v", names, r.Query)
				}
				return
			}
			name := refName(t, at(t, op, "requestBody", "content", "application/json", "schema"))
			if name != r.Request.Name() {
				t.Errorf("request schema %s, want %s", name, r.Request.Name())
			}
			schema := at(t, doc, "components", "schemas", name).(obj)
			if got := sortedKeys(at(t, schema, "properties").(obj)); !reflect.DeepEqual(got, sorted(jsonFields(r.Request))) {
				t.Errorf("%s properties %v, want %v", name, got, sorted(jsonFields(r.Request)))
			}
			var required []string
			for _, f := range schema["required"].([]any) {
				required = append(required, f.(string))
			}
			if !reflect.DeepEqual(sorted(required), sorted(requiredFields(r.Request))) {
				t.Errorf("%s required %v, want %v", name, required, requiredFields(r.Request))
			}
			if schema["additionalProperties"] != false {
				t.Errorf("%s allows other properties; the handler refuses them", name)
			}
		})
	}
}

// schemas compiles the components of docs/api.yaml as JSON Schemas, by name.
func schemas(t *testing.T) func(name string) *jsonschema.Schema {
	t.Helper()
	comps := at(t, openAPI(t), "components", "schemas")
	raw, err := json.Marshal(obj{"$defs": comps})
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte(`"#/components/schemas/`), []byte(`"#/$defs/`))
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("urn:ioroute:api", doc); err != nil {
		t.Fatal(err)
	}
	return func(name string) *jsonschema.Schema {
		s, err := c.Compile("urn:ioroute:api#/$defs/" + name)
		if err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		return s
	}
}

// validJSON checks a JSON text against schema s.
func validJSON(t *testing.T, s *jsonschema.Schema, what, text string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not match docs/api.yaml: %v\n%s", what, err, text)
	}
}

// TestOpenAPISchemasMatchTraffic: the requests the handlers accept match the request schemas
// of docs/api.yaml, and every answer matches the schema of its status.
func TestOpenAPISchemasMatchTraffic(t *testing.T) {
	schema := schemas(t)
	routes := map[string]Route{}
	for _, r := range Routes {
		routes[r.Name] = r
	}
	url, _, _ := testAPI(t)
	answer := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, url+Prefix+path, strings.NewReader(body))
		req.Header.Set("Authorization", bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, c := range endpointCases {
		name, _, _ := strings.Cut(c.path, "?")
		r := routes[name]
		if r.Request != nil {
			validJSON(t, schema(r.Request.Name()), c.name+" request", c.body)
		}
		status, body := answer(c.method, c.path, c.body)
		want := "OK"
		if name == "sockets" {
			want = "SocketList"
		}
		validJSON(t, schema(want), fmt.Sprintf("%s answer %d", c.name, status), body)
	}
	for _, c := range refusalCases {
		name, _, _ := strings.Cut(c.path, "?")
		if !slices.Contains(routes[name].Statuses, c.status) {
			t.Errorf("%s: %s answers %d, which docs/api.yaml does not list", c.name, name, c.status)
		}
		status, body := answer(c.method, c.path, c.body)
		validJSON(t, schema("Error"), fmt.Sprintf("%s answer %d", c.name, status), body)
		if r := routes[name]; r.Request != nil && c.status == http.StatusBadRequest && c.body != "" && json.Valid([]byte(c.body)) {
			// the schema refuses what the handler refuses, where JSON Schema can say it
			v, _ := jsonschema.UnmarshalJSON(strings.NewReader(c.body))
			if schema(r.Request.Name()).Validate(v) == nil && !schemaCannotSay[c.name] {
				t.Errorf("%s: docs/api.yaml accepts a body the handler refuses: %s", c.name, c.body)
			}
		}
	}
}

// schemaCannotSay are refusals that depend on the config, which the schemas cannot know.
var schemaCannotSay = map[string]bool{
	"undeclared namespace": true,
}
