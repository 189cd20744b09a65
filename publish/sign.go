// Package publish owns what leaves the desk once a translation is approved: the publishing
// model (subscribers as channels of a kind, releases, deliveries and their attempts) with the
// delivery policy (a day of retries with doubling backoff, what each attempt's result means for
// its delivery), the Connector seam each kind of channel plugs into (the webhook is the first),
// the payloads receivers get (our event, or an IPTC ninjs 3.1 document), their signature per
// Standard Webhooks (v1), the HTTP sending with its guard against private addresses, the
// sealing of channel credentials at rest, and the Atom feed. It holds no state and imports only
// the domain; the store persists the model and the worker runs the attempts.
package publish

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// secretPrefix marks a Standard Webhooks signing secret; the rest is base64 of the key.
const secretPrefix = "whsec_"

// Rules every way of managing subscribers (the API, the pages) applies alike.
const (
	// DefaultRotationGrace is how long a rotated-out secret keeps signing beside the new one
	// when TARJUMA_WEBHOOK_ROTATION_GRACE does not say: a day for a receiver to deploy it.
	DefaultRotationGrace = 24 * time.Hour
	// MaxDescriptionRunes bounds a subscriber's description.
	MaxDescriptionRunes = 500
)

// NewSecret returns a signing secret: "whsec_" and the base64 of 32 random bytes.
func NewSecret() string {
	var key [32]byte
	rand.Read(key[:]) // never fails since Go 1.24
	return secretPrefix + base64.StdEncoding.EncodeToString(key[:])
}

// WebhookID is the webhook-id of a delivery: the same on every attempt and redelivery, so a
// receiver can drop what it has already processed.
func WebhookID(deliveryID int64) string { return "dlv_" + strconv.FormatInt(deliveryID, 10) }

// errBadSecret is a secret that is not "whsec_" and base64: a bug or a damaged row, never input.
var errBadSecret = errors.New("publish: signing secret is not whsec_<base64>")

// Sign returns the v1 signature of a message: "v1," and the base64 HMAC-SHA256, keyed with the
// decoded secret, of "<id>.<unix timestamp>.<body>".
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || !strings.HasPrefix(secret, secretPrefix) || len(key) == 0 {
		return "", errBadSecret
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// signatureHeader is the webhook-signature value: one signature per secret, space-separated, so
// a receiver still holding the previous secret accepts messages during a rotation.
func signatureHeader(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		var err error
		if sigs[i], err = Sign(s, id, ts, body); err != nil {
			return "", err
		}
	}
	return strings.Join(sigs, " "), nil
}
