package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tarjuma/tarjuma"
)

// NewUser is what CreateUser stores. The password arrives already hashed: hashing policy
// belongs to package auth, the store only keeps the string.
type NewUser struct {
	Email        string
	PasswordHash string
	Role         tarjuma.Role
	Langs        []tarjuma.Lang
}

// NormalizeEmail is the form emails are stored and looked up in: trimmed and lower-cased, so
// the UNIQUE column makes them unique regardless of case on both backends (SQLite's lower()
// and PostgreSQL's collations disagree beyond ASCII).
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// userColumns are read by scanUser, in its order.
const userColumns = "u.id, u.email, u.role, u.langs, u.ui_lang, u.created_at"

func scanUser(row scanner, extra ...any) (tarjuma.User, error) {
	var u tarjuma.User
	var langs string
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Role, &langs, &u.UILang, &u.CreatedAt}, extra...)...); err != nil {
		return tarjuma.User{}, err
	}
	u.Langs = splitLangs(langs)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

// joinLangs and splitLangs keep a user's languages in one column: a handful of two-letter
// codes does not justify a table and a join on every request.
func joinLangs(langs []tarjuma.Lang) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, ",")
}

func splitLangs(s string) []tarjuma.Lang {
	if s == "" {
		return nil
	}
	var langs []tarjuma.Lang
	for l := range strings.SplitSeq(s, ",") {
		langs = append(langs, tarjuma.Lang(l))
	}
	return langs
}

// CreateUser stores a user; tarjuma.ErrConflict when the email is taken (in any case).
func (db *DB) CreateUser(ctx context.Context, nu NewUser) (tarjuma.User, error) {
	u := tarjuma.User{Email: NormalizeEmail(nu.Email), Role: nu.Role, Langs: nu.Langs, CreatedAt: now()}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// Checked first so the common duplicate is a clean ErrConflict rather than a driver
		// error; the UNIQUE column still settles a race between two transactions.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, u.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("email taken: %w", tarjuma.ErrConflict)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO users (email, password_hash, role, langs, ui_lang, created_at)
			VALUES ($1, $2, $3, $4, '', $5) RETURNING id`,
			u.Email, nu.PasswordHash, u.Role, joinLangs(u.Langs), u.CreatedAt).Scan(&u.ID)
	})
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// User returns the user with this id, or tarjuma.ErrNotFound.
func (db *DB) User(ctx context.Context, id int64) (tarjuma.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("store: %w", notFound(err, "user %d", id))
	}
	return u, nil
}

// UserByEmail returns the user with this email in any case, or tarjuma.ErrNotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (tarjuma.User, error) {
	u, _, err := db.UserCredentials(ctx, email)
	return u, err
}

// UserCredentials returns the user with this email and their password hash, for signing in;
// tarjuma.ErrNotFound when there is none. The email stays out of the error: it gets logged.
func (db *DB) UserCredentials(ctx context.Context, email string) (tarjuma.User, string, error) {
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = $1`,
		NormalizeEmail(email)), &hash)
	if err != nil {
		return tarjuma.User{}, "", fmt.Errorf("store: %w", notFound(err, "user"))
	}
	return u, hash, nil
}

// SetUILang records the interface language a user chose; "" returns them to negotiation.
func (db *DB) SetUILang(ctx context.Context, userID int64, lang string) error {
	res, err := db.write.ExecContext(ctx, `UPDATE users SET ui_lang = $1 WHERE id = $2`, lang, userID)
	if err != nil {
		return fmt.Errorf("store: set ui lang of user %d: %w", userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: set ui lang of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("store: set ui lang: %w", notFound(sql.ErrNoRows, "user %d", userID))
	}
	return nil
}
