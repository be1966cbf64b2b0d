package api

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/qr"
	"github.com/veikart/veikart/backend/veikart"
)

// The poster is drawn by the app's own print view (so that every script
// prints with the fonts the browser has); the server adds only what the
// app cannot draw itself: the QR code that opens the roadmap again.

var errPosterFamilyOnly = &veikart.Error{Code: veikart.EFORBIDDEN, Message: "Only the household's owners and members can print its poster."}

// posterLink is the address the poster's QR code opens: the roadmap in the
// app. It is no capability: the app asks the person to sign in, and the
// server shows the roadmap only to those it always would.
func (s *Server) posterLink(roadmapID string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/#/roadmaps/" + url.PathEscape(roadmapID)
}

// posterQR answers with the poster's QR code as an SVG image. Owners and
// members with accounts may have it; anyone else gets what every owners'
// route gives them (404 if they cannot see the roadmap, 403 if they can).
// Nothing of the household is in it but the roadmap's id, so it is not
// logged as an access.
func (s *Server) posterQR(c *fiber.Ctx) error {
	id, err := roadmapID(c)
	if err != nil {
		return err
	}
	r, err := s.household.ReadFor(c.UserContext(), actorOf(c), id, access.PrintPoster, errPosterFamilyOnly)
	if err != nil {
		return err
	}
	svg, err := qr.SVG(s.posterLink(r.ID))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.SendString(svg)
}
