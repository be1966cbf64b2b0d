package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/oidc"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Caseworkers sign in through their agency's own OpenID provider (Entra ID,
// Keycloak, ...): one provider per agency, configured by the operator. The
// flow is ID-porten's (package oidc, plain profile) with one callback for
// every agency; the pending sign-in remembers which agency it was for.
//
// The agency's provider is the authority on who works there: a person it
// signs in becomes the agency's caseworker on first sign-in (administrators
// are still made by an administrator), and the session acts for the agency.

type pendingAgencyLogin struct {
	Nonce    string `bson:"nonce"`
	Verifier string `bson:"verifier"`
	AgencyID string `bson:"agencyId"`
}

var errNoAgencySignIn = &veikart.Error{Code: veikart.ENOTFOUND, Message: "This agency has no sign-in of its own on this server."}

func (s *Server) agencySignInStart(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("agencyId"))
	client := s.agencyOIDC[id]
	if client == nil {
		return errNoAgencySignIn
	}
	if !s.limitSignIn(c) {
		return errTooMany
	}
	p, to, err := client.Begin(c.UserContext(), uiLocale(c.Query("lang")))
	if err != nil {
		return s.signInUnavailable(err)
	}
	if err := s.store.PutOnce(c.UserContext(), "agency-login", p.State, pendingAgencyLogin{Nonce: p.Nonce, Verifier: p.Verifier, AgencyID: id}, s.now().Add(loginTTL)); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(to, fiber.StatusFound)
}

func (s *Server) agencySignInCallback(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !s.limitSignIn(c) {
		return s.backToApp(c, "signin-failed/too-many")
	}
	ctx := c.UserContext()
	var p pendingAgencyLogin
	ok, err := s.store.TakeOnce(ctx, "agency-login", strings.Clone(c.Query("state")), s.now(), &p)
	if err != nil {
		return err
	}
	client := s.agencyOIDC[p.AgencyID]
	if !ok || client == nil {
		return s.refuseSignIn(c, oidc.ErrState)
	}
	if c.Query("error") != "" {
		return s.refuseSignIn(c, oidc.ErrDenied)
	}
	id, err := client.Finish(ctx, oidc.Pending{Nonce: p.Nonce, Verifier: p.Verifier}, strings.Clone(c.Query("code")))
	if err != nil {
		return s.refuseSignIn(c, err)
	}
	u, err := s.account.ProviderUser(ctx, "ag-", id.Subject)
	if err != nil {
		return err
	}
	if err := s.agencies.Vouch(ctx, p.AgencyID, u.ID); err != nil {
		return err
	}
	return s.handOver(c, u.ID, veikart.SignInAgencyOIDC, p.AgencyID)
}

// setRequireSignIn lets the agency's administrators (or the operator)
// require one way of signing in of everyone who acts for it. It holds on
// each one's next request.
func (s *Server) setRequireSignIn(c *fiber.Ctx) error {
	id, err := pathID(c, "agencyId", errNoAgency)
	if err != nil {
		return err
	}
	var req wire.RequireSignInRequest
	if err := s.decode(c, "require-sign-in-request.schema.json", &req); err != nil {
		return err
	}
	a, err := s.agencies.RequireSignIn(c.UserContext(), actorOf(c), id, req.Require)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToAgency(a, true))
}

// AgencyRedirect is the callback address to register with every agency's
// provider.
func AgencyRedirect(publicURL string) string {
	return strings.TrimRight(publicURL, "/") + "/api/v1/auth/agency/callback"
}
