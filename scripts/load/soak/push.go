package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/veikart/veikart/backend/push/pushtest"
)

// receiver is a push service on loopback: each device is a path on it with a
// key pair and an auth secret of its own, as a browser's subscription has.
// It checks every message as a browser's push service and the browser would
// (a VAPID JWT that verifies, an aes128gcm body that decrypts with the
// device's key, a Topic that matches the payload's tag) and counts what each
// device received by Topic, so that a reminder sent twice shows.
type receiver struct {
	url string // http://127.0.0.1:<port>
	srv *http.Server

	mu      sync.Mutex
	devices map[string]*device // by path
	got     map[string]int     // "<path> <topic>" -> messages
	total   int
	bad     []string // messages refused, with why (at most 20 kept)
	nbad    int
}

type device struct {
	path string
	key  *ecdh.PrivateKey
	auth []byte
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("push receiver: %w", err)
	}
	r := &receiver{url: "http://" + ln.Addr().String(), devices: map[string]*device{}, got: map[string]int{}}
	r.srv = &http.Server{Handler: r}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// newDevice makes a subscription: its endpoint and keys, as a browser's
// PushSubscription.toJSON() gives them.
func (r *receiver) newDevice(name string) (map[string]any, error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	d := &device{path: "/push/" + name, key: key, auth: make([]byte, 16)}
	_, _ = rand.Read(d.auth)
	r.mu.Lock()
	r.devices[d.path] = d
	r.mu.Unlock()
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]any{"endpoint": r.url + d.path, "keys": map[string]string{
		"p256dh": b64(key.PublicKey().Bytes()), "auth": b64(d.auth)}}, nil
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 8<<10))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	topic := req.Header.Get("Topic")
	r.mu.Lock()
	d := r.devices[req.URL.Path]
	r.mu.Unlock()
	why := ""
	switch {
	case req.Method != http.MethodPost:
		why = "method " + req.Method
	case d == nil:
		why = "unknown device " + req.URL.Path
	case req.Header.Get("Content-Encoding") != "aes128gcm":
		why = "content-encoding " + req.Header.Get("Content-Encoding")
	case topic == "":
		why = "no Topic"
	}
	if why == "" {
		if v, err := pushtest.VerifyVAPID(req.Header.Get("Authorization")); err != nil {
			why = "vapid: " + err.Error()
		} else if v.Audience != r.url {
			why = "vapid aud " + v.Audience
		}
	}
	if why == "" {
		if plain, err := decrypt(d, body); err != nil {
			why = "decrypt: " + err.Error()
		} else {
			var p struct{ Tag string }
			if err := json.Unmarshal(plain, &p); err != nil || p.Tag != topic {
				why = fmt.Sprintf("payload tag %q, Topic %q", p.Tag, topic)
			}
		}
	}
	r.mu.Lock()
	if why != "" {
		r.nbad++
		if len(r.bad) < 20 {
			r.bad = append(r.bad, why)
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.got[req.URL.Path+" "+topic]++
	r.total++
	r.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// counts returns, for each "<path> <topic>" in want, how often it arrived,
// plus how many arrived that were not wanted and how many were refused.
func (r *receiver) counts() (got map[string]int, total, refused int, why []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	got = make(map[string]int, len(r.got))
	for k, v := range r.got {
		got[k] = v
	}
	return got, r.total, r.nbad, append([]string(nil), r.bad...)
}

// decrypt opens a Web Push message (RFC 8291: aes128gcm content coding,
// RFC 8188, one record) with the device's private key and auth secret.
func decrypt(d *device, body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than its header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen {
		return nil, errors.New("key id cut short")
	}
	keyID, ct := body[21:21+idlen], body[21+idlen:]
	if uint32(len(ct)) > rs {
		return nil, errors.New("more than one record")
	}
	senderKey, err := ecdh.P256().NewPublicKey(keyID)
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	shared, err := d.key.ECDH(senderKey)
	if err != nil {
		return nil, err
	}
	prkKey, err := hkdf.Extract(sha256.New, shared, d.auth)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(d.key.PublicKey().Bytes()) + string(keyID)
	ikm, err := hkdf.Expand(sha256.New, prkKey, info, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	// The last record ends with the delimiter 2, then zero padding.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:i], nil
}

// key joins a device path and a topic as counts() keys them.
func key(path, topic string) string { return path + " " + topic }

// deviceName turns an owner index and device number into a path segment.
func deviceName(owner, n int) string { return fmt.Sprintf("o%d-d%d", owner, n) }
