package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Session is a signed-in browser: its user (as stored now, so a role change applies at once),
// the CSRF token its forms carry, and the times the timeouts are measured from.
type Session struct {
	User       tarjuma.User
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// randomString is n random bytes in base64url, for session ids and CSRF tokens.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession signs userID in at time at: it returns the session id for the cookie (128
// random bits, of which only the SHA-256 is stored, like API tokens) and the session with its
// own random CSRF token. The caller passes the time so that timeouts can be tested with a clock.
// tarjuma.ErrNotFound when there is no such user, tarjuma.ErrConflict when they are disabled
// (see lockEnabledUser).
func (db *DB) CreateSession(ctx context.Context, userID int64, at time.Time) (string, Session, error) {
	id := randomString(16)
	s := Session{CSRFToken: randomString(32), CreatedAt: dbTime(at), LastSeenAt: dbTime(at)}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockEnabledUser(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $4)`, tokenHash(id), userID, s.CSRFToken, s.CreatedAt)
		return err
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("store: create session for user %d: %w", userID, err)
	}
	if s.User, err = db.User(ctx, userID); err != nil {
		return "", Session{}, err
	}
	return id, s, nil
}

// Session returns the session with this id and its user, or tarjuma.ErrNotFound; a disabled
// user's session is not found either, even in the instant before DisableUser deletes it.
// Whether it has timed out is the caller's decision.
func (db *DB) Session(ctx context.Context, id string) (Session, error) {
	var s Session
	var err error
	s.User, err = scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.csrf_token, s.created_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.disabled_at IS NULL`, tokenHash(id)),
		&s.CSRFToken, &s.CreatedAt, &s.LastSeenAt)
	if err != nil {
		// The id stays out of the message: errors get logged.
		return Session{}, fmt.Errorf("store: %w", notFound(err, "session"))
	}
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	return s, nil
}

// TouchSession moves the session's last activity to at, restarting its idle timeout.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`,
		dbTime(at), tokenHash(id)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession signs a session out; deleting one that is gone is not an error, so logging out
// twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, tokenHash(id)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions signs the user out everywhere: it deletes all their sessions but keep (a
// session id as in its cookie, "" for none), and returns how many it deleted.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, keep string) (int64, error) {
	n, err := deleteUserSessions(ctx, db.write, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return n, nil
}

func deleteUserSessions(ctx context.Context, q querier, userID int64, keep string) (int64, error) {
	keepHash := ""
	if keep != "" {
		keepHash = tokenHash(keep)
	}
	res, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, keepHash)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or created before
// createdBefore, and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`,
		dbTime(idleBefore), dbTime(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// dbTime is t as the database keeps it, like now().
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
