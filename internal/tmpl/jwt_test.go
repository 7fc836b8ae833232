package tmpl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func pemPublic(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyJWT(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	secret := "s3cret"
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "ann", "aud": "chat", "exp": time.Now().Add(time.Hour).Unix()}
	}
	expired := jwt.MapClaims{"sub": "ann", "exp": time.Now().Add(-time.Minute).Unix()}
	noExpiry := jwt.MapClaims{"sub": "ann"}
	tests := []struct {
		name     string
		token    string
		key      string
		audience string
		ok       bool
	}{
		{"HS256", sign(t, jwt.SigningMethodHS256, []byte(secret), valid()), secret, "", true},
		{"HS256 with audience", sign(t, jwt.SigningMethodHS256, []byte(secret), valid()), secret, "chat", true},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, []byte(secret), valid()), secret, "admin", false},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte("guess"), valid()), secret, "", false},
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(secret), expired), secret, "", false},
		{"no expiry", sign(t, jwt.SigningMethodHS256, []byte(secret), noExpiry), secret, "", false},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, valid()), pemPublic(t, &rsaKey.PublicKey), "", true},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, valid()), pemPublic(t, &ecKey.PublicKey), "", true},
		{"ES256 forged", sign(t, jwt.SigningMethodES256, otherEC, valid()), pemPublic(t, &ecKey.PublicKey), "", false},
		// the public key's text used as an HMAC secret must not verify (algorithm confusion)
		{"HS256 signed with the public key", sign(t, jwt.SigningMethodHS256, []byte(pemPublic(t, &rsaKey.PublicKey)), valid()), pemPublic(t, &rsaKey.PublicKey), "", false},
		{"alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbm4ifQ.", secret, "", false},
		{"garbage", "not.a.token", secret, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := []any{tt.token, tt.key}
			if tt.audience != "" {
				params = append(params, tt.audience)
			}
			claims, err := jwtFunction(params...)
			if err != nil {
				t.Fatal(err)
			}
			if got := claims != nil; got != tt.ok {
				t.Fatalf("valid = %v, want %v (claims %v)", got, tt.ok, claims)
			}
			if tt.ok && claims.(map[string]any)["sub"] != "ann" {
				t.Fatalf("claims = %v", claims)
			}
		})
	}
	if _, err := jwtFunction("x.y.z", ""); err == nil {
		t.Fatal("an empty key must be an error, not a refusal")
	}
}
