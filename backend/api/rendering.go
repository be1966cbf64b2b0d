package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Renderings: the Norwegian rendering beside the family's words
// (household/rendering.go).

var errNoRenderedText = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such text to render."}

// renderingPath returns the roadmap, the area and the field ("now" or
// "desired") of the path.
func renderingPath(c *fiber.Ctx) (string, string, string, error) {
	id, areaID, err := pathIDs(c, "areaId", errNoRenderedText)
	if err != nil {
		return "", "", "", err
	}
	field := strings.Clone(c.Params("field"))
	if field != veikart.RenderNow && field != veikart.RenderDesired {
		return "", "", "", errNoRenderedText
	}
	return id, areaID, field, nil
}

func (s *Server) setRendering(c *fiber.Ctx) error {
	var req wire.SetRenderingRequest
	if err := s.decode(c, "set-rendering-request.schema.json", &req); err != nil {
		return err
	}
	id, areaID, field, err := renderingPath(c)
	if err != nil {
		return err
	}
	a, err := s.household.SetRendering(c.UserContext(), actorOf(c), id, areaID, field, req.Text)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToArea(a))
}

func (s *Server) confirmRendering(c *fiber.Ctx) error {
	id, areaID, field, err := renderingPath(c)
	if err != nil {
		return err
	}
	a, err := s.household.ConfirmRendering(c.UserContext(), actorOf(c), id, areaID, field)
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.ToArea(a))
}
