package api

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// devLogin signs in a named test person without any credential. It exists
// only in development mode on loopback (see Config.Dev); the same name always
// gives the same person, so a developer can come back to their demo.
func (s *Server) devLogin(c *fiber.Ctx) error {
	var req wire.DevLoginRequest
	if err := s.decode(c, "dev-login-request.schema.json", &req); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return &veikart.Error{Code: veikart.EINVALID, Message: "Give a name.", Pointer: "/name"}
	}
	u, err := s.store.EnsureUser(c.UserContext(), &veikart.User{ID: DevUserID(name), Name: name, CreatedAt: s.now().UTC()})
	if err != nil {
		return err
	}
	if err := s.agencies.CheckStaff(c.UserContext(), u.ID, req.AgencyID); err != nil {
		return err
	}
	return s.signIn(c, u, req.AgencyID, veikart.SignInDev)
}

// signIn starts a session for a person who has proved who they are and
// answers with its first tokens (account.SignIn).
func (s *Server) signIn(c *fiber.Ctx, u *veikart.User, agencyID, method string) error {
	pair, err := s.account.SignIn(c.UserContext(), u, agencyID, method, deviceOf(c))
	if err != nil {
		return err
	}
	return s.sendTokens(c, pair, u, pair.AgencyID)
}

// DevUserID is the user id the development login gives a name.
func DevUserID(name string) string {
	sum := sha256.Sum256([]byte("dev:" + strings.ToLower(strings.TrimSpace(name))))
	return "dev-" + hex.EncodeToString(sum[:10])
}

func (s *Server) refresh(c *fiber.Ctx) error {
	var req wire.RefreshRequest
	if err := s.decode(c, "refresh-request.schema.json", &req); err != nil {
		return err
	}
	pair, err := s.sessions.Refresh(c.UserContext(), req.RefreshToken)
	if err != nil {
		return err
	}
	u, err := s.store.User(c.UserContext(), pair.UserID)
	if err != nil {
		return err
	}
	return s.sendTokens(c, pair, u, pair.AgencyID)
}

func (s *Server) logout(c *fiber.Ctx) error {
	var req wire.RefreshRequest
	if err := s.decode(c, "refresh-request.schema.json", &req); err != nil {
		return err
	}
	if err := s.account.SignOut(c.UserContext(), req.RefreshToken); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) sendTokens(c *fiber.Ctx, pair *auth.TokenPair, u *veikart.User, agencyID string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(wire.TokenResponse{
		AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int64(pair.ExpiresAt.Sub(s.now()).Seconds()),
		User:      wire.User{ID: u.ID, Name: u.Name}, ActingFor: agencyID,
	})
}

func (s *Server) me(c *fiber.Ctx) error {
	p, err := s.account.Me(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	out := wire.Me{ID: p.User.ID, Name: p.User.Name, ActingFor: actorOf(c).AgencyID, Agencies: wire.Memberships(p.Agencies, p.User.ID),
		OwnSayAge: cmp.Or(s.cfg.OwnSayAge, veikart.DefaultOwnSayAge), TimeZone: s.cfg.Location.String(), RecoverableByAgency: p.RecoverableByAgency}
	if pr := p.Pending; pr != nil {
		out.Recovery = &wire.PendingRecovery{AgencyID: pr.AgencyID, AgencyName: pr.AgencyName, CaseworkerName: pr.CreatedByName, StartedAt: pr.StartedAt, EffectiveAt: pr.EffectiveAt}
	}
	return sendJSON(c, fiber.StatusOK, out)
}
