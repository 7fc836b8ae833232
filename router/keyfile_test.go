package router_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ioroute/ioroute/internal/testutil"
)

// esKey is an ES256 signing key with its public half in PEM, as a key file holds it.
type esKey struct {
	private *ecdsa.PrivateKey
	pem     []byte
}

func newESKey(t *testing.T) esKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return esKey{k, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})}
}

// token signs a token for subject sub in audience chat, valid for an hour.
func (k esKey) token(t *testing.T, sub string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"sub": sub, "aud": "chat", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(k.private)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJWTKeyFile: jwt() checks tokens with a public key read from a file named in the config,
// relative to it. The file is read when the config loads and reloads: replacing it and
// reloading rotates the key, and a reload that cannot read it keeps the previous config.
func TestJWTKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyPath, path := filepath.Join(dir, "keys", "jwt.pub"), filepath.Join(dir, "auth.yaml")
	old, rotated := newESKey(t), newESKey(t)
	write := func(name string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(keyPath, old.pem)
	write(path, []byte(`
version: 1
namespaces:
  /secure:
    on:
      connect:
        - reject: { message: invalid or expired token, data: { code: 401 } }
          when: jwt(auth.token, file("keys/jwt.pub"), "chat") == nil
        - emit: { event: welcome, data: '${{ jwt(auth.token, file("keys/jwt.pub"), "chat").sub }}' }
`+syncHandler))
	ts := testutil.Serve(t, path)
	s := &server{Server: ts, path: path, url: ts.URL, out: ts.Out, log: ts.Log}

	admitted := func(k esKey, who string) {
		t.Helper()
		c := s.dial(t, "/secure", dialOpts{auth: map[string]any{"token": k.token(t, who)}})
		if got := c.expect(t, "welcome"); !reflect.DeepEqual(got, []any{who}) {
			t.Fatalf("welcome %v, want %s", got, who)
		}
		c.close()
	}
	refused := func(k esKey) {
		t.Helper()
		if got := s.refused(t, "/secure", dialOpts{auth: map[string]any{"token": k.token(t, "eve")}}); got != "invalid or expired token" {
			t.Fatalf("refusal %q", got)
		}
	}
	admitted(old, "ann")
	refused(rotated)

	write(keyPath, rotated.pem) // rotate: new file, then reload
	if err := s.Router.ReloadFile(path); err != nil {
		t.Fatal(err)
	}
	admitted(rotated, "bob")
	refused(old)

	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	err := s.Router.ReloadFile(path)
	if err == nil || !strings.Contains(err.Error(), `auth.yaml:8:33: namespaces./secure.on.connect[0].when: file("keys/jwt.pub"): no such file or directory`) {
		t.Fatalf("reload without the key file: %v", err)
	}
	admitted(rotated, "cy") // the previous config, with the key it read, goes on
}
