package main

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswdHashesStdin(t *testing.T) {
	old := passwdStdin
	defer func() { passwdStdin = old }()
	passwdStdin = strings.NewReader("s3cret\n")
	var out, errb bytes.Buffer
	if code := Main([]string{"passwd"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	h := strings.TrimSpace(out.String())
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte("s3cret")); err != nil {
		t.Fatalf("hash %q does not match: %v", h, err)
	}
	passwdStdin = strings.NewReader("")
	if code := Main([]string{"passwd"}, &out, &errb); code != 1 {
		t.Fatalf("empty password: exit %d", code)
	}
}
