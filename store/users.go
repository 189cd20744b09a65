package store

import (
	"context"
	"database/sql"
	"errors"
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
const userColumns = "u.id, u.email, u.role, u.langs, u.ui_lang, u.created_at, u.disabled_at"

// userReturning is userColumns for a RETURNING clause, which names no table.
var userReturning = strings.ReplaceAll(userColumns, "u.", "")

func scanUser(row scanner, extra ...any) (tarjuma.User, error) {
	var u tarjuma.User
	var langs string
	var disabled sql.NullTime
	if err := row.Scan(append([]any{&u.ID, &u.Email, &u.Role, &langs, &u.UILang, &u.CreatedAt, &disabled}, extra...)...); err != nil {
		return tarjuma.User{}, err
	}
	u.Langs = splitLangs(langs)
	u.CreatedAt, u.DisabledAt = u.CreatedAt.UTC(), utcOrZero(disabled)
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
// tarjuma.ErrNotFound when there is none. The email stays out of the error: it gets logged. A
// disabled user is returned too, with DisabledAt set: refusing them is the caller's business,
// after the same password work as anyone else.
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

// ErrLastAdmin is DisableUser's refusal to disable the last enabled admin, which would leave
// nobody able to manage the desk from its pages or enable anyone again.
var ErrLastAdmin = fmt.Errorf("the last enabled admin cannot be disabled: %w", tarjuma.ErrConflict)

// DisableUser disables the user and, in the same transaction, deletes their sessions and API
// tokens, so that nothing they hold works from the next request on; enabling them later does
// not bring those back. Disabling a disabled user keeps the first DisabledAt. It returns the
// user as now stored; tarjuma.ErrNotFound when there is none, ErrLastAdmin when they are the
// only enabled admin.
//
// The enabled admins' rows are locked first, in id order (so two disablings cannot deadlock),
// and counted under the lock: two admins disabling each other at once leave one enabled, since
// the second sees the first's commit when its lock is granted.
func (db *DB) DisableUser(ctx context.Context, id int64) (tarjuma.User, error) {
	var u tarjuma.User
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		admins, err := queryAll(ctx, tx, func(row scanner) (int64, error) {
			var id int64
			return id, row.Scan(&id)
		}, `SELECT id FROM users WHERE role = $1 AND disabled_at IS NULL ORDER BY id`+db.dialect.forUpdate,
			tarjuma.RoleAdmin)
		if err != nil {
			return err
		}
		if len(admins) == 1 && admins[0] == id {
			return ErrLastAdmin
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET disabled_at = COALESCE(disabled_at, $2)
			WHERE id = $1 RETURNING `+userReturning, id, now()))
		if err != nil {
			return notFound(err, "user %d", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, id)
		return err
	})
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("store: disable user %d: %w", id, err)
	}
	return u, nil
}

// Users lists every user, disabled ones included, by email.
func (db *DB) Users(ctx context.Context) ([]tarjuma.User, error) {
	us, err := queryAll(ctx, db.read, func(row scanner) (tarjuma.User, error) { return scanUser(row) }, `SELECT `+userColumns+` FROM users u ORDER BY u.email`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return us, nil
}

// EnableUser lets a disabled user sign in again (enabling an enabled one changes nothing) and
// returns the user as now stored; tarjuma.ErrNotFound when there is none.
func (db *DB) EnableUser(ctx context.Context, id int64) (tarjuma.User, error) {
	u, err := scanUser(db.write.QueryRowContext(ctx, `UPDATE users SET disabled_at = NULL
		WHERE id = $1 RETURNING `+userReturning, id))
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("store: enable user %d: %w", id, notFound(err, "user %d", id))
	}
	return u, nil
}

// SetPasswordHash replaces the user's password hash and, in the same transaction, ends every
// session of theirs except keepSession (a session id as in its cookie; "" ends them all), so a
// changed password also shuts out whoever signed in with the old one. tarjuma.ErrNotFound when
// there is no such user.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash, keepSession string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("user %d: %w", userID, tarjuma.ErrNotFound))
		}
		_, err = deleteUserSessions(ctx, tx, userID, keepSession)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set password of user %d: %w", userID, err)
	}
	return nil
}

// lockEnabledUser locks the user's row for the rest of tx and checks they are enabled:
// tarjuma.ErrNotFound when there is no such user, tarjuma.ErrConflict when they are disabled.
// A transaction that gives a user a credential (a token, a session) takes it first, so a
// DisableUser running at the same time waits for it and deletes the new credential, or runs
// first and the credential is refused. Without the lock, PostgreSQL would let the insert
// commit after the disabling's delete ran, and EnableUser would revive it.
func (db *DB) lockEnabledUser(ctx context.Context, tx *sql.Tx, id int64) error {
	var disabled sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT disabled_at FROM users WHERE id = $1`+db.dialect.forUpdate, id).Scan(&disabled); err != nil {
		return notFound(err, "user %d", id)
	}
	if disabled.Valid {
		return fmt.Errorf("user %d is disabled: %w", id, tarjuma.ErrConflict)
	}
	return nil
}
