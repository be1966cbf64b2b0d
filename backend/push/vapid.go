package push

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/veikart/veikart/backend/keyfile"
)

// VAPID is the server's application server key pair (RFC 8292): the public
// key is what browsers subscribe with (applicationServerKey), the private key
// signs the JWT that proves each push comes from this server. Both are
// base64url without padding, as webpush.GenerateVAPIDKeys returns them.
type VAPID struct {
	PublicKey  string
	PrivateKey string
}

// vapidFileName is the key file inside the data directory.
const vapidFileName = "vapid.json"

// vapidFile is the key file's JSON form.
type vapidFile struct {
	PublicKey  string `json:"publicKey"`
	PrivateKey string `json:"privateKey"`
}

// LoadVAPID reads the key pair from dir/vapid.json. If the file does not
// exist and create is true, it generates a pair and writes it (file 0600, dir
// 0700). A file that group or others can read is refused, as for the token
// signing keys: whoever holds the private key can sign pushes as this server.
func LoadVAPID(dir string, create bool) (*VAPID, error) {
	path := filepath.Join(dir, vapidFileName)
	v, err := readVAPID(path)
	switch {
	case err == nil:
		return v, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case !create:
		return nil, fmt.Errorf("no vapid key in %s: %w", dir, err)
	}
	v, err = generateVAPID()
	if err != nil {
		return nil, err
	}
	tmp, err := writeTemp(dir, v)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	// Link, unlike rename, fails if the file exists: when two processes
	// start on an empty data directory at once, one key pair wins and both
	// use it, instead of one overwriting the key the other already handed out.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readVAPID(path)
		}
		return nil, fmt.Errorf("write vapid key: %w", err)
	}
	return v, nil
}

// RotateVAPID replaces the key pair in dir/vapid.json with a new one.
//
// Rotation invalidates every existing subscription: browsers subscribed with
// the old public key as applicationServerKey, push services reject JWTs
// signed by any other key (usually 401/403, which Send reports as Failed),
// and a subscription cannot be moved to a new key. Every device must
// subscribe again, so rotate only when the private key has leaked, and then
// delete the stored subscriptions.
func RotateVAPID(dir string) (*VAPID, error) {
	v, err := generateVAPID()
	if err != nil {
		return nil, err
	}
	tmp, err := writeTemp(dir, v)
	if err != nil {
		return nil, err
	}
	// Rename replaces atomically: a process starting meanwhile reads the old
	// pair or the new one, never half a file.
	if err := os.Rename(tmp, filepath.Join(dir, vapidFileName)); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("replace vapid key: %w", err)
	}
	return v, nil
}

func generateVAPID() (*VAPID, error) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return nil, fmt.Errorf("generate vapid key: %w", err)
	}
	return &VAPID{PublicKey: pub, PrivateKey: priv}, nil
}

// writeTemp writes v to a new 0600 file in dir (created 0700) and returns
// its name, synced so that a crash cannot leave an empty key behind the
// final name.
func writeTemp(dir string, v *VAPID) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create key dir: %w", err)
	}
	b, err := json.MarshalIndent(vapidFile{PublicKey: v.PublicKey, PrivateKey: v.PrivateKey}, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode vapid key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".vapid-*.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return "", fmt.Errorf("write vapid key: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write vapid key: %w", err)
	}
	return f.Name(), nil
}

func readVAPID(path string) (*VAPID, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read vapid key: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so that the mode checked is the
	// mode of the bytes read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read vapid key: %w", err)
	}
	if err := keyfile.Check("vapid key", path, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("read vapid key: %w", err)
	}
	var vf vapidFile
	if err := json.Unmarshal(b, &vf); err != nil {
		return nil, fmt.Errorf("vapid key %s: %w", path, err)
	}
	v := &VAPID{PublicKey: vf.PublicKey, PrivateKey: vf.PrivateKey}
	if err := v.check(); err != nil {
		return nil, fmt.Errorf("vapid key %s: %w", path, err)
	}
	return v, nil
}

// check reports whether v is a P-256 key pair whose halves belong together. A
// mismatched pair would sign JWTs that no push service accepts, so it is
// better refused at start-up than discovered as a 403 on every reminder.
func (v *VAPID) check() error {
	if v == nil {
		return errors.New("no vapid key")
	}
	pub, err := base64.RawURLEncoding.DecodeString(v.PublicKey)
	if err != nil {
		return fmt.Errorf("public key is not base64url: %w", err)
	}
	privBytes, err := base64.RawURLEncoding.DecodeString(v.PrivateKey)
	if err != nil {
		return fmt.Errorf("private key is not base64url: %w", err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	priv, err := ecdh.P256().NewPrivateKey(privBytes)
	if err != nil {
		return fmt.Errorf("private key: %w", err)
	}
	if !bytes.Equal(priv.PublicKey().Bytes(), pub) {
		return errors.New("public key does not belong to the private key")
	}
	return nil
}
