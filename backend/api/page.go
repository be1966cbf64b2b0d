package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/veikart"
)

// page reads the cursor and limit of a paged log (limit 50 when not
// given). A parameter that is given must be valid: "?cursor=" or
// "?limit=" is refused, as the OpenAPI document's minLength and minimum
// say, rather than read as absent.
func page(c *fiber.Ctx) (cursor string, limit int, err error) {
	args := c.Context().QueryArgs()
	limit = 50
	if args.Has("limit") {
		n, err := strconv.Atoi(string(args.Peek("limit")))
		if err != nil || n < 1 || n > 100 {
			return "", 0, &veikart.Error{Code: veikart.EINVALID, Message: "limit must be a whole number from 1 to 100.", Pointer: "limit"}
		}
		limit = n
	}
	if args.Has("cursor") {
		cursor = strings.Clone(string(args.Peek("cursor")))
		if cursor == "" || len(cursor) > 100 {
			return "", 0, &veikart.Error{Code: veikart.EINVALID, Message: "The page cursor is not valid.", Pointer: "cursor"}
		}
	}
	return cursor, limit, nil
}
