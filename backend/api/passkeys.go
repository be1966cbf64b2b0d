package api

import (
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/passkey"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Passkeys, for people without a national eID: the routes of the use cases
// in package account (passkeys.go there says how they work). The sign-in
// routes are limited per client address here; the account's own limit is
// the use case's.

// RPName is the relying party's name, shown by a phone's passkey manager.
const RPName = "Veikart"

// newRelyingParty returns the relying party for publicURL, or nil (passkeys
// unavailable) if it has none that WebAuthn accepts.
func newRelyingParty(publicURL string, log *slog.Logger) *passkey.RP {
	if publicURL == "" {
		return nil
	}
	rp, err := passkey.New(publicURL, RPName)
	if err != nil {
		if log != nil {
			log.Warn("passkeys are off", "err", err)
		}
		return nil
	}
	return rp
}

// Wire types.

func enrolmentKind(e *veikart.Enrolment) string {
	if e.Recovery() {
		return "recovery"
	}
	return "new"
}

// createEnrolment makes a one-time code for a person to register a passkey
// with: {name} for a new person, {roadmapId, personKey} to recover an
// existing person's account.
func (s *Server) createEnrolment(c *fiber.Ctx) error {
	var req wire.CreateEnrolmentRequest
	if err := s.decode(c, "create-enrolment-request.schema.json", &req); err != nil {
		return err
	}
	e, code, err := s.account.CreateEnrolment(c.UserContext(), actorOf(c), req.Name, req.RoadmapID, req.PersonKey)
	if err != nil {
		return err
	}
	// The code goes in the fragment, which browsers never send to a server.
	url := strings.TrimRight(s.cfg.PublicURL, "/") + "/#/enrol/" + code
	svg, err := qr.SVG(url)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusCreated, wire.Enrolment{Kind: enrolmentKind(e), Code: code, URL: url, QR: svg, ExpiresAt: e.ExpiresAt, Name: e.Name})
}

// enrolBegin starts registering a passkey with an enrolment code.
func (s *Server) enrolBegin(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req wire.EnrolBeginRequest
	if err := s.decode(c, "passkey-enrol-begin-request.schema.json", &req); err != nil {
		return err
	}
	b, err := s.account.EnrolBegin(c.UserContext(), req.Code)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.CreationOptions{CeremonyID: b.Ceremony.ID, ExpiresAt: b.Ceremony.ExpiresAt,
		Kind: enrolmentKind(b.Enrolment), Name: b.Ceremony.Name, PublicKey: b.Options})
}

// enrolFinish registers the passkey made with an enrolment code: a new
// person is signed in, a recovery waits (202 with when it may sign in).
func (s *Server) enrolFinish(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req wire.EnrolFinishRequest
	if err := s.decode(c, "passkey-enrol-finish-request.schema.json", &req); err != nil {
		return err
	}
	done, err := s.account.EnrolFinish(c.UserContext(), req.Code, req.CeremonyID, req.Credential, req.Name, req.Label, deviceOf(c))
	if err != nil {
		return err
	}
	if done.Waiting != nil {
		return sendJSON(c, fiber.StatusAccepted, wire.RecoveryWaiting{Status: "waiting", Name: done.Name, EffectiveAt: done.Waiting.EffectiveAt})
	}
	return s.sendTokens(c, done.Pair, done.User, "")
}

// loginBegin starts a sign-in with a passkey alone.
func (s *Server) loginBegin(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	r, err := s.account.LoginBegin(c.UserContext())
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.RequestOptions{CeremonyID: r.Ceremony.ID, ExpiresAt: r.Ceremony.ExpiresAt, PublicKey: r.Options})
}

// loginFinish verifies a passkey sign-in and signs the person in.
func (s *Server) loginFinish(c *fiber.Ctx) error {
	if !s.limitSignIn(c) {
		return errTooMany
	}
	var req wire.LoginFinishRequest
	if err := s.decode(c, "passkey-login-finish-request.schema.json", &req); err != nil {
		return err
	}
	in, err := s.account.LoginFinish(c.UserContext(), req.CeremonyID, req.Credential, deviceOf(c))
	if err != nil {
		return err
	}
	return s.sendTokens(c, in.Pair, in.User, "")
}

func (s *Server) listPasskeys(c *fiber.Ctx) error {
	ps, err := s.account.Passkeys(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.PasskeyList{Items: wire.List(ps, wire.ToPasskey)})
}

// addBegin starts registering another passkey for the signed-in person.
func (s *Server) addBegin(c *fiber.Ctx) error {
	b, err := s.account.AddBegin(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.CreationOptions{CeremonyID: b.Ceremony.ID, ExpiresAt: b.Ceremony.ExpiresAt, PublicKey: b.Options})
}

// addFinish registers the signed-in person's new passkey.
func (s *Server) addFinish(c *fiber.Ctx) error {
	if err := access.Own(actorOf(c)); err != nil {
		return err
	}
	var req wire.PasskeyFinishRequest
	if err := s.decode(c, "passkey-finish-request.schema.json", &req); err != nil {
		return err
	}
	p, err := s.account.AddFinish(c.UserContext(), actorOf(c), req.CeremonyID, req.Credential, req.Label)
	if err != nil {
		return err
	}
	c.Location("/api/v1/passkeys/" + p.ID)
	return sendJSON(c, fiber.StatusCreated, wire.ToPasskey(*p))
}

// deletePasskey removes one of the signed-in person's passkeys.
func (s *Server) deletePasskey(c *fiber.Ctx) error {
	if err := s.account.RemovePasskey(c.UserContext(), actorOf(c), strings.Clone(c.Params("passkeyId"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deviceOf is the User-Agent a session keeps to name the device, copied
// (Fiber reuses the buffer).
func deviceOf(c *fiber.Ctx) string { return strings.Clone(c.Get(fiber.HeaderUserAgent)) }
