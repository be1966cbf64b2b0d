package api_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/api"
	"github.com/veikart/veikart/backend/storage"
	"github.com/veikart/veikart/backend/veikart"
)

// testEndpoints allows what the tests subscribe: a loopback push service and
// Firebase Cloud Messaging.
type testEndpoints struct{}

func (testEndpoints) Check(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	if (u.Scheme == "http" && u.Hostname() == "127.0.0.1") || (u.Scheme == "https" && u.Host == "fcm.googleapis.com") {
		return nil
	}
	return errors.New("not an allowed push service")
}

// mustPushEnv is mustEnv (in development mode) with push configured.
func mustPushEnv(t testing.TB, vapidKey string) *env {
	t.Helper()
	return mustEnvWith(t, api.Config{Dev: true, PushEndpoints: testEndpoints{}, VAPIDPublicKey: vapidKey}, nil)
}

// deviceKeys makes a browser's p256dh and auth, base64url without padding.
func deviceKeys(t testing.TB) (p256dh, authSecret string) {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(secret)
}

// subscription is the body a browser sends for endpoint.
func subscription(t testing.TB, endpoint string) map[string]any {
	p256dh, secret := deviceKeys(t)
	return map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]any{"p256dh": p256dh, "auth": secret}}
}

func vapidKey(t testing.TB) string {
	t.Helper()
	p, _ := deviceKeys(t)
	return p
}

const fcmEndpoint = "https://fcm.googleapis.com/fcm/send/dEvIcE-TOKEN-SECRET:APA91b"

