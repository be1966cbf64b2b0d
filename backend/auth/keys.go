// Package auth issues and verifies Veikart's own tokens: short-lived access
// JWTs signed with Ed25519 keys from the data directory, and opaque refresh
// tokens that rotate on every use with reuse detection.
package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/veikart/veikart/backend/keyfile"
)

// Key is one signing key pair.
type Key struct {
	ID      string // kid: derived from the public key
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
	Created time.Time
}

// KeySet holds the signing keys: the newest signs, all verify, so that a key
// can be rotated while tokens signed by the previous one are still valid.
type KeySet struct {
	keys []*Key // newest first
}

// keyPrefix names signing key files: signing-<UTC timestamp>-<kid>.pem, so
// that sorting names sorts by age.
const keyPrefix = "signing-"

// CreateKey generates a new signing key and writes it into dir with
// permissions 0600 (dir is created 0700). It signs from the next start: its
// name sorts last.
func CreateKey(dir string, now time.Time) (*Key, error) { return createKey(dir, now, false) }

// StageKey generates a new signing key that verifies but does not sign: its
// name sorts first. With many replicas, a new key is staged on all of them
// before it is promoted (PromoteStaged), so that no replica is handed a token
// signed with a key it does not know yet.
func StageKey(dir string, now time.Time) (*Key, error) { return createKey(dir, now, true) }

// Signing key file names: signing-<stamp>-<kid>.pem. The stamp is the UTC
// time the key was made or promoted, or for a staged key all zeros, so that
// it sorts before every other.
const (
	stampLayout = "20060102T150405Z"
	stagedStamp = "00000000T000000Z"
)

func createKey(dir string, now time.Time, staged bool) (*Key, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key dir: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	k := &Key{ID: keyID(pub), Private: priv, Public: pub, Created: now.UTC()}
	stamp := k.Created.Format(stampLayout)
	if staged {
		stamp = stagedStamp
	}
	name := filepath.Join(dir, keyPrefix+stamp+"-"+k.ID+".pem")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return k, nil
}

// LoadKeys reads every signing key in dir. If there is none and create is
// true, it creates one first.
func LoadKeys(dir string, create bool, now time.Time) (*KeySet, error) {
	names, err := keyNames(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(names) == 0 {
		if !create {
			return nil, fmt.Errorf("no signing keys in %s (run `veikart keys`)", dir)
		}
		k, err := CreateKey(dir, now)
		if err != nil {
			return nil, err
		}
		return &KeySet{keys: []*Key{k}}, nil
	}
	ks := &KeySet{}
	for _, n := range names {
		k, err := readKey(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		ks.keys = append(ks.keys, k)
	}
	return ks, nil
}

func readKey(path string) (*Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	if err := keyfile.Check("signing key", path, fi); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("signing key %s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not Ed25519", path)
	}
	pub := priv.Public().(ed25519.PublicKey)
	return &Key{ID: keyID(pub), Private: priv, Public: pub, Created: fi.ModTime().UTC()}, nil
}

func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// Signing returns the key that signs new tokens.
func (ks *KeySet) Signing() *Key { return ks.keys[0] }

// Lookup returns the key with the given kid.
func (ks *KeySet) Lookup(kid string) (*Key, bool) {
	for _, k := range ks.keys {
		if k.ID == kid {
			return k, true
		}
	}
	return nil, false
}

// JWK is one public key in JSON Web Key form (RFC 8037 for Ed25519).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS returns the public keys for /.well-known/jwks.json.
func (ks *KeySet) JWKS() []JWK {
	out := make([]JWK, len(ks.keys))
	for i, k := range ks.keys {
		out[i] = JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(k.Public), Kid: k.ID, Use: "sig", Alg: "EdDSA"}
	}
	return out
}

// pidKeyFile holds the key of the hash that stands for a person's national
// identity number. It must never change and never leak: a new key gives
// every citizen a new, empty account; a leaked one lets the hashes be
// checked against guessed numbers. Keep it with the signing keys, in the
// same secret, backed up with them.
const pidKeyFile = "pid.key"

