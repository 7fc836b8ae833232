package tmpl

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// keys caches parsed verification keys by their text, so a PEM key from env is parsed once.
var keys sync.Map // string -> any

// verificationKey reads key as a PEM public key (RSA or EC) or, otherwise, an HMAC secret,
// and names the only signing methods it accepts.
func verificationKey(key string) (any, []string, error) {
	if k, ok := keys.Load(key); ok {
		return k, methodsFor(k), nil
	}
	var parsed any = []byte(key)
	if strings.Contains(key, "-----BEGIN") {
		if k, err := jwt.ParseRSAPublicKeyFromPEM([]byte(key)); err == nil {
			parsed = k
		} else if k, err := jwt.ParseECPublicKeyFromPEM([]byte(key)); err == nil {
			parsed = k
		} else {
			return nil, nil, errors.New("jwt: the key is PEM but neither an RSA nor an EC public key")
		}
	}
	keys.Store(key, parsed)
	return parsed, methodsFor(parsed), nil
}

func methodsFor(k any) []string {
	switch k.(type) {
	case *rsa.PublicKey:
		return []string{"RS256"}
	case *ecdsa.PublicKey:
		return []string{"ES256"}
	}
	return []string{"HS256"}
}

// verifyJWT checks token's signature with key, its expiry and not-before times and, when
// audience is not empty, its audience; it returns the claims, or nil when the token is not
// valid. A bad key is an error (a config mistake), a bad token is not.
func verifyJWT(token, key, audience string) (any, error) {
	if key == "" {
		return nil, errors.New("jwt: empty key (is the environment variable set?)")
	}
	k, methods, err := verificationKey(key)
	if err != nil {
		return nil, err
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(methods), jwt.WithExpirationRequired()}
	if audience != "" {
		opts = append(opts, jwt.WithAudience(audience))
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return k, nil }, opts...); err != nil {
		return nil, nil
	}
	return map[string]any(claims), nil
}

// jwtFunction is the expression function jwt(token, key[, audience]).
func jwtFunction(params ...any) (any, error) {
	token, _ := params[0].(string)
	key, _ := params[1].(string)
	audience := ""
	if len(params) > 2 {
		audience, _ = params[2].(string)
	}
	if token == "" {
		return nil, nil
	}
	return verifyJWT(token, key, audience)
}

// SignHS256 makes a token that jwt(token, secret[, audience]) accepts until expires.
func SignHS256(secret, subject, audience string, expires time.Time) (string, error) {
	claims := jwt.MapClaims{"exp": expires.Unix(), "iat": time.Now().Unix()}
	if subject != "" {
		claims["sub"] = subject
	}
	if audience != "" {
		claims["aud"] = audience
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}
