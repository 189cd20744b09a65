package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

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

// NewToken is what IssueToken stores.
type NewToken struct {
	Name string
	// Role is the token's role. A token for a user takes the user's role at every request,
	// whatever is stored here.
	Role tarjuma.Role
	// UserID is the user the token acts as, 0 for a token of its own (a service).
	UserID int64
	// ExpiresIn is how long the token works from its creation; 0 is for ever.
	ExpiresIn time.Duration
}

// IssueToken makes a new API token with 256 random bits, stores only its SHA-256 and returns
// the secret, which cannot be recovered later. tarjuma.ErrInvalid for a negative ExpiresIn;
// for a user, tarjuma.ErrNotFound when there is none and tarjuma.ErrConflict when they are
// disabled (see lockEnabledUser).
func (db *DB) IssueToken(ctx context.Context, nt NewToken) (secret string, tok tarjuma.Token, err error) {
	if nt.ExpiresIn < 0 {
		return "", tarjuma.Token{}, fmt.Errorf("store: create token %q: expiry %v: %w", nt.Name, nt.ExpiresIn, tarjuma.ErrInvalid)
	}
	var random [32]byte
	rand.Read(random[:]) // never fails since Go 1.24
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(random[:])
	tok = tarjuma.Token{Name: nt.Name, Role: nt.Role, CreatedAt: now()}
	var expires sql.NullTime
	if nt.ExpiresIn > 0 {
		tok.ExpiresAt = tok.CreatedAt.Add(nt.ExpiresIn).Truncate(time.Microsecond)
		expires = sql.NullTime{Time: tok.ExpiresAt, Valid: true}
	}
	userID := sql.NullInt64{Int64: nt.UserID, Valid: nt.UserID != 0}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if userID.Valid {
			if err := db.lockEnabledUser(ctx, tx, nt.UserID); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (name, role, hash, created_at, user_id, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, nt.Name, nt.Role, tokenHash(secret), tok.CreatedAt, userID, expires).Scan(&tok.ID)
	})
	if err != nil {
		return "", tarjuma.Token{}, fmt.Errorf("store: create token %q: %w", nt.Name, err)
	}
	return secret, tok, nil
}

// CreateToken is IssueToken for a token of its own that never expires.
func (db *DB) CreateToken(ctx context.Context, name string, role tarjuma.Role) (secret string, tok tarjuma.Token, err error) {
	return db.IssueToken(ctx, NewToken{Name: name, Role: role})
}

// CreateUserToken is IssueToken for a token that acts as the user and never expires: it
// carries the user's role (read at every request, so a role change applies to the user's
// tokens too) and languages.
func (db *DB) CreateUserToken(ctx context.Context, name string, user tarjuma.User) (secret string, tok tarjuma.Token, err error) {
	return db.IssueToken(ctx, NewToken{Name: name, Role: user.Role, UserID: user.ID})
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

// callerColumns are read by scanCaller: the token and, through a LEFT JOIN, its user if any.
const callerColumns = `t.id, t.name, t.role, t.created_at, t.expires_at, t.last_used_at,
	u.id, u.email, u.role, u.langs, u.ui_lang, u.created_at, u.disabled_at
	FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id`

func scanCaller(row scanner) (Caller, error) {
	var c Caller
	var expires, lastUsed, userCreated, userDisabled sql.NullTime
	var userID sql.NullInt64
	var email, userRole, langs, uiLang sql.NullString
	if err := row.Scan(&c.Token.ID, &c.Token.Name, &c.Token.Role, &c.Token.CreatedAt, &expires, &lastUsed,
		&userID, &email, &userRole, &langs, &uiLang, &userCreated, &userDisabled); err != nil {
		return Caller{}, err
	}
	c.Token.CreatedAt, c.Token.ExpiresAt, c.Token.LastUsedAt = c.Token.CreatedAt.UTC(), utcOrZero(expires), utcOrZero(lastUsed)
	if userID.Valid {
		c.Token.Role = tarjuma.Role(userRole.String)
		c.User = &tarjuma.User{ID: userID.Int64, Email: email.String, Role: c.Token.Role, Langs: splitLangs(langs.String),
			UILang: uiLang.String, CreatedAt: userCreated.Time.UTC(), DisabledAt: utcOrZero(userDisabled)}
	}
	return c, nil
}

// touchTokenEvery spares a write on every API request: a token's last_used_at moves at most
// once a minute, which is as exact as an audit list needs.
const touchTokenEvery = time.Minute

// LookupCaller returns the token whose secret this is and the user it acts as, in one query
// since it runs on every API request; tarjuma.ErrNotFound when there is none, when it has
// expired, or when its user is disabled. LastUsedAt is as it was before this request, which
// is recorded when the last record is a minute old or more.
func (db *DB) LookupCaller(ctx context.Context, secret string) (Caller, error) {
	at := now()
	c, err := scanCaller(db.read.QueryRowContext(ctx, `SELECT `+callerColumns+`
		WHERE t.hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) AND (t.user_id IS NULL OR u.disabled_at IS NULL)`,
		tokenHash(secret), at))
	if err != nil {
		// The secret stays out of the message: errors get logged.
		return Caller{}, fmt.Errorf("store: %w", notFound(err, "token"))
	}
	if at.Sub(c.Token.LastUsedAt) >= touchTokenEvery {
		// Guarded in SQL too, so concurrent requests of one token write it once.
		if _, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1
			WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`, at, c.Token.ID, at.Add(-touchTokenEvery)); err != nil {
			return Caller{}, fmt.Errorf("store: record use of token %d: %w", c.Token.ID, err)
		}
	}
	return c, nil
}

// Token returns the token with this id and its user, or tarjuma.ErrNotFound; expired tokens
// included, since they are still listed.
func (db *DB) Token(ctx context.Context, id int64) (Caller, error) {
	c, err := scanCaller(db.read.QueryRowContext(ctx, `SELECT `+callerColumns+` WHERE t.id = $1`, id))
	if err != nil {
		return Caller{}, fmt.Errorf("store: %w", notFound(err, "token %d", id))
	}
	return c, nil
}

// Tokens lists every token, expired ones included, oldest first.
func (db *DB) Tokens(ctx context.Context) ([]Caller, error) {
	return db.tokens(ctx, ``)
}

// UserTokens lists the tokens that act as the user, expired ones included, oldest first.
func (db *DB) UserTokens(ctx context.Context, userID int64) ([]Caller, error) {
	return db.tokens(ctx, ` WHERE t.user_id = $1`, userID)
}

func (db *DB) tokens(ctx context.Context, where string, args ...any) ([]Caller, error) {
	cs, err := queryAll(ctx, db.read, scanCaller, `SELECT `+callerColumns+where+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return cs, nil
}

// DeleteToken revokes a token: the row and its hash go, so the next request with its secret
// is refused. tarjuma.ErrNotFound when there is no such token (or it was revoked already).
func (db *DB) DeleteToken(ctx context.Context, id int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = fmt.Errorf("token %d: %w", id, tarjuma.ErrNotFound)
		}
	}
	if err != nil {
		return fmt.Errorf("store: delete token %d: %w", id, err)
	}
	return nil
}
