package store

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// The credential lifecycle of issue 11 at the store: token expiry, use and revocation, users
// disabled and enabled, passwords replaced, sessions ended.

func TestTokenExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		before := now()
		secret, tok, err := db.IssueToken(t.Context(), NewToken{Name: "feed reader", Role: tarjuma.RoleEditor, ExpiresIn: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresAt.Before(before.Add(time.Hour)) || tok.ExpiresAt.After(now().Add(time.Hour)) {
			t.Errorf("ExpiresAt %v, want an hour after %v", tok.ExpiresAt, before)
		}
		got, err := db.Token(t.Context(), tok.ID)
		if err != nil || !got.Token.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Errorf("Token = %+v, %v; want ExpiresAt %v", got, err, tok.ExpiresAt)
		}
		if _, err := db.LookupCaller(t.Context(), secret); err != nil {
			t.Fatalf("unexpired token refused: %v", err)
		}
		// Its hour is over: the next lookup refuses it, though it is still listed.
		if _, err := db.write.ExecContext(t.Context(), `UPDATE api_tokens SET expires_at = $1 WHERE id = $2`,
			now().Add(-time.Second), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupCaller(t.Context(), secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("expired token: %v, want ErrNotFound", err)
		}
		if all, err := db.Tokens(t.Context()); err != nil || len(all) != 1 || all[0].Token.ID != tok.ID {
			t.Errorf("Tokens = %+v, %v; want the expired token listed", all, err)
		}

		forever, tok, err := db.IssueToken(t.Context(), NewToken{Name: "bot", Role: tarjuma.RoleEditor})
		if err != nil || !tok.ExpiresAt.IsZero() {
			t.Fatalf("IssueToken without expiry = %+v, %v", tok, err)
		}
		if c, err := db.LookupCaller(t.Context(), forever); err != nil || !c.Token.ExpiresAt.IsZero() {
			t.Errorf("LookupCaller(no expiry) = %+v, %v", c, err)
		}
		if _, _, err := db.IssueToken(t.Context(), NewToken{Name: "x", Role: tarjuma.RoleEditor, ExpiresIn: -time.Second}); !errors.Is(err, tarjuma.ErrInvalid) {
			t.Errorf("negative expiry: %v, want ErrInvalid", err)
		}
	})
}

