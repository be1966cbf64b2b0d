package passkey_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/passkey/softkey"
	"github.com/veikart/veikart/backend/veikart"
)

var now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func mustRP(t *testing.T, url string) *passkey.RP {
	t.Helper()
	rp, err := passkey.New(url, "Veikart")
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func TestNew_RPIDAndOrigin(t *testing.T) {
	for url, want := range map[string][2]string{
		"https://veikart.example.no":        {"veikart.example.no", "https://veikart.example.no"},
		"https://veikart.example.no:8443/x": {"veikart.example.no", "https://veikart.example.no:8443"},
		"http://localhost:8080":             {"localhost", "http://localhost:8080"},
	} {
		rp := mustRP(t, url)
		if rp.ID != want[0] || rp.Origin != want[1] {
			t.Errorf("%s: id %q origin %q, want %v", url, rp.ID, rp.Origin, want)
		}
	}
	for _, bad := range []string{"", "http://127.0.0.1:8080", "http://[::1]:80", "ftp://x", "veikart.no"} {
		if _, err := passkey.New(bad, "Veikart"); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

// register makes a passkey for userID with a fresh ceremony.
func register(t *testing.T, rp *passkey.RP, key *softkey.Authenticator, a passkey.Account) *veikart.Passkey {
	t.Helper()
	opts, state, err := rp.BeginRegistration(a)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := json.Marshal(opts)
	cred, _, err := key.Create(o)
	if err != nil {
		t.Fatal(err)
	}
	p, err := rp.FinishRegistration(a, state, cred, "phone", now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegisterAndLogin(t *testing.T) {
	rp := mustRP(t, "http://localhost:8080")
	key := softkey.New(rp.Origin)
	p := register(t, rp, key, passkey.Account{UserID: "pk-kari", Name: "Kari"})
	if p.ID != veikart.PasskeyID(p.CredentialID) || p.UserID != "pk-kari" || p.Name != "phone" || len(p.PublicKey) == 0 || !p.UserVerified {
		t.Fatalf("passkey %+v", p)
	}
	stored := []veikart.Passkey{*p}
	lookup := func(id []byte, userID string) ([]veikart.Passkey, error) {
		if userID != "pk-kari" {
			return nil, errors.New("no such person")
		}
		return stored, nil
	}
	login := func(k *softkey.Authenticator) (*passkey.Login, error) {
		opts, state, err := rp.BeginLogin()
		if err != nil {
			t.Fatal(err)
		}
		if opts.RPID != "localhost" || opts.UserVerification != "preferred" {
			t.Fatalf("options %+v", opts)
		}
		o, _ := json.Marshal(opts)
		a, err := k.Get(o)
		if err != nil {
			t.Fatal(err)
		}
		return rp.FinishLogin(state, a, lookup)
	}
	copied := key.Clone()
	l, err := login(key)
	if err != nil || l.UserID != "pk-kari" || l.Passkey.SignCount != 1 {
		t.Fatalf("login: %+v %v", l, err)
	}
	stored[0] = l.Passkey
	// A copy of the key with the counter as it was is refused.
	if _, err := login(copied); !errors.Is(err, passkey.ErrNotVerified) || !strings.Contains(err.Error(), "counter") {
		t.Fatalf("cloned key: %v", err)
	}
}

func TestFinish_RefusesForgeries(t *testing.T) {
	rp := mustRP(t, "http://localhost:8080")
	a := passkey.Account{UserID: "pk-ola", Name: "Ola"}

	t.Run("wrong origin", func(t *testing.T) {
		opts, state, _ := rp.BeginRegistration(a)
		o, _ := json.Marshal(opts)
		cred, _, _ := softkey.New("http://localhost:9999").Create(o)
		if _, err := rp.FinishRegistration(a, state, cred, "x", now); !errors.Is(err, passkey.ErrNotVerified) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("other ceremony's challenge", func(t *testing.T) {
		opts, _, _ := rp.BeginRegistration(a)
		_, state, _ := rp.BeginRegistration(a)
		o, _ := json.Marshal(opts)
		cred, _, _ := softkey.New(rp.Origin).Create(o)
		if _, err := rp.FinishRegistration(a, state, cred, "x", now); !errors.Is(err, passkey.ErrNotVerified) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		_, state, _ := rp.BeginRegistration(a)
		for _, junk := range []string{`{}`, `{"id":"AAAA","type":"public-key","response":{}}`, `[]`, `null`} {
			if _, err := rp.FinishRegistration(a, state, []byte(junk), "x", now); !errors.Is(err, passkey.ErrNotVerified) {
				t.Fatalf("%s: err %v", junk, err)
			}
		}
	})
	t.Run("signature by another key", func(t *testing.T) {
		key := softkey.New(rp.Origin)
		p := register(t, rp, key, a)
		opts, state, _ := rp.BeginLogin()
		forger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		resp, err := key.Assert(key.Credentials()[0], opts.Challenge, forger)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rp.FinishLogin(state, resp, func([]byte, string) ([]veikart.Passkey, error) { return []veikart.Passkey{*p}, nil })
		if !errors.Is(err, passkey.ErrNotVerified) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("user id too long for a handle", func(t *testing.T) {
		if _, _, err := rp.BeginRegistration(passkey.Account{UserID: strings.Repeat("x", 65), Name: "x"}); veikart.ErrorCode(err) != veikart.EINVALID {
			t.Fatalf("err %v", err)
		}
	})
}