// TestPush_Devices: subscribe, the same again, list, delete, and nobody
// reaches another person's devices.
func TestPush_Devices(t *testing.T) {
	t.Parallel()
	key := vapidKey(t)
	e := mustPushEnv(t, key)
	kari, ola := e.login(t, "Kari"), e.login(t, "Ola")
	const ua = "Mozilla/5.0 (Android 15; Mobile) Firefox/140.0"

	r := e.do(t, "GET", "/api/v1/push/key", kari.access, nil)
	if r.status != 200 || r.json(t)["publicKey"] != key {
		t.Fatalf("key: %d %s", r.status, r.body)
	}

	first := subscription(t, fcmEndpoint)
	r = e.do(t, "POST", "/api/v1/push/subscriptions", kari.access, first, "User-Agent", ua)
	if r.status != 201 {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	made := r.json(t)
	id := made["id"].(string)
	if id != storage.PushSubscriptionID(fcmEndpoint) || made["endpointHost"] != "fcm.googleapis.com" || made["userAgent"] != ua {
		t.Errorf("subscribe: %s", r.body)
	}

	// The same endpoint again, with renewed keys: the same subscription.
	e.clock.Add(5 * time.Minute) // within the access token's life
	renewed := subscription(t, fcmEndpoint)
	r = e.do(t, "POST", "/api/v1/push/subscriptions", kari.access, renewed, "User-Agent", ua)
	if r.status != 200 || r.json(t)["id"] != id || r.json(t)["createdAt"] != made["createdAt"] {
		t.Fatalf("subscribe again: %d %s, want 200 with %s", r.status, r.body, made["createdAt"])
	}
	stored, err := e.store.PushSubscriptions(context.Background(), kari.userID)
	if err != nil || len(stored) != 1 || stored[0].P256dh != renewed["keys"].(map[string]any)["p256dh"] {
		t.Fatalf("stored after renewal: %+v, %v", stored, err)
	}

	// A second device, and Ola's.
	local := "http://127.0.0.1:8765/push/" + kari.userID
	if r := e.do(t, "POST", "/api/v1/push/subscriptions", kari.access, subscription(t, local)); r.status != 201 {
		t.Fatalf("second device: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/push/subscriptions", ola.access, subscription(t, "https://fcm.googleapis.com/fcm/send/OLA-DEVICE")); r.status != 201 {
		t.Fatalf("Ola's device: %d %s", r.status, r.body)
	}

	r = e.do(t, "GET", "/api/v1/push/subscriptions", kari.access, nil)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	// The device's secrets stay on the server.
	for _, secret := range []string{"dEvIcE-TOKEN-SECRET", "/fcm/send", "/push/", "OLA-DEVICE",
		renewed["keys"].(map[string]any)["p256dh"].(string), renewed["keys"].(map[string]any)["auth"].(string), "p256dh", "endpoint\""} {
		if strings.Contains(r.body, secret) {
			t.Errorf("list holds %q: %s", secret, r.body)
		}
	}
	items := r.json(t)["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["endpointHost"] != "127.0.0.1" || items[1].(map[string]any)["endpointHost"] != "fcm.googleapis.com" {
		t.Fatalf("list, newest first: %s", r.body)
	}

	// Someone else's device is not found, and stays.
	olaID := storage.PushSubscriptionID("https://fcm.googleapis.com/fcm/send/OLA-DEVICE")
	for _, path := range []string{olaID, strings.Repeat("0", 32), "not-an-id", strings.ToUpper(id)} {
		if r := e.do(t, "DELETE", "/api/v1/push/subscriptions/"+path, kari.access, nil); r.status != 404 {
			t.Errorf("delete %s: %d %s", path, r.status, r.body)
		}
	}
	if got, _ := e.store.PushSubscriptions(context.Background(), ola.userID); len(got) != 1 {
		t.Errorf("Ola's devices after Kari's deletes: %+v", got)
	}

	if r := e.do(t, "DELETE", "/api/v1/push/subscriptions/"+id, kari.access, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/push/subscriptions/"+id, kari.access, nil); r.status != 404 {
		t.Errorf("delete again: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", "/api/v1/push/subscriptions", kari.access, nil)
	if items := r.json(t)["items"].([]any); len(items) != 1 || strings.Contains(r.body, id) {
		t.Errorf("list after delete: %s", r.body)
	}
}

// A caseworker's devices are their own: subscribed while acting for the
// agency, listed and removed when acting for themselves.
func TestPush_ActingForAnAgency(t *testing.T) {
	t.Parallel()
	e := mustPushEnv(t, vapidKey(t))
	nina := e.login(t, "Nina")
	now := e.clock.Now()
	a, err := veikart.NewAgency("ag-nav", veikart.KindNAV, "NAV Grorud", "Oslo", now)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = a.SetStaff(nina.userID, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", now); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateAgency(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	asAgency := e.issue(t, nina.userID, a.ID)
	r := e.do(t, "POST", "/api/v1/push/subscriptions", asAgency, subscription(t, fcmEndpoint))
	if r.status != 201 {
		t.Fatalf("subscribe for the agency: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do(t, "GET", "/api/v1/push/subscriptions", nina.access, nil); r.status != 200 || !strings.Contains(r.body, id) {
		t.Errorf("list as herself: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/push/key", asAgency, nil); r.status != 200 {
		t.Errorf("key for the agency: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/push/subscriptions/"+id, nina.access, nil); r.status != 204 {
		t.Errorf("delete as herself: %d %s", r.status, r.body)
	}
}

// Who may use the push routes: any person, never an operator, and nobody
// without a valid token.
func TestPush_Access(t *testing.T) {
	t.Parallel()
	e := mustPushEnv(t, vapidKey(t))
	kari := e.login(t, "Kari")
	op, _, err := e.tokens.IssueOperator(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"person": kari.access, "operator": op, "anonymous": "", "forged": forgedToken(t, kari.userID), "garbage": "not.a.token"}
	id := storage.PushSubscriptionID(fcmEndpoint)
	routes := []struct {
		name, method, path string
		body               func() any
		person             int
	}{
		{"key", "GET", "/api/v1/push/key", nil, 200},
		{"list", "GET", "/api/v1/push/subscriptions", nil, 200},
		{"subscribe", "POST", "/api/v1/push/subscriptions", func() any { return subscription(t, fcmEndpoint) }, 201},
		{"delete", "DELETE", "/api/v1/push/subscriptions/" + id, nil, 204},
	}
	want := map[string]int{"operator": 403, "anonymous": 401, "forged": 401, "garbage": 401}
	for _, rt := range routes {
		for _, role := range []string{"operator", "anonymous", "forged", "garbage", "person"} {
			// Sequential, the person last: the refused callers must
			// find the person's subscription there, and leave it.
			status, ok := want[role]
			if !ok {
				status = rt.person
			}
			var body any
			if rt.body != nil {
				body = rt.body()
			}
			r := e.do(t, rt.method, rt.path, tokens[role], body)
			if r.status != status {
				t.Errorf("%s as %s: %d %s, want %d", rt.name, role, r.status, r.body, status)
			}
		}
	}
	if got, _ := e.store.PushSubscriptions(context.Background(), kari.userID); len(got) != 0 {
		t.Errorf("stored: %+v, want none after the person's delete", got)
	}
}

// Input that is refused stores nothing, and says which field is wrong.
func TestPush_BadInputStoresNothing(t *testing.T) {
	t.Parallel()
	e := mustPushEnv(t, vapidKey(t))
	p256dh, secret := deviceKeys(t)
	b64 := base64.RawURLEncoding.EncodeToString
	offCurve := make([]byte, 65)
	offCurve[0], offCurve[64] = 0x04, 1
	compressed := append([]byte{0x02}, make([]byte, 64)...) // 65 bytes, wrong prefix
	with := func(endpoint, p, a string) map[string]any {
		return map[string]any{"endpoint": endpoint, "keys": map[string]any{"p256dh": p, "auth": a}}
	}
	cases := []struct {
		name        string
		contentType string
		body        any
		status      int
		pointers    []string
	}{
		{"HostNotAllowed", "", with("https://push.evil.example/send/x", p256dh, secret), 422, []string{"/endpoint"}},
		{"PlainHTTP", "", with("http://fcm.googleapis.com/fcm/send/x", p256dh, secret), 422, []string{"/endpoint"}},
		{"NotAURL", "", with("fcm.googleapis.com/fcm/send/x", p256dh, secret), 422, []string{"/endpoint"}},
		{"EndpointTooLong", "", with("https://fcm.googleapis.com/"+strings.Repeat("a", 2048), p256dh, secret), 422, []string{"/endpoint"}},
		{"KeyOffCurve", "", with(fcmEndpoint, b64(offCurve), secret), 422, []string{"/keys/p256dh"}},
		{"KeyWrongPrefix", "", with(fcmEndpoint, b64(compressed), secret), 422, []string{"/keys/p256dh"}},
		{"KeyNotBase64URL", "", with(fcmEndpoint, strings.Repeat("+/", 44), secret), 422, []string{"/keys/p256dh"}},
		{"AuthTooShort", "", with(fcmEndpoint, p256dh, b64(make([]byte, 15))), 422, []string{"/keys/auth"}},
		{"AuthTooLong", "", with(fcmEndpoint, p256dh, b64(make([]byte, 20))), 422, []string{"/keys/auth"}},
		{"BothKeysBad", "", with(fcmEndpoint, b64(offCurve), b64(make([]byte, 17))), 422, []string{"/keys/p256dh", "/keys/auth"}},
		{"NoKeys", "", map[string]any{"endpoint": fcmEndpoint}, 422, []string{"/keys"}},
		{"UnknownField", "", map[string]any{"endpoint": fcmEndpoint, "keys": map[string]any{"p256dh": p256dh, "auth": secret}, "userId": "someone-else"}, 422, nil},
		{"UnknownKey", "", map[string]any{"endpoint": fcmEndpoint, "keys": map[string]any{"p256dh": p256dh, "auth": secret, "extra": "x"}}, 422, nil},
		{"MalformedJSON", "", `{"endpoint": "` + fcmEndpoint + `", "keys": {`, 400, nil},
		{"NotJSON", "text/plain", `{}`, 415, nil},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := e.login(t, fmt.Sprintf("Person %d", i))
			var r response
			if tc.contentType != "" {
				r = e.rawDo(t, "POST", "/api/v1/push/subscriptions", s.access, tc.contentType, tc.body.(string))
			} else {
				r = e.do(t, "POST", "/api/v1/push/subscriptions", s.access, tc.body)
			}
			if r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
			for _, p := range tc.pointers {
				if !strings.Contains(r.body, `"pointer":"`+p+`"`) {
					t.Errorf("no error at %s: %s", p, r.body)
				}
			}
			for _, leak := range []string{p256dh, secret, "evil.example"} {
				if strings.Contains(r.body, leak) {
					t.Errorf("the problem repeats %q: %s", leak, r.body)
				}
			}
			if got, err := e.store.PushSubscriptions(context.Background(), s.userID); err != nil || len(got) != 0 {
				t.Errorf("stored: %+v, %v", got, err)
			}
		})
	}
}

// A person has at most veikart.MaxPushSubscriptions devices; one of them
// can still renew its subscription.
func TestPush_Limit(t *testing.T) {
	t.Parallel()
	e := mustPushEnv(t, vapidKey(t))
	kari := e.login(t, "Kari")
	endpoint := func(i int) string { return fmt.Sprintf("https://fcm.googleapis.com/fcm/send/device-%d", i) }
	for i := range veikart.MaxPushSubscriptions {
		p, a := deviceKeys(t)
		if err := e.store.AddPushSubscription(context.Background(), veikart.PushSubscription{
			UserID: kari.userID, Endpoint: endpoint(i), P256dh: p, Auth: a, CreatedAt: e.clock.Now().UTC().Truncate(time.Millisecond),
		}); err != nil {
			t.Fatal(err)
		}
	}
	r := e.do(t, "POST", "/api/v1/push/subscriptions", kari.access, subscription(t, endpoint(veikart.MaxPushSubscriptions)))
	if r.status != 409 {
		t.Fatalf("device %d: %d %s, want 409", veikart.MaxPushSubscriptions+1, r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/push/subscriptions", kari.access, subscription(t, endpoint(7))); r.status != 200 {
		t.Errorf("renewing at the limit: %d %s", r.status, r.body)
	}
	r = e.do(t, "GET", "/api/v1/push/subscriptions", kari.access, nil)
	if n := len(r.json(t)["items"].([]any)); r.status != 200 || n != veikart.MaxPushSubscriptions {
		t.Errorf("list: %d with %d items", r.status, n)
	}
}

// Without push configured, the key and new subscriptions are unavailable;
// people can still see and remove the devices they have.
func TestPush_NotConfigured(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	for _, rt := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/v1/push/key", nil, 503},
		{"POST", "/api/v1/push/subscriptions", subscription(t, fcmEndpoint), 503},
		{"POST", "/api/v1/push/subscriptions", `{"not": "checked"}`, 503},
		{"GET", "/api/v1/push/subscriptions", nil, 200},
		{"DELETE", "/api/v1/push/subscriptions/" + storage.PushSubscriptionID(fcmEndpoint), nil, 404},
	} {
		r := e.do(t, rt.method, rt.path, kari.access, rt.body)
		if r.status != rt.status {
			t.Errorf("%s %s: %d %s, want %d", rt.method, rt.path, r.status, r.body, rt.status)
		}
		if rt.status == 503 && !strings.Contains(r.body, "Push is not configured") {
			t.Errorf("%s %s: %s", rt.method, rt.path, r.body)
		}
	}
}

// A VAPID key that is not a P-256 point is a configuration error: a bare 500,
// never a key that browsers would refuse.
func TestPush_BadVAPIDKey(t *testing.T) {
	t.Parallel()
	e := mustPushEnv(t, "not-a-key")
	kari := e.login(t, "Kari")
	if r := e.do(t, "GET", "/api/v1/push/key", kari.access, nil); r.status != 500 || strings.Contains(r.body, "not-a-key") {
		t.Errorf("key: %d %s", r.status, r.body)
	}
}
