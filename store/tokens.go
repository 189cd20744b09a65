package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
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
	return db.createToken(ctx, name, role, sql.NullInt64{})
}

// CreateUserToken makes a token that acts as the user: it carries the user's role (read at
// every request, so a role change applies to the user's tokens too) and languages.
func (db *DB) CreateUserToken(ctx context.Context, name string, user tarjuma.User) (secret string, tok tarjuma.Token, err error) {
	return db.createToken(ctx, name, user.Role, sql.NullInt64{Int64: user.ID, Valid: true})
}

func (db *DB) createToken(ctx context.Context, name string, role tarjuma.Role, userID sql.NullInt64) (secret string, tok tarjuma.Token, err error) {
	var random [32]byte
	rand.Read(random[:]) // never fails since Go 1.24
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(random[:])
	tok = tarjuma.Token{Name: name, Role: role, CreatedAt: now()}
	err = db.write.QueryRowContext(ctx, `INSERT INTO api_tokens (name, role, hash, created_at, user_id)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, name, role, tokenHash(secret), tok.CreatedAt, userID).Scan(&tok.ID)
	if err != nil {
		return "", tarjuma.Token{}, fmt.Errorf("store: create token %q: %w", name, err)
	}
	return secret, tok, nil
}

// LookupToken returns the token whose secret this is, or tarjuma.ErrNotFound. A token that
// belongs to a user has that user's current role.
func (db *DB) LookupToken(ctx context.Context, secret string) (tarjuma.Token, error) {
	c, err := db.LookupCaller(ctx, secret)
	return c.Token, err
}

// Caller is who a bearer token speaks for.
type Caller struct {
	Token tarjuma.Token
	User  *tarjuma.User // nil for a token that belongs to no user
}

// LookupCaller is LookupToken with the token's user, in one query since it runs on every
// API request.
func (db *DB) LookupCaller(ctx context.Context, secret string) (Caller, error) {
	var c Caller
	var userID sql.NullInt64
	var email, langs, uiLang sql.NullString
	var userRole sql.NullString
	var userCreated sql.NullTime
	err := db.read.QueryRowContext(ctx, `SELECT t.id, t.name, t.role, t.created_at,
			u.id, u.email, u.role, u.langs, u.ui_lang, u.created_at
		FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id WHERE t.hash = $1`,
		tokenHash(secret)).Scan(&c.Token.ID, &c.Token.Name, &c.Token.Role, &c.Token.CreatedAt,
		&userID, &email, &userRole, &langs, &uiLang, &userCreated)
	if err != nil {
		// The secret stays out of the message: errors get logged.
		return Caller{}, fmt.Errorf("store: %w", notFound(err, "token"))
	}
	c.Token.CreatedAt = c.Token.CreatedAt.UTC()
	if userID.Valid {
		c.Token.Role = tarjuma.Role(userRole.String)
		c.User = &tarjuma.User{ID: userID.Int64, Email: email.String, Role: c.Token.Role,
			Langs: splitLangs(langs.String), UILang: uiLang.String, CreatedAt: userCreated.Time.UTC()}
	}
	return c, nil
}
