package push_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/veikart/veikart/backend/push"
	"github.com/veikart/veikart/backend/veikart"
)

func TestPolicy_Check(t *testing.T) {
	prod := push.Policy{Hosts: push.DefaultHosts}
	local := push.Policy{Hosts: push.DefaultHosts, AllowLoopbackHTTP: true}
	long := "https://fcm.googleapis.com/fcm/send/" + strings.Repeat("a", push.MaxEndpointLength)
	for _, tc := range []struct {
		name     string
		policy   push.Policy
		endpoint string
		ok       bool
	}{
		{"FCM", prod, "https://fcm.googleapis.com/fcm/send/abc:APA91b", true},
		{"FCMDefaultPort", prod, "https://fcm.googleapis.com:443/fcm/send/abc", true},
		{"FCMUpperCaseHost", prod, "https://FCM.googleapis.com/fcm/send/abc", true},
		{"Mozilla", prod, "https://updates.push.services.mozilla.com/wpush/v2/gAAAA", true},
		{"Windows", prod, "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA", true},
		{"Apple", prod, "https://web.push.apple.com/QGx1", true},
		{"AppleSubdomain", prod, "https://api.push.apple.com/3/device/x", true},
		{"MozillaApex", prod, "https://push.services.mozilla.com/wpush", false},
		{"SuffixTrick", prod, "https://evilpush.services.mozilla.com/wpush", false},
		{"ExactHostNoSubdomains", prod, "https://x.fcm.googleapis.com/fcm/send/abc", false},
		{"LookalikeHost", prod, "https://fcm.googleapis.com.evil.example/fcm/send/abc", false},
		{"HTTP", prod, "http://fcm.googleapis.com/fcm/send/abc", false},
		{"OtherScheme", prod, "wss://fcm.googleapis.com/fcm/send/abc", false},
		{"UserInfo", prod, "https://user:pw@fcm.googleapis.com/fcm/send/abc", false},
		{"UserInfoTrick", prod, "https://fcm.googleapis.com@evil.example/fcm/send/abc", false},
		{"NonDefaultPort", prod, "https://fcm.googleapis.com:8443/fcm/send/abc", false},
		{"Fragment", prod, "https://fcm.googleapis.com/fcm/send/abc#x", false},
		{"UnknownHost", prod, "https://push.example.com/abc", false},
		{"Relative", prod, "/fcm/send/abc", false},
		{"Empty", prod, "", false},
		{"NotAURL", prod, "https://fcm.googleapis.com/%zz", false},
		{"Opaque", prod, "https:fcm.googleapis.com/abc", false},
		{"TooLong", prod, long, false},
		{"LoopbackRefusedInProduction", prod, "http://127.0.0.1:8090/notify/abc", false},
		{"LoopbackHTTPAllowed", local, "http://127.0.0.1:8090/notify/abc", true},
		{"LoopbackHTTPSAllowed", local, "https://127.0.0.1:8443/notify/abc", true},
		{"LoopbackIPv6Allowed", local, "http://[::1]:8090/notify/abc", true},
		{"LoopbackOtherScheme", local, "ftp://127.0.0.1:8090/notify/abc", false},
		{"LoopbackUserInfo", local, "http://u@127.0.0.1:8090/notify/abc", false},
		{"LocalhostNameNotLoopback", local, "http://localhost:8090/notify/abc", false},
		{"PrivateAddress", local, "http://10.0.0.1:8090/notify/abc", false},
		{"OtherLoopbackAddress", local, "http://127.0.0.2:8090/notify/abc", false},
		{"NilHostsAllowNone", push.Policy{}, "https://fcm.googleapis.com/fcm/send/abc", false},
		{"CustomHost", push.Policy{Hosts: []string{"push.example.com"}}, "https://push.example.com/abc", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.policy.Check(tc.endpoint)
			if (err == nil) != tc.ok {
				t.Fatalf("Check(%q) = %v, want ok = %v", tc.endpoint, err, tc.ok)
			}
			if err == nil {
				return
			}
			// Refusals reach the client as a 400 with this message.
			var ve *veikart.Error
			if !errors.As(err, &ve) || ve.Code != veikart.EINVALID || ve.Pointer != "/endpoint" || ve.Message == "" {
				t.Fatalf("Check(%q) = %#v, want an invalid *veikart.Error on /endpoint", tc.endpoint, err)
			}
			if strings.Contains(ve.Message, tc.endpoint) && tc.endpoint != "" {
				t.Errorf("message quotes the endpoint back: %q", ve.Message)
			}
		})
	}
}