func TestTokenLastUsed(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		secret, tok, err := db.CreateToken(t.Context(), "plugin", tarjuma.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			c, err := db.Token(t.Context(), tok.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c.Token.LastUsedAt
		}
		if got := lastUsed(); !got.IsZero() {
			t.Fatalf("unused token has LastUsedAt %v", got)
		}
		before := now()
		c, err := db.LookupCaller(t.Context(), secret)
		if err != nil || !c.Token.LastUsedAt.IsZero() {
			t.Fatalf("first LookupCaller = %+v, %v; want LastUsedAt as before this request (zero)", c, err)
		}
		first := lastUsed()
		if first.Before(before) || first.After(now()) {
			t.Fatalf("LastUsedAt %v after a lookup at %v", first, before)
		}
		// Within the minute a lookup only reads.
		if c, err := db.LookupCaller(t.Context(), secret); err != nil || !c.Token.LastUsedAt.Equal(first) {
			t.Errorf("second LookupCaller = %+v, %v; want LastUsedAt %v", c, err, first)
		}
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("a lookup within the minute moved LastUsedAt from %v to %v", first, got)
		}
		// A minute on, the next lookup records itself.
		old := first.Add(-2 * time.Minute)
		if _, err := db.write.ExecContext(t.Context(), `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, old, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupCaller(t.Context(), secret); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.After(first) {
			t.Errorf("LastUsedAt %v after a lookup two minutes on; want later than %v", got, first)
		}
	})
}

func TestDeleteToken(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, "t@example.org", tarjuma.RoleTranslator, tarjuma.Tajik)
		mine, tok, err := db.CreateUserToken(t.Context(), "plugin", u)
		if err != nil {
			t.Fatal(err)
		}
		service, _, err := db.CreateToken(t.Context(), "wire", tarjuma.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		all, err := db.Tokens(t.Context())
		if err != nil || len(all) != 2 || all[0].User == nil || all[0].User.ID != u.ID || all[1].User != nil {
			t.Fatalf("Tokens = %+v, %v; want the user's token then the service token", all, err)
		}
		own, err := db.UserTokens(t.Context(), u.ID)
		if err != nil || len(own) != 1 || own[0].Token.ID != tok.ID || own[0].Token.Name != "plugin" {
			t.Errorf("UserTokens = %+v, %v; want only the plugin token", own, err)
		}
		if none, err := db.UserTokens(t.Context(), 0); err != nil || len(none) != 0 {
			t.Errorf("UserTokens(0) = %+v, %v; want none (tokens without a user belong to nobody)", none, err)
		}

		if err := db.DeleteToken(t.Context(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LookupCaller(t.Context(), mine); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("revoked token: %v, want ErrNotFound", err)
		}
		if _, err := db.LookupCaller(t.Context(), service); err != nil {
			t.Errorf("revoking one token refused another: %v", err)
		}
		for _, id := range []int64{tok.ID, tok.ID + 100} {
			if err := db.DeleteToken(t.Context(), id); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("DeleteToken(%d) = %v, want ErrNotFound", id, err)
			}
			if _, err := db.Token(t.Context(), id); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("Token(%d) = %v, want ErrNotFound", id, err)
			}
		}
	})
}

func TestDisableUser(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, "t@example.org", tarjuma.RoleTranslator, tarjuma.Tajik)
		other := testUser(t, db, "o@example.org", tarjuma.RoleEditor)
		at := time.Now()
		session, _, err := db.CreateSession(t.Context(), u.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		otherSession, _, err := db.CreateSession(t.Context(), other.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := db.CreateUserToken(t.Context(), "plugin", u)
		if err != nil {
			t.Fatal(err)
		}
		otherSecret, _, err := db.CreateUserToken(t.Context(), "plugin", other)
		if err != nil {
			t.Fatal(err)
		}

		before := now()
		d, err := db.DisableUser(t.Context(), u.ID)
		if err != nil || d.DisabledAt.Before(before) || d.Email != u.Email {
			t.Fatalf("DisableUser = %+v, %v", d, err)
		}
		if _, err := db.Session(t.Context(), session); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("disabled user's session: %v, want ErrNotFound", err)
		}
		if _, err := db.LookupCaller(t.Context(), secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("disabled user's token: %v, want ErrNotFound", err)
		}
		if _, err := db.Session(t.Context(), otherSession); err != nil {
			t.Errorf("another user's session ended: %v", err)
		}
		if _, err := db.LookupCaller(t.Context(), otherSecret); err != nil {
			t.Errorf("another user's token refused: %v", err)
		}
		if got, err := db.User(t.Context(), u.ID); err != nil || !got.DisabledAt.Equal(d.DisabledAt) {
			t.Errorf("User = %+v, %v; want DisabledAt %v", got, err, d.DisabledAt)
		}
		if got, _, err := db.UserCredentials(t.Context(), u.Email); err != nil || got.DisabledAt.IsZero() {
			t.Errorf("UserCredentials = %+v, %v; want the user with DisabledAt, for LogIn to refuse", got, err)
		}
		if again, err := db.DisableUser(t.Context(), u.ID); err != nil || !again.DisabledAt.Equal(d.DisabledAt) {
			t.Errorf("disabling twice = %+v, %v; want the first DisabledAt %v", again, err, d.DisabledAt)
		}
		if _, _, err := db.CreateUserToken(t.Context(), "new", u); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("token for a disabled user: %v, want ErrConflict", err)
		}
		if _, _, err := db.CreateSession(t.Context(), u.ID, at); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("session for a disabled user: %v, want ErrConflict", err)
		}
		// A session whose row outlived the disabling (as the store never leaves one) is still
		// refused by the lookup.
		if _, err := db.write.ExecContext(t.Context(), `UPDATE sessions SET user_id = $1 WHERE id_hash = $2`,
			u.ID, tokenHash(otherSession)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(t.Context(), otherSession); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("session of a disabled user: %v, want ErrNotFound", err)
		}

		e, err := db.EnableUser(t.Context(), u.ID)
		if err != nil || !e.DisabledAt.IsZero() {
			t.Fatalf("EnableUser = %+v, %v", e, err)
		}
		// Enabling brings back no credential the disabling ended.
		if _, err := db.LookupCaller(t.Context(), secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("token revived by EnableUser: %v", err)
		}
		if _, err := db.Session(t.Context(), session); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("session revived by EnableUser: %v", err)
		}
		if fresh, _, err := db.CreateUserToken(t.Context(), "new", u); err != nil {
			t.Errorf("token for the enabled user: %v", err)
		} else if _, err := db.LookupCaller(t.Context(), fresh); err != nil {
			t.Errorf("enabled user's new token refused: %v", err)
		}

		for name, f := range map[string]func() error{
			"DisableUser": func() error { _, err := db.DisableUser(t.Context(), u.ID+100); return err },
			"EnableUser":  func() error { _, err := db.EnableUser(t.Context(), u.ID+100); return err },
			"CreateUserToken": func() error {
				_, _, err := db.IssueToken(t.Context(), NewToken{Name: "x", Role: tarjuma.RoleEditor, UserID: u.ID + 100})
				return err
			},
			"SetPasswordHash": func() error { return db.SetPasswordHash(t.Context(), u.ID+100, "x", "") },
		} {
			if err := f(); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("%s(unknown user) = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestUserSessionsEnd(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, "r@example.org", tarjuma.RoleReviewer)
		other := testUser(t, db, "o@example.org", tarjuma.RoleEditor)
		at := time.Now()
		newSession := func(userID int64) string {
			t.Helper()
			id, _, err := db.CreateSession(t.Context(), userID, at)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		live := func(id string) bool {
			t.Helper()
			_, err := db.Session(t.Context(), id)
			if err != nil && !errors.Is(err, tarjuma.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}
		laptop, phone, desk, others := newSession(u.ID), newSession(u.ID), newSession(u.ID), newSession(other.ID)

		// A password change keeps the session it was made from and ends the rest.
		if err := db.SetPasswordHash(t.Context(), u.ID, "$argon2id$new", laptop); err != nil {
			t.Fatal(err)
		}
		if _, hash, _ := db.UserCredentials(t.Context(), u.Email); hash != "$argon2id$new" {
			t.Errorf("hash %q after SetPasswordHash", hash)
		}
		if !live(laptop) || live(phone) || live(desk) || !live(others) {
			t.Errorf("after SetPasswordHash keeping laptop: laptop %v, phone %v, desk %v, other user %v; want true false false true",
				live(laptop), live(phone), live(desk), live(others))
		}

		phone = newSession(u.ID)
		n, err := db.DeleteUserSessions(t.Context(), u.ID, "")
		if err != nil || n != 2 {
			t.Errorf("DeleteUserSessions = %d, %v; want 2", n, err)
		}
		if live(laptop) || live(phone) || !live(others) {
			t.Errorf("after DeleteUserSessions: laptop %v, phone %v, other user %v", live(laptop), live(phone), live(others))
		}
		if n, err := db.DeleteUserSessions(t.Context(), u.ID, ""); err != nil || n != 0 {
			t.Errorf("DeleteUserSessions again = %d, %v; want 0", n, err)
		}
	})
}

func TestDeleteSubscriberErasesSecrets(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		s, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: "https://example.org/hook", Langs: []tarjuma.Lang{tarjuma.Russian},
			Secret: "whsec_old", CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RotateSubscriberSecret(t.Context(), s.ID, "whsec_new", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSubscriber(t.Context(), s.ID); err != nil {
			t.Fatal(err)
		}
		var secret, previous string
		var until sql.NullTime
		if err := db.read.QueryRowContext(t.Context(), `SELECT secret, previous_secret, previous_until FROM subscribers WHERE id = $1`,
			s.ID).Scan(&secret, &previous, &until); err != nil {
			t.Fatal(err)
		}
		if secret != "" || previous != "" || until.Valid {
			t.Errorf("deleted subscriber kept secret %q, previous %q until %v", secret, previous, until)
		}
	})
}

// TestDisableUserRacesNewCredentials: a token issued or a session created while its user is
// being disabled is either deleted by the disabling or refused, never left behind for
// EnableUser to revive. Without lockEnabledUser, PostgreSQL lets the insert commit after the
// disabling's delete has run.
func TestDisableUserRacesNewCredentials(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		for round := range 20 {
			u := testUser(t, db, fmt.Sprintf("u%d@example.org", round), tarjuma.RoleEditor)
			start := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 7)
			for range 4 {
				wg.Go(func() {
					<-start
					_, _, err := db.IssueToken(t.Context(), NewToken{Name: "racer", Role: u.Role, UserID: u.ID})
					if err != nil && !errors.Is(err, tarjuma.ErrConflict) {
						errs <- err
					}
				})
			}
			for range 2 {
				wg.Go(func() {
					<-start
					_, _, err := db.CreateSession(t.Context(), u.ID, time.Now())
					if err != nil && !errors.Is(err, tarjuma.ErrConflict) {
						errs <- err
					}
				})
			}
			wg.Go(func() {
				<-start
				if _, err := db.DisableUser(t.Context(), u.ID); err != nil {
					errs <- err
				}
			})
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if left, err := db.UserTokens(t.Context(), u.ID); err != nil || len(left) != 0 {
				t.Fatalf("round %d: %d tokens of a disabled user left (%v)", round, len(left), err)
			}
			var sessions int
			if err := db.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&sessions); err != nil || sessions != 0 {
				t.Fatalf("round %d: %d sessions of a disabled user left (%v)", round, sessions, err)
			}
		}
	})
}

// TestDisableLastAdmin: the last enabled admin cannot be disabled, and two admins disabling
// each other at once leave one of them enabled (without the lock on the admins' rows,
// PostgreSQL lets each transaction count the other's row as still enabled and both commit).
func TestDisableLastAdmin(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		a := testUser(t, db, "a@example.org", tarjuma.RoleAdmin)
		b := testUser(t, db, "b@example.org", tarjuma.RoleAdmin)
		editor := testUser(t, db, "e@example.org", tarjuma.RoleEditor)
		if _, err := db.DisableUser(t.Context(), editor.ID); err != nil {
			t.Fatalf("disable an editor: %v", err)
		}
		if _, err := db.DisableUser(t.Context(), a.ID); err != nil {
			t.Fatalf("disable one of two admins: %v", err)
		}
		if _, err := db.DisableUser(t.Context(), b.ID); !errors.Is(err, ErrLastAdmin) || !errors.Is(err, tarjuma.ErrConflict) {
			t.Fatalf("disable the last admin: %v, want ErrLastAdmin, a conflict", err)
		}
		if got, _ := db.User(t.Context(), b.ID); !got.DisabledAt.IsZero() {
			t.Error("the refused disabling disabled the last admin")
		}
		if again, err := db.DisableUser(t.Context(), a.ID); err != nil || again.DisabledAt.IsZero() {
			t.Errorf("disabling a disabled admin again = %+v, %v; want no refusal", again, err)
		}
		users, err := db.Users(t.Context())
		if err != nil || len(users) != 3 || users[0].Email != "a@example.org" || users[0].DisabledAt.IsZero() || users[2].Email != "e@example.org" {
			t.Errorf("Users = %+v, %v; want the three by email, disabled ones included", users, err)
		}

		for round := range 10 {
			for _, id := range []int64{a.ID, b.ID} {
				if _, err := db.EnableUser(t.Context(), id); err != nil {
					t.Fatal(err)
				}
			}
			start := make(chan struct{})
			errs := make(chan error, 2)
			for _, id := range []int64{a.ID, b.ID} {
				go func() {
					<-start
					_, err := db.DisableUser(t.Context(), id)
					errs <- err
				}()
			}
			close(start)
			refused := 0
			for range 2 {
				switch err := <-errs; {
				case errors.Is(err, ErrLastAdmin):
					refused++
				case err != nil:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if refused != 1 {
				t.Fatalf("round %d: %d of two concurrent disablings refused, want 1", round, refused)
			}
		}
	})
}
