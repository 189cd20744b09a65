package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/tarjuma/tarjuma"
)

// tokenPrefix marks tarjuma secrets, so secret scanners and people can tell what leaked.
const tokenPrefix = "tj_"

// tokenHash is what the database keeps of a secret. A plain SHA-256 suffices: the secret has
// 256 random bits, so there is nothing to guess, and an index finds it without a timing leak
// about the secret itself.
func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new API token with 256 random bits, stores only its SHA-256 and returns
// the secret, which cannot be recovered later.
func (db *DB) CreateToken(ctx context.Context, name string, role tarjuma.Role) (secret string, tok tarjuma.Token, err error) {
	var random [32]byte
	rand.Read(random[:]) // never fails since Go 1.24
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(random[:])
	tok = tarjuma.Token{Name: name, Role: role, CreatedAt: now()}
	err = db.write.QueryRowContext(ctx, `INSERT INTO api_tokens (name, role, hash, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, name, role, tokenHash(secret), tok.CreatedAt).Scan(&tok.ID)
	if err != nil {
		return "", tarjuma.Token{}, fmt.Errorf("store: create token %q: %w", name, err)
	}
	return secret, tok, nil
}

// LookupToken returns the token whose secret this is, or tarjuma.ErrNotFound.
func (db *DB) LookupToken(ctx context.Context, secret string) (tarjuma.Token, error) {
	var tok tarjuma.Token
	err := db.read.QueryRowContext(ctx, `SELECT id, name, role, created_at FROM api_tokens WHERE hash = $1`,
		tokenHash(secret)).Scan(&tok.ID, &tok.Name, &tok.Role, &tok.CreatedAt)
	if err != nil {
		// The secret stays out of the message: errors get logged.
		return tarjuma.Token{}, fmt.Errorf("store: %w", notFound(err, "token"))
	}
	tok.CreatedAt = tok.CreatedAt.UTC()
	return tok, nil
}
