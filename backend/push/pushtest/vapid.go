package pushtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// VAPID is what a verified VAPID Authorization header (RFC 8292 §3) claims.
type VAPID struct {
	Audience string    // aud: the push service's origin
	Subject  string    // sub: the sender's contact, mailto: or https:
	Expires  time.Time // exp
	Key      string    // k: the public key that verified the JWT, base64url
}

// VerifyVAPID parses an Authorization header of the form
// "vapid t=<jwt>, k=<public key>" and verifies the JWT's ES256 signature
// with k, independently of web-push-testing (which checks the signature with
// the subscription's key but none of the claims). It returns the claims for
// the test to judge; it checks only that exp is present and not past.
func VerifyVAPID(authorization string) (VAPID, error) {
	scheme, params, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return VAPID{}, fmt.Errorf("authorization %q: want the vapid scheme", authorization)
	}
	var token, key string
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "t":
			token = value
		case "k":
			key = value
		}
	}
	if token == "" || key == "" {
		return VAPID{}, errors.New("vapid authorization: want both t and k")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return VAPID{}, fmt.Errorf("vapid k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return VAPID{}, fmt.Errorf("vapid k: %w", err)
	}
	var claims jwt.RegisteredClaims
	_, err = jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}), jwt.WithExpirationRequired())
	if err != nil {
		return VAPID{}, fmt.Errorf("vapid t: %w", err)
	}
	if len(claims.Audience) != 1 {
		return VAPID{}, fmt.Errorf("vapid t: want one aud, got %q", claims.Audience)
	}
	return VAPID{Audience: claims.Audience[0], Subject: claims.Subject, Expires: claims.ExpiresAt.Time, Key: key}, nil
}
