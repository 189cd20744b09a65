package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password rules. The minimum follows OWASP ASVS 5.0 for passwords that are the only factor;
// the maximum keeps one request from making argon2 hash megabytes.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 1024
)

// The argon2id parameters new hashes get: OWASP's minimum for argon2id (t=2, m=19 MiB, p=1).
// Each hash records its own, so raising them later keeps older hashes verifiable.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// checkPassword enforces the length rules, counting characters rather than bytes at the low
// end so an Arabic or Cyrillic password is not held to a different standard.
func checkPassword(password string) error {
	switch {
	case len(password) > MaxPasswordBytes:
		return &FieldError{Field: "password", Code: "weak_password", Message: fmt.Sprintf("password must be at most %d bytes", MaxPasswordBytes)}
	case !utf8.ValidString(password) || utf8.RuneCountInString(password) < MinPasswordRunes:
		return &FieldError{Field: "password", Code: "weak_password", Message: fmt.Sprintf("password must be at least %d characters of UTF-8", MinPasswordRunes)}
	}
	return nil
}

// HashPassword checks the password rules and returns an argon2id hash in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), which carries its salt and parameters.
func HashPassword(password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	return hashPassword(password), nil
}

func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails since Go 1.24
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// errBadHash means a stored hash cannot be parsed: a corrupt row, not a wrong password.
var errBadHash = errors.New("auth: stored password hash is not an argon2id PHC string")

// VerifyPassword reports whether password matches encoded, comparing in constant time.
// Passwords longer than MaxPasswordBytes never match and are not hashed.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil || time == 0 || threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	if len(password) > MaxPasswordBytes {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names no user, so that an unknown email costs
// the same argon2 time as a wrong password and response times do not reveal who has an account.
var dummyHash = sync.OnceValue(func() string { return hashPassword("no user has this password") })
