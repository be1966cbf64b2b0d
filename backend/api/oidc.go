package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Signing in with ID-porten takes three requests:
//
//  1. GET /auth/idporten sends the browser to the provider, having stored
//     the sign-in's state, nonce and PKCE verifier (for ten minutes, once).
//  2. GET /auth/idporten/callback is where the provider sends it back. The
//     code is exchanged and the ID token verified; the browser goes to the
//     app with a one-time sign-in code in the address's fragment, which
//     browsers never send to a server.
//  3. POST /auth/exchange gives the app its tokens for that code (once, for
//     two minutes). Tokens never travel in an address.

// loginTTL is how long a sign-in on its way at the provider is waited for.
const loginTTL = 10 * time.Minute

// pendingLogin is what is kept of a sign-in on its way (package oidc's
// Pending, less the state, which is the key).
type pendingLogin struct {
	Nonce    string `bson:"nonce"`
	Verifier string `bson:"verifier"`
}

var errNoIDPorten = &veikart.Error{Code: veikart.ENOTFOUND, Message: "Sign-in with ID-porten is not set up on this server."}

func (s *Server) idportenStart(c *fiber.Ctx) error {
	if s.idporten == nil {
		return errNoIDPorten
	}
	if !s.limitSignIn(c) {
		return errTooMany
	}
	p, to, err := s.idporten.Begin(c.UserContext(), uiLocale(c.Query("lang")))
	if err != nil {
		return s.signInUnavailable(err)
	}
	err = s.store.PutOnce(c.UserContext(), "login", p.State, pendingLogin{Nonce: p.Nonce, Verifier: p.Verifier}, s.now().Add(loginTTL))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(to, fiber.StatusFound)
}

// uiLocale maps the app's language to one ID-porten shows (nb, nn, en, se).
func uiLocale(lang string) string {
	switch lang {
	case "nb", "nn", "en", "se":
		return lang
	case "":
		return "nb"
	default:
		return "en"
	}
}

// idportenCallback finishes the sign-in. Whatever happens, the browser goes
// back to the app: with a sign-in code, or with a reason it can show.
func (s *Server) idportenCallback(c *fiber.Ctx) error {
	if s.idporten == nil {
		return errNoIDPorten
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !s.limitSignIn(c) {
		return s.backToApp(c, "signin-failed/too-many")
	}
	ctx := c.UserContext()
	var p pendingLogin
	ok, err := s.store.TakeOnce(ctx, "login", strings.Clone(c.Query("state")), s.now(), &p)
	if err != nil {
		return err
	}
	if !ok {
		return s.refuseSignIn(c, oidc.ErrState)
	}
	if c.Query("error") != "" {
		return s.refuseSignIn(c, oidc.ErrDenied)
	}
	id, err := s.idporten.Finish(ctx, oidc.Pending{Nonce: p.Nonce, Verifier: p.Verifier}, strings.Clone(c.Query("code")))
	if err != nil {
		return s.refuseSignIn(c, err)
	}
	u, err := s.account.ProviderUser(ctx, "id-", id.Subject)
	if err != nil {
		return err
	}
	return s.handOver(c, u.ID, veikart.SignInIDPorten, "")
}

// handOver ends a provider sign-in: the browser goes back to the app with a
// one-time code that stands for it (see exchange).
func (s *Server) handOver(c *fiber.Ctx, userID, method, agencyID string) error {
	code, err := s.account.HandOver(c.UserContext(), userID, method, agencyID)
	if err != nil {
		return err
	}
	return s.backToApp(c, "signed-in/"+code)
}

// refuseSignIn sends the browser back to the app with the reason, and logs
// the reason (never the person: a refused sign-in names nobody we trust).
func (s *Server) refuseSignIn(c *fiber.Ctx, err error) error {
	reason := "failed"
	switch {
	case errors.Is(err, oidc.ErrUnavailable):
		reason = "unavailable"
	case errors.Is(err, oidc.ErrState):
		reason = "expired"
	case errors.Is(err, oidc.ErrDenied):
		reason = "cancelled"
	case errors.Is(err, oidc.ErrLevel):
		reason = "level"
	}
	s.log.Warn("auth", "action", string(veikart.AuditSignInFailed), "method", veikart.SignInIDPorten, "reason", err.Error(), "request_id", requestID(c))
	s.metrics.SignInFailed(veikart.SignInIDPorten)
	return s.backToApp(c, "signin-failed/"+reason)
}

func (s *Server) signInUnavailable(err error) error {
	if errors.Is(err, oidc.ErrUnavailable) {
		s.log.Error("auth", "action", "idporten-start", "err", err)
		return &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "The sign-in service cannot be reached. Try again in a little while."}
	}
	return err
}

// backToApp redirects to the app's screen at route (after "#/").
func (s *Server) backToApp(c *fiber.Ctx, route string) error {
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	return c.Redirect(base+"/#/"+route, fiber.StatusSeeOther)
}

// exchange gives the app its tokens for a one-time sign-in code.
func (s *Server) exchange(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req wire.ExchangeRequest
	if err := s.decode(c, "exchange-request.schema.json", &req); err != nil {
		return err
	}
	in, err := s.account.Exchange(c.UserContext(), req.Code, deviceOf(c))
	if err != nil {
		return err
	}
	return s.sendTokens(c, in.Pair, in.User, in.Pair.AgencyID)
}

// signInMethods tells the app which ways of signing in this server offers.
func (s *Server) signInMethods(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return sendJSON(c, fiber.StatusOK, wire.Methods{IDPorten: s.idporten != nil, Passkey: s.passkeys, Dev: s.cfg.Dev})
}

// IDPortenRedirect is the callback address to register with ID-porten.
func IDPortenRedirect(publicURL string) string {
	return strings.TrimRight(publicURL, "/") + "/api/v1/auth/idporten/callback"
}
