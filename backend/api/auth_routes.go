package api

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
)

// devLogin signs in a named test person without any credential. It exists
// only in development mode on loopback (see Config.Dev); the same name always
// gives the same person, so a developer can come back to their demo.
func (s *Server) devLogin(c *fiber.Ctx) error {
	var req devLoginRequest
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
	var req refreshRequest
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
	var req refreshRequest
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
	return c.JSON(tokenResponse{
		AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int64(pair.ExpiresAt.Sub(s.now()).Seconds()),
		User:      userJSON{ID: u.ID, Name: u.Name}, ActingFor: agencyID,
	})
}

func (s *Server) me(c *fiber.Ctx) error {
	actor := actorOf(c)
	if !access.Permit(actor, access.UseAccount, "") {
		return &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Operator tokens are for the admin API."}
	}
	ctx := c.UserContext()
	u, err := s.store.User(ctx, actor.UserID)
	if veikart.ErrorCode(err) == veikart.ENOTFOUND {
		// A valid token for a person who no longer exists (erased).
		return &veikart.Error{Code: veikart.EUNAUTHORIZED, Message: "Sign in again."}
	}
	if err != nil {
		return err
	}
	out := meJSON{ID: u.ID, Name: u.Name, ActingFor: actor.AgencyID, Agencies: []membershipJSON{}, OwnSayAge: cmp.Or(s.cfg.OwnSayAge, veikart.DefaultOwnSayAge)}
	for _, id := range u.AgencyIDs {
		a, err := s.store.Agency(ctx, id)
		if veikart.ErrorCode(err) == veikart.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		// The agency's staff list is the truth; the user's index may lag.
		if roles := a.Roles(u.ID); len(roles) > 0 {
			out.Agencies = append(out.Agencies, membershipJSON{AgencyID: a.ID, Name: a.Name, Kind: string(a.Kind), Roles: rolesToStrings(roles)})
		}
	}
	if veikart.RecoverableByAgency(u.ID) {
		out.RecoverableByAgency = true
		if out.Recovery, err = s.pendingRecoveryJSON(ctx, u.ID); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return sendJSON(c, fiber.StatusOK, out)
}
