package tmpl

import (
	"reflect"
	"testing"

	"github.com/expr-lang/expr/vm"

	"github.com/ioroute/ioroute/config"
)

// TestNamesReadDirectly: an expression that is one name of Env yields what the virtual machine
// yields for it, without running the machine; every name has its direct reader.
func TestNamesReadDirectly(t *testing.T) {
	env := &Env{
		Data:      map[string]any{"text": "hi", "n": 2.0},
		Args:      []any{"a", 1.0},
		Event:     "message",
		Namespace: "/chat",
		Socket: Socket{ID: "sid", Rooms: []string{"sid", "lobby"}, Handshake: Handshake{
			Auth: map[string]any{"token": "t"}, Query: map[string]any{"q": "1"},
			Headers: map[string]any{"origin": "o"}, Address: "127.0.0.1"}},
		Auth:    map[string]any{"token": "t"},
		Reason:  "transport close",
		Env:     map[string]string{"HOME": "/root"},
		Reply:   "ok",
		Replies: []any{"ok", 2.0},
	}
	all := Scopes{EventScope: true, DisconnectScope: true, AckScope: true, ConnectScope: true, ItemScope: true, ErrorScope: true, ResponseScope: true}
	typ := reflect.TypeFor[Env]()
	for i := range typ.NumField() {
		name := typ.Field(i).Tag.Get("expr")
		if name == "" {
			continue // not an expression name
		}
		var errs config.Errors
		p := compile(name, config.Pos{}, "v", all, false, &errs)
		if p == nil {
			t.Fatalf("%s: %v", name, errs.Err())
		}
		if p.field == nil {
			t.Errorf("%s is run by the machine; add it to fields", name)
			continue
		}
		got, err := p.Run(env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := new(vm.VM).Run(p.prog, env)
		if err != nil {
			t.Fatalf("%s on the machine: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) || reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Errorf("%s = %#v, the machine says %#v", name, got, want)
		}
		if got, _ := p.Run(&Env{}); !reflect.DeepEqual(got, reflect.ValueOf(Env{}).Field(i).Interface()) {
			t.Errorf("%s of an empty env = %#v", name, got)
		}
	}
}

// TestConditionOnANameIsChecked: `when: data` still fails on a value that is not a bool.
func TestConditionOnANameIsChecked(t *testing.T) {
	var errs config.Errors
	p := compile("data", config.Pos{}, "when", Scopes{EventScope: true}, true, &errs)
	if p == nil {
		t.Fatal(errs.Err())
	}
	if p.field != nil {
		t.Fatal("a condition is read directly, unchecked")
	}
	if _, err := p.Run(&Env{Data: "text"}); err == nil {
		t.Fatal("when: data accepted a string")
	}
	if ok, err := p.Run(&Env{Data: true}); err != nil || ok != true {
		t.Fatalf("when: data with true = %v, %v", ok, err)
	}
}

// TestWholeEnvIsACopy: `${{ $env }}` yields the environment as it is, never the caller's own
// Env, which the router reuses for later events.
func TestWholeEnvIsACopy(t *testing.T) {
	var errs config.Errors
	p := compile("$env", config.Pos{}, "v", Scopes{EventScope: true}, false, &errs)
	if p == nil {
		t.Fatal(errs.Err())
	}
	env := &Env{Data: "hi", Event: "message"}
	got, err := p.Run(env)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := got.(*Env)
	if !ok || e == env || !reflect.DeepEqual(*e, *env) {
		t.Fatalf("$env = %#v (the caller's own: %v)", got, e == env)
	}
}
