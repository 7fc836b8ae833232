package tmpl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ioroute/ioroute/config"
)

// compileIn writes files (name -> content) and a config whose `v` is src into dir, and
// compiles v as a handler value.
func compileIn(t *testing.T, dir string, files map[string]string, src string) (Template, error) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := config.Parse(filepath.Join(dir, "c.yaml"), []byte("version: 1\nnamespaces: {}\nv: "+src+"\n"))
	if f == nil {
		t.Fatalf("parse: %v", err)
	}
	var errs config.Errors
	tpl := Compile(f.Root.Get("v"), Scopes{EventScope: true}, &errs)
	for _, e := range errs {
		e.Pos.File = filepath.Base(e.Pos.File) // the folder differs per run
	}
	return tpl, errs.Err()
}

func TestKeyFiles(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	claims := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "ann", "aud": "chat", "exp": time.Now().Add(time.Hour).Unix()}
	}
	tests := []struct {
		name  string
		files map[string]string
		src   string
		token string
	}{
		{"ES256 public key", map[string]string{"jwt.pub": pemPublic(t, &ecKey.PublicKey)},
			`${{ jwt(data, file("jwt.pub")).sub }}`, sign(t, jwt.SigningMethodES256, ecKey, claims())},
		{"RS256 public key in a subfolder, with audience", map[string]string{"keys/jwt.pub": pemPublic(t, &rsaKey.PublicKey)},
			`${{ jwt(data, file("keys/jwt.pub"), "chat").sub }}`, sign(t, jwt.SigningMethodRS256, rsaKey, claims())},
		{"HS256 secret saved with a line break", map[string]string{"secret": "s3cret\r\n"},
			`${{ jwt(data, file("secret")).sub }}`, sign(t, jwt.SigningMethodHS256, []byte("s3cret"), claims())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl, err := compileIn(t, dir, tt.files, tt.src)
			if err != nil {
				t.Fatal(err)
			}
			for name := range tt.files {
				// read once, when compiled: events never touch the file
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := tpl.Eval(&Env{Data: tt.token})
			if err != nil || got != "ann" {
				t.Fatalf("got %v, %v; want ann", got, err)
			}
		})
	}
}

func TestKeyFileErrors(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalECPrivateKey(ecKey)
	private := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	tests := []struct {
		name  string
		files map[string]string
		src   string
		want  string
	}{
		{"missing file", nil, `${{ jwt(data, file("jwt.pub")) }}`,
			`c.yaml:3:18: v: file("jwt.pub"): no such file or directory`},
		{"a private key", map[string]string{"jwt.key": private}, `${{ jwt(data, file("jwt.key")) }}`,
			`c.yaml:3:18: v: file("jwt.key"): jwt: the key is PEM but neither an RSA nor an EC public key`},
		{"empty file", map[string]string{"secret": "\n"}, `${{ jwt(data, file("secret")) }}`,
			`c.yaml:3:18: v: file("secret"): the file is empty`},
		{"too large", map[string]string{"secret": strings.Repeat("x", maxKeyFile+1)}, `${{ jwt(data, file("secret")) }}`,
			`c.yaml:3:18: v: file("secret"): larger than 64 KiB; a key file holds one key`},
		{"a folder", map[string]string{"keys/a": "x"}, `${{ jwt(data, file("keys")) }}`,
			`c.yaml:3:18: v: file("keys"): not a regular file`},
		{"a path that is not a literal", nil, `${{ jwt(data, file(data.path)) }}`,
			`c.yaml:3:18: v: file() takes one quoted path, relative to the config file, as in file("keys/jwt.pub")`},
		{"outside jwt", map[string]string{"secret": "x"}, `${{ file("secret") }}`,
			`c.yaml:3:8: v: file() reads a key for jwt() and may only be its key argument, as in jwt(auth.token, file("keys/jwt.pub"))`},
		{"inside jwt but not its key", map[string]string{"secret": "x"}, `${{ jwt(file("secret"), "k") }}`,
			`c.yaml:3:12: v: file() reads a key for jwt() and may only be its key argument, as in jwt(auth.token, file("keys/jwt.pub"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileIn(t, t.TempDir(), tt.files, tt.src)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
}
