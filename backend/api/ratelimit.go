package api

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// limitIP is the first middleware on /api/v1: every request there takes a
// token from its client address's bucket, before anything reads a token or
// the database.
func (s *Server) limitIP(c *fiber.Ctx) error {
	if s.ipLimit == nil {
		return c.Next()
	}
	if ok, wait := s.ipLimit.Allow(ipKey(s.clientIP(c))); !ok {
		s.metrics.RateLimited("ip")
		return tooMany(c, wait, errTooManyFromHere)
	}
	return c.Next()
}

// limitUser takes a token from the bucket of the person a verified token
// names, wherever their requests come from (a phone and a laptop share it).
// It runs before the session is looked up, so a flood costs no database
// call; it runs after the signature check, so nobody can spend someone
// else's allowance with a forged token.
func (s *Server) limitUser(c *fiber.Ctx, userID string) error {
	if s.userLimit == nil {
		return nil
	}
	if ok, wait := s.userLimit.Allow(userID); !ok {
		s.metrics.RateLimited("user")
		return tooMany(c, wait, errTooManyForUser)
	}
	return nil
}

var (
	errTooManyFromHere = &requestError{kind: kindRateLimited, detail: "Too many requests from your network. Wait a little and try again."}
	errTooManyForUser  = &requestError{kind: kindRateLimited, detail: "Too many requests for your account. Wait a little and try again."}
)

// tooMany sets Retry-After to the whole seconds until a token is back (at
// least 1: RFC 9110 counts in seconds) and returns err for the error handler.
func tooMany(c *fiber.Ctx, wait time.Duration, err error) error {
	c.Set(fiber.HeaderRetryAfter, retryAfterSeconds(wait))
	return err
}

func retryAfterSeconds(wait time.Duration) string {
	secs := int64((wait + time.Second - 1) / time.Second)
	return strconv.FormatInt(min(max(secs, 1), 86400), 10)
}

// clientIP is the address a request comes from, for the rate limits. The
// connection's address, unless that is one of the trusted proxies: then the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy. Not
// the leftmost: a client can write any X-Forwarded-For it likes, and proxies
// that append to it (nginx's $proxy_add_x_forwarded_for) keep what it wrote
// in front, so only what our own proxies added can be believed.
func (s *Server) clientIP(c *fiber.Ctx) netip.Addr {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	remote = remote.Unmap()
	if len(s.trusted) == 0 || !s.isTrusted(remote) {
		return remote
	}
	xff := c.Get(fiber.HeaderXForwardedFor)
	for xff != "" {
		var entry string
		if i := strings.LastIndexByte(xff, ','); i >= 0 {
			xff, entry = xff[:i], xff[i+1:]
		} else {
			xff, entry = "", xff
		}
		a, err := netip.ParseAddr(strings.TrimSpace(entry))
		if err != nil {
			// Garbage where an address should be: nothing left of it
			// can be believed, so the last good hop counts.
			return remote
		}
		if a = a.Unmap(); !s.isTrusted(a) {
			return a
		}
		remote = a
	}
	return remote
}

func (s *Server) isTrusted(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseTrusted reads VEIKART_TRUSTED_PROXIES' entries (addresses or CIDR
// ranges, as Fiber takes them); entries that are neither are skipped here
// and refused by cmd/veikart's configuration.
func parseTrusted(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// ipKey is the bucket an address counts against: the address itself for
// IPv4, its /64 for IPv6. One household or office is given a whole /64 and
// its devices pick addresses in it at will, so counting single IPv6
// addresses would give one client 2^64 buckets.
func ipKey(a netip.Addr) [16]byte {
	k := a.As16()
	if a.Is6() {
		clear(k[8:])
	}
	return k
}

// ValidTrustedProxy reports whether s is an address or a CIDR range, the
// forms VEIKART_TRUSTED_PROXIES takes.
func ValidTrustedProxy(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}
