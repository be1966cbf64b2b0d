// Package softkey is a software WebAuthn authenticator for tests: it answers
// the options of package passkey the way a browser with a platform
// authenticator does (PublicKeyCredential JSON), with ES256 keys it makes
// itself, attestation "none", and discoverable credentials.
//
// Nothing here is for production: keys live in memory, and a test can make
// the authenticator misbehave (sign with another key, forget its counter) to
// see that the server refuses it.
package softkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Authenticator holds credentials for any number of sites and users, like a
// phone's passkey manager. It is safe for concurrent use.
type Authenticator struct {
	mu    sync.Mutex
	creds []*Credential
	// Origin is what the "browser" puts in clientDataJSON.
	Origin string
}

// New returns an authenticator whose browser runs at origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

// Credential is one passkey the authenticator holds.
type Credential struct {
	ID         []byte
	Key        *ecdsa.PrivateKey
	RPID       string
	UserHandle []byte
	Counter    uint32
}

// Credentials returns the credentials held, oldest first.
func (a *Authenticator) Credentials() []*Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*Credential(nil), a.creds...)
}

// Forget drops a credential, as when a phone is lost.
func (a *Authenticator) Forget(c *Credential) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, x := range a.creds {
		if x == c {
			a.creds = append(a.creds[:i], a.creds[i+1:]...)
			return
		}
	}
}

// Clone returns an authenticator holding copies of a's credentials, with
// their counters as they are now: a copied key.
func (a *Authenticator) Clone() *Authenticator {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := &Authenticator{Origin: a.Origin}
	for _, c := range a.creds {
		cc := *c
		b.creds = append(b.creds, &cc)
	}
	return b
}

type creationOptions struct {
	RP struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Challenge          string `json:"challenge"`
	ExcludeCredentials []struct {
		ID string `json:"id"`
	} `json:"excludeCredentials"`
}

type requestOptions struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
}

var b64 = base64.RawURLEncoding

// ErrExcluded is returned by Create when the authenticator already holds one
// of the excluded credentials.
var ErrExcluded = errors.New("softkey: a credential in excludeCredentials is here already")

// Create answers navigator.credentials.create({publicKey: options}): options
// is PublicKeyCredentialCreationOptionsJSON, the result a
// RegistrationResponseJSON.
func (a *Authenticator) Create(options []byte) ([]byte, *Credential, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, nil, fmt.Errorf("softkey: creation options: %w", err)
	}
	handle, err := b64.DecodeString(o.User.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("softkey: user.id: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range o.ExcludeCredentials {
		for _, c := range a.creds {
			if b64.EncodeToString(c.ID) == ex.ID {
				return nil, nil, ErrExcluded
			}
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c := &Credential{ID: make([]byte, 32), Key: key, RPID: o.RP.ID, UserHandle: handle}
	_, _ = rand.Read(c.ID)
	// A passkey manager keeps one discoverable credential per site and user.
	for i, x := range a.creds {
		if x.RPID == c.RPID && string(x.UserHandle) == string(handle) {
			a.creds = append(a.creds[:i], a.creds[i+1:]...)
			break
		}
	}
	a.creds = append(a.creds, c)

	clientData := a.clientData("webauthn.create", o.Challenge)
	authData := authenticatorData(c.RPID, 0x45, c.Counter) // UP, UV, AT
	authData = append(authData, make([]byte, 16)...)       // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(c.ID)))
	authData = append(authData, c.ID...)
	authData = append(authData, coseKey(&key.PublicKey)...)
	att := cborMap(
		cborText("fmt"), cborText("none"),
		cborText("attStmt"), cborMap(),
		cborText("authData"), cborBytes(authData),
	)
	resp, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(clientData), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal", "hybrid"},
		},
		"clientExtensionResults": map[string]any{},
	})
	return resp, c, err
}

// Get answers navigator.credentials.get({publicKey: options}) with the
// newest credential for the options' site: an AuthenticationResponseJSON.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("softkey: request options: %w", err)
	}
	a.mu.Lock()
	var c *Credential
	for _, x := range a.creds {
		if x.RPID == o.RPID {
			c = x
		}
	}
	a.mu.Unlock()
	if c == nil {
		return nil, errors.New("softkey: no credential for this site")
	}
	return a.Assert(c, o.Challenge, c.Key)
}

// Assert signs an assertion with credential c for challenge, with key (c.Key,
// or another to forge one). It counts c's use.
func (a *Authenticator) Assert(c *Credential, challenge string, key *ecdsa.PrivateKey) ([]byte, error) {
	a.mu.Lock()
	c.Counter++
	counter := c.Counter
	a.mu.Unlock()
	clientData := a.clientData("webauthn.get", challenge)
	authData := authenticatorData(c.RPID, 0x05, counter) // UP, UV
	// The signature is over authenticatorData || SHA-256(clientDataJSON),
	// and ES256 signs its SHA-256.
	sum := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(clientData), "authenticatorData": b64.EncodeToString(authData),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(c.UserHandle),
		},
		"clientExtensionResults": map[string]any{},
	})
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

func authenticatorData(rpID string, flags byte, counter uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, counter)
}

// coseKey is an EC2 P-256 public key for ES256 as COSE_Key, in CTAP2
// canonical CBOR: {1: 2, 3: -7, -1: 1, -2: x, -3: y}.
func coseKey(k *ecdsa.PublicKey) []byte {
	b, _ := k.Bytes() // 0x04 || x || y
	return cborMap(
		cborInt(1), cborInt(2),
		cborInt(3), cborInt(-7),
		cborInt(-1), cborInt(1),
		cborInt(-2), cborBytes(b[1:33]),
		cborInt(-3), cborBytes(b[33:65]),
	)
}

// A little CBOR (RFC 8949): enough for COSE keys and attestation objects.

func cborHead(major byte, n uint64) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 1<<8:
		return []byte{major<<5 | 24, byte(n)}
	case n < 1<<16:
		return binary.BigEndian.AppendUint16([]byte{major<<5 | 25}, uint16(n))
	default:
		return binary.BigEndian.AppendUint32([]byte{major<<5 | 26}, uint32(n))
	}
}

func cborInt(n int64) []byte {
	if n >= 0 {
		return cborHead(0, uint64(n))
	}
	return cborHead(1, uint64(-1-n))
}

func cborBytes(b []byte) []byte { return append(cborHead(2, uint64(len(b))), b...) }
func cborText(s string) []byte  { return append(cborHead(3, uint64(len(s))), s...) }

// cborMap encodes alternating keys and values, in the order given.
func cborMap(kv ...[]byte) []byte {
	out := cborHead(5, uint64(len(kv)/2))
	for _, x := range kv {
		out = append(out, x...)
	}
	return out
}
