package tmpl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestBinaryFunctions: bytes() and base64_bytes() make binary data, is_binary() tells it
// apart, and messages name it binary.
func TestBinaryFunctions(t *testing.T) {
	tests := []struct {
		src  string
		data any
		want any
	}{
		{`bytes("héllo")`, nil, []byte("héllo")},
		{"bytes(data)", []byte{0, 1}, []byte{0, 1}},
		{`base64_bytes("aGk=")`, nil, []byte("hi")},
		{`base64_bytes("aGk")`, nil, []byte("hi")},
		{"is_binary(data)", []byte{1}, true},
		{"is_binary(data)", "text", false},
		{`is_binary(bytes("x"))`, nil, true},
		{"len(data)", []byte{1, 2, 3}, 3},
	}
	for _, tt := range tests {
		got, err := compileTestExpr(t, tt.src).Run(&Env{Data: tt.data})
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.src, got, tt.want)
		}
	}
	for _, tt := range []struct{ src, want string }{
		{"bytes(data)", "bytes() takes a string, got a number 5"},
		{`base64_bytes("not base64!")`, "base64_bytes(): not base64"},
	} {
		_, err := compileTestExpr(t, tt.src).Run(&Env{Data: 5.0})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.src, err, tt.want)
		}
	}
	if got := Describe([]byte("hi")); got != `a binary "aGk="` {
		t.Errorf("Describe(binary) = %s", got)
	}
}

// TestBytesInALoopIsMetered: copying the payload once per element pays for each copy.
func TestBytesInALoopIsMetered(t *testing.T) {
	env := &Env{Data: strings.Repeat("x", 100000)}
	b := &Budget{}
	b.Reset(100000)
	env.SetBudget(b)
	if _, err := compileTestExpr(t, "len(map(1..1000, bytes(data)))").Run(env); !errors.As(err, new(*BudgetError)) {
		t.Fatalf("err = %v, want the budget spent", err)
	}
}
