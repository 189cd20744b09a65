package publish

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Channel credentials (a WordPress application password, a Telegram bot token) are kept
// encrypted at rest: a copy of the database, a backup or a replica leaks nothing that posts in
// the desk's name. They are sealed with AES-256-GCM under the key in TARJUMA_SECRET_KEY, which
// lives outside the database.
//
// A sealed blob is: sealVersion (1 byte), the key's fingerprint (keyIDLen bytes), the nonce
// (12 bytes), then the ciphertext with its tag. The fingerprint lets Open tell "sealed under
// another key" (an operator's mistake, named as such) from "damaged or tampered with", which
// GCM alone cannot.
const (
	sealVersion = 1
	keyIDLen    = 4
	// KeyBytes is the length of a secret key: AES-256.
	KeyBytes = 32
)

// The errors of Open, for callers and tests to tell apart.
var (
	// ErrWrongKey: the blob was sealed under another key than the configured one.
	ErrWrongKey = errors.New("publish: channel credentials were sealed with another key than TARJUMA_SECRET_KEY")
	// ErrTampered: the blob is not what Seal wrote, whatever the key.
	ErrTampered = errors.New("publish: channel credentials are damaged or were tampered with")
	// ErrNoKey: credentials are stored or given, and no key is configured to seal or open them.
	ErrNoKey = errors.New("publish: channel credentials need TARJUMA_SECRET_KEY, which is not set")
)

// Sealer seals and opens channel credentials under one key. A nil *Sealer has no key: Seal
// and Open answer ErrNoKey.
type Sealer struct {
	aead  cipher.AEAD
	keyID []byte
}

// NewKey returns a fresh secret key in the form TARJUMA_SECRET_KEY takes: base64 of KeyBytes
// random bytes.
func NewKey() string {
	var key [KeyBytes]byte
	rand.Read(key[:]) // never fails since Go 1.24
	return base64.StdEncoding.EncodeToString(key[:])
}

// ParseKey builds a Sealer from a key as NewKey writes it (surrounding space, as a key file's
// final newline, is ignored).
func ParseKey(s string) (*Sealer, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeyBytes {
		return nil, fmt.Errorf("publish: TARJUMA_SECRET_KEY must be the base64 of %d random bytes (e.g. openssl rand -base64 32)", KeyBytes)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("publish: secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("publish: secret key: %w", err)
	}
	sum := sha256.Sum256(append([]byte("tarjuma key id\x00"), key...))
	return &Sealer{aead: aead, keyID: sum[:keyIDLen]}, nil
}

// KeyID is the key's fingerprint as hex, safe to log: it names the key, never reveals it.
func (s *Sealer) KeyID() string { return hex.EncodeToString(s.keyID) }

// Seal encrypts plaintext for a channel of kind k. The kind is authenticated with it, so a
// blob moved to a channel of another kind does not open.
func (s *Sealer) Seal(k Kind, plaintext []byte) ([]byte, error) {
	if s == nil {
		return nil, ErrNoKey
	}
	out := append([]byte{sealVersion}, s.keyID...)
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plaintext, aad(k)), nil
}

// Open decrypts what Seal returned for a channel of kind k: ErrNoKey without a key,
// ErrWrongKey when another key sealed it, ErrTampered when it was changed.
func (s *Sealer) Open(k Kind, blob []byte) ([]byte, error) {
	if s == nil {
		return nil, ErrNoKey
	}
	header := 1 + keyIDLen + s.aead.NonceSize()
	if len(blob) < header+s.aead.Overhead() || blob[0] != sealVersion {
		return nil, ErrTampered
	}
	if !bytes.Equal(blob[1:1+keyIDLen], s.keyID) {
		return nil, fmt.Errorf("%w (sealed with key %x, configured key %s)", ErrWrongKey, blob[1:1+keyIDLen], s.KeyID())
	}
	plain, err := s.aead.Open(nil, blob[1+keyIDLen:header], blob[header:], aad(k))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

func aad(k Kind) []byte { return []byte("tarjuma channel credentials/" + string(k)) }