// LoadPIDKey reads the pid hash key from dir, creating it (32 random bytes,
// mode 0600) when create is set and there is none.
func LoadPIDKey(dir string, create bool) ([]byte, error) {
	path := filepath.Join(dir, pidKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("pid key: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("pid key: %w", err)
		}
		// Written aside, then linked into place: link fails if the file is
		// there, so of two processes starting at once one key wins, and
		// nobody ever reads a half-written file.
		tmp, err := os.CreateTemp(dir, ".pid.key-*")
		if err != nil {
			return nil, fmt.Errorf("pid key: %w", err)
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("pid key: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return nil, fmt.Errorf("pid key: %w", err)
		}
		if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
			return LoadPIDKey(dir, false)
		} else if err != nil {
			return nil, fmt.Errorf("pid key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pid key: %w", err)
	}
	// Checked after reading: a pid key anyone can read lets them turn
	// people's ids back into national identity numbers by guessing.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("pid key: %w", err)
	}
	if err := keyfile.Check("pid key", path, fi); err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("pid key %s: not 32 or more bytes of base64", path)
	}
	return key, nil
}

// KeyFile is a signing key file as the server will use it at its next start.
type KeyFile struct {
	ID   string
	Name string
	Role string // "signs", "verifies" or "staged" (verifies; promote to sign)
}

// ListKeys lists the signing keys in dir, the one that signs first.
func ListKeys(dir string) ([]KeyFile, error) {
	names, err := keyNames(dir)
	if err != nil {
		return nil, err
	}
	out := make([]KeyFile, 0, len(names))
	for i, n := range names {
		role := "verifies"
		switch {
		case i == 0: // a staged key alone signs: there is no other
			role = "signs"
		case strings.HasPrefix(n, keyPrefix+stagedStamp+"-"):
			role = "staged"
		}
		out = append(out, KeyFile{ID: kidOf(n), Name: n, Role: role})
	}
	return out, nil
}

// PromoteStaged renames every staged key in dir so that it signs from each
// replica's next start (the newest of them, if several), and returns their ids.
func PromoteStaged(dir string, now time.Time) ([]string, error) {
	names, err := keyNames(dir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, n := range names {
		if !strings.HasPrefix(n, keyPrefix+stagedStamp+"-") {
			continue
		}
		kid := kidOf(n)
		to := keyPrefix + now.UTC().Format(stampLayout) + "-" + kid + ".pem"
		if err := os.Rename(filepath.Join(dir, n), filepath.Join(dir, to)); err != nil {
			return ids, fmt.Errorf("promote signing key %s: %w", kid, err)
		}
		ids = append(ids, kid)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no staged signing key in %s (run `veikart keys -stage` first)", dir)
	}
	return ids, nil
}

// RetireKey deletes the signing key kid from dir. It refuses the key that
// signs: retire a key only once another signs and every token it signed has
// expired.
func RetireKey(dir, kid string) error {
	keys, err := ListKeys(dir)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID != kid {
			continue
		}
		if k.Role == "signs" {
			return fmt.Errorf("signing key %s signs new tokens: promote another key first", kid)
		}
		if err := os.Remove(filepath.Join(dir, k.Name)); err != nil {
			return fmt.Errorf("retire signing key %s: %w", kid, err)
		}
		return nil
	}
	return fmt.Errorf("no signing key %s in %s", kid, dir)
}

// keyNames returns the signing key file names in dir, newest (signing) first.
func keyNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read key dir: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), keyPrefix) && strings.HasSuffix(e.Name(), ".pem") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	slices.Reverse(names)
	return names, nil
}

// kidOf is the key id in a signing key file name.
func kidOf(name string) string {
	base := strings.TrimSuffix(strings.TrimPrefix(name, keyPrefix), ".pem")
	if i := strings.IndexByte(base, '-'); i >= 0 {
		return base[i+1:]
	}
	return base
}
