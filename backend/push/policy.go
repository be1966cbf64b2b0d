package push

import (
	"net/url"
	"strings"

	"github.com/veikart/veikart/backend/veikart"
)

// DefaultHosts are the push services of the browsers Veikart supports:
// Chrome and other Chromium browsers (FCM), Firefox (Mozilla autopush), Edge
// (WNS) and Safari (Apple). Treat it as read-only; copy it to extend it.
var DefaultHosts = []string{
	"fcm.googleapis.com",
	".push.services.mozilla.com",
	".notify.windows.com",
	"web.push.apple.com",
	".push.apple.com",
}

// MaxEndpointLength bounds a subscription endpoint. Real ones are well under
// 1 KiB; the bound keeps a client from storing arbitrary data in the field.
const MaxEndpointLength = 2048

// Policy decides which subscription endpoints the server will POST to. The
// endpoint comes from a client, so without it the server could be made to
// send requests to any host, internal ones included.
type Policy struct {
	// Hosts lists the allowed hosts: "push.example.com" allows exactly that
	// host, ".example.com" allows any subdomain of example.com (but not
	// example.com itself). Nil allows none.
	Hosts []string
	// AllowLoopbackHTTP also allows http and https on 127.0.0.1 and [::1],
	// on any port, for a push service that tests run locally.
	AllowLoopbackHTTP bool
}

// Check returns nil if the server may send to endpoint, or an invalid
// *veikart.Error whose message can be shown to the person who subscribed.
func (p Policy) Check(endpoint string) error {
	if endpoint == "" {
		return invalidEndpoint("The push subscription has no endpoint.")
	}
	if len(endpoint) > MaxEndpointLength {
		return invalidEndpoint("The push subscription endpoint is too long.")
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Opaque != "" || u.Host == "" || !u.IsAbs() {
		return invalidEndpoint("The push subscription endpoint is not a valid URL.")
	}
	if u.User != nil {
		return invalidEndpoint("The push subscription endpoint must not contain a user name or password.")
	}
	if u.Fragment != "" || strings.Contains(endpoint, "#") {
		return invalidEndpoint("The push subscription endpoint must not contain a fragment.")
	}
	host := strings.ToLower(u.Hostname())
	if p.AllowLoopbackHTTP && (host == "127.0.0.1" || host == "::1") {
		if u.Scheme != "http" && u.Scheme != "https" {
			return invalidEndpoint("The push subscription endpoint must use https.")
		}
		return nil
	}
	if u.Scheme != "https" {
		return invalidEndpoint("The push subscription endpoint must use https.")
	}
	// A non-default port on an allowed host is not a push service, and would
	// let a client aim the server at another service on the same host.
	if port := u.Port(); port != "" && port != "443" {
		return invalidEndpoint("The push subscription endpoint must not name a port.")
	}
	if !p.allowsHost(host) {
		return invalidEndpoint("This push service is not supported. Use a current version of Chrome, Edge, Firefox or Safari.")
	}
	return nil
}

func (p Policy) allowsHost(host string) bool {
	for _, h := range p.Hosts {
		h = strings.ToLower(h)
		if strings.HasPrefix(h, ".") {
			// len check: ".example.com" must not allow "example.com" nor the
			// empty label ".example.com" itself.
			if len(host) > len(h) && strings.HasSuffix(host, h) {
				return true
			}
		} else if host == h {
			return true
		}
	}
	return false
}

func invalidEndpoint(msg string) error {
	return &veikart.Error{Code: veikart.EINVALID, Message: msg, Pointer: "/endpoint"}
}
