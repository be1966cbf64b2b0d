package api

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/veikart/veikart/backend/access"
	"github.com/veikart/veikart/backend/account"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// Web Push routes: the server's application server key, and the devices a
// person receives reminders on. A subscription belongs to the person
// (actor.UserID), whether they act for themselves or for an agency, so that
// reminders of both kinds reach the same devices. The endpoint and keys are
// the device's secrets: they are stored for sending and never sent back.

// EndpointChecker decides whether a Web Push endpoint may be subscribed:
// https, and a push service the operator allows. Package push provides one;
// Check returns an error for an endpoint that is refused.
type EndpointChecker interface {
	Check(endpoint string) error
}

var (
	errNoSubscription = &veikart.Error{Code: veikart.ENOTFOUND, Message: "There is no such device."}
	errPushOff        = &veikart.Error{Code: veikart.EUNAVAILABLE, Message: "Push is not configured."}
)

// maxUserAgent bounds the User-Agent kept with a subscription (in bytes, so
// also in characters).
const maxUserAgent = 300

func (s *Server) pushKey(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.UseAccount, "") {
		return account.ErrPushNotOperators
	}
	if s.cfg.VAPIDPublicKey == "" {
		return errPushOff
	}
	key, err := decodeP256(s.cfg.VAPIDPublicKey)
	if err != nil {
		// A configuration mistake: logged as an internal error, not shown.
		return errors.Join(errors.New("VAPID public key"), err)
	}
	return sendJSON(c, fiber.StatusOK, wire.PushKey{PublicKey: base64.RawURLEncoding.EncodeToString(key)})
}

func (s *Server) listPushSubscriptions(c *fiber.Ctx) error {
	subs, err := s.account.Devices(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	return sendJSON(c, fiber.StatusOK, wire.PushSubscriptionList{Items: wire.List(subs, wire.ToPushSubscription)})
}

// createPushSubscription stores this device's subscription
// (account.Subscribe): 201 for a new one, 200 for the same endpoint again.
func (s *Server) createPushSubscription(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.UseAccount, "") {
		return account.ErrPushNotOperators
	}
	if s.cfg.PushEndpoints == nil {
		return errPushOff
	}
	var req wire.PushSubscriptionRequest
	if err := s.decode(c, "push-subscription-request.schema.json", &req); err != nil {
		return err
	}
	if err := s.checkPushSubscription(req); err != nil {
		return err
	}
	sub, created, err := s.account.Subscribe(c.UserContext(), actorOf(c), veikart.PushSubscription{
		Endpoint: req.Endpoint, P256dh: req.Keys.P256dh, Auth: req.Keys.Auth, UserAgent: userAgent(c),
	})
	if err != nil {
		return err
	}
	return sendJSON(c, createdOrOK(created), wire.ToPushSubscription(sub))
}

// checkPushSubscription checks what the schema cannot: that the endpoint is
// one the operator allows and that the keys are what Web Push encryption
// needs (RFC 8291), so that a bad subscription fails here, where the device
// can be told, rather than silently at every reminder.
func (s *Server) checkPushSubscription(req wire.PushSubscriptionRequest) error {
	var errs []fieldError
	u, err := url.Parse(req.Endpoint)
	if err == nil && u.Hostname() == "" {
		err = errors.New("no host")
	}
	if err == nil {
		err = s.cfg.PushEndpoints.Check(req.Endpoint)
	}
	if err != nil {
		// The checker's reason stays here: it may name the allowlist.
		errs = append(errs, fieldError{Pointer: "/endpoint", Message: "Reminders cannot be sent to this address: it must be an https address of a known push service."})
	}
	if _, err := decodeP256(req.Keys.P256dh); err != nil {
		errs = append(errs, fieldError{Pointer: "/keys/p256dh", Message: "must be an uncompressed P-256 public key (65 bytes), base64url"})
	}
	if b, err := decodeBase64URL(req.Keys.Auth); err != nil || len(b) != 16 {
		errs = append(errs, fieldError{Pointer: "/keys/auth", Message: "must be a 16-byte secret, base64url"})
	}
	if len(errs) > 0 {
		return &requestError{kind: kindValidation, detail: "Some fields are not valid.", errors: errs}
	}
	return nil
}

// decodeBase64URL decodes base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// decodeP256 decodes a base64url uncompressed P-256 point (0x04, X, Y) and
// checks that it is on the curve.
func decodeP256(s string) ([]byte, error) {
	b, err := decodeBase64URL(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 65 || b[0] != 0x04 {
		return nil, errors.New("not an uncompressed P-256 point")
	}
	if _, err := ecdh.P256().NewPublicKey(b); err != nil {
		return nil, err
	}
	return b, nil
}

// userAgent is the caller's User-Agent, copied, as valid UTF-8 and cut to
// maxUserAgent bytes on a character boundary.
func userAgent(c *fiber.Ctx) string {
	ua := strings.ToValidUTF8(strings.TrimSpace(c.Get(fiber.HeaderUserAgent)), "")
	if len(ua) > maxUserAgent {
		cut := maxUserAgent
		for cut > 0 && !utf8.RuneStart(ua[cut]) {
			cut--
		}
		ua = ua[:cut]
	}
	return strings.Clone(ua)
}

// deletePushSubscription stops reminders on one of the caller's devices.
// Another person's subscription is not found, like one that never was.
func (s *Server) deletePushSubscription(c *fiber.Ctx) error {
	if !access.Permit(actorOf(c), access.UseAccount, "") {
		return account.ErrPushNotOperators
	}
	id := strings.Clone(c.Params("subscriptionId"))
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return errNoSubscription
	}
	if err := s.account.Unsubscribe(c.UserContext(), actorOf(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
