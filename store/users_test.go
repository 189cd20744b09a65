package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

func testUser(t *testing.T, db *DB, email string, role tarjuma.Role, langs ...tarjuma.Lang) tarjuma.User {
	t.Helper()
	u, err := db.CreateUser(t.Context(), NewUser{Email: email, PasswordHash: "$argon2id$test", Role: role, Langs: langs})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsers(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, " Nargis@Example.org", tarjuma.RoleTranslator, tarjuma.Tajik, tarjuma.Russian)
		if u.ID == 0 || u.Email != "nargis@example.org" {
			t.Errorf("created %+v, want an id and the lower-cased email", u)
		}
		if _, err := db.CreateUser(t.Context(), NewUser{Email: "NARGIS@example.org", PasswordHash: "x", Role: tarjuma.RoleEditor}); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("duplicate email: %v, want ErrConflict", err)
		}
		got, err := db.User(t.Context(), u.ID)
		if err != nil || got.Email != u.Email || got.Role != u.Role || len(got.Langs) != 2 || got.Langs[1] != tarjuma.Russian || !got.CreatedAt.Equal(u.CreatedAt) {
			t.Errorf("User = %+v, %v; want %+v", got, err, u)
		}
		byEmail, hash, err := db.UserCredentials(t.Context(), "NARGIS@EXAMPLE.ORG")
		if err != nil || byEmail.ID != u.ID || hash != "$argon2id$test" {
			t.Errorf("UserCredentials = %+v, %q, %v", byEmail, hash, err)
		}
		if _, err := db.UserByEmail(t.Context(), "nobody@example.org"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("UserByEmail(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := db.User(t.Context(), u.ID+100); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("User(unknown) = %v, want ErrNotFound", err)
		}
		if err := db.SetUILang(t.Context(), u.ID, "ar"); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.User(t.Context(), u.ID); got.UILang != "ar" {
			t.Errorf("UILang %q after SetUILang(ar)", got.UILang)
		}
		if err := db.SetUILang(t.Context(), u.ID+100, "ar"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("SetUILang(unknown) = %v, want ErrNotFound", err)
		}
		if editor := testUser(t, db, "e@example.org", tarjuma.RoleEditor); editor.Langs != nil {
			t.Errorf("user without languages has %v", editor.Langs)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, "r@example.org", tarjuma.RoleReviewer)
		at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
		id, s, err := db.CreateSession(t.Context(), u.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		id2, s2, err := db.CreateSession(t.Context(), u.ID, at)
		if err != nil || id2 == id || s2.CSRFToken == s.CSRFToken || len(s.CSRFToken) != 43 {
			t.Errorf("two sessions share an id or CSRF token, or the token is not 256 bits: %q %q", s.CSRFToken, s2.CSRFToken)
		}
		got, err := db.Session(t.Context(), id)
		if err != nil || got.User.ID != u.ID || got.CSRFToken != s.CSRFToken || !got.CreatedAt.Equal(at.Truncate(time.Microsecond)) || !got.LastSeenAt.Equal(got.CreatedAt) {
			t.Errorf("Session = %+v, %v; want %+v", got, err, s)
		}
		// Only the hash is stored: the id itself is nowhere in the table.
		var stored int
		if err := db.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sessions WHERE id_hash = $1`, id).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the raw session id is stored (%d rows, %v)", stored, err)
		}
		later := at.Add(time.Hour)
		if err := db.TouchSession(t.Context(), id, later); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Session(t.Context(), id); !got.LastSeenAt.Equal(later.Truncate(time.Microsecond)) {
			t.Errorf("LastSeenAt %v after touch, want %v", got.LastSeenAt, later)
		}
		// id was touched an hour later, id2 was not: an idle cut-off between removes id2 only.
		n, err := db.DeleteExpiredSessions(t.Context(), at.Add(time.Minute), at.Add(-time.Hour))
		if err != nil || n != 1 {
			t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		if _, err := db.Session(t.Context(), id2); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("idle session survived: %v", err)
		}
		if n, _ := db.DeleteExpiredSessions(t.Context(), at, at.Add(time.Second)); n != 1 {
			t.Errorf("absolute cut-off removed %d sessions, want 1", n)
		}
		id, _, _ = db.CreateSession(t.Context(), u.ID, at)
		for range 2 { // logging out twice is fine
			if err := db.DeleteSession(t.Context(), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Session(t.Context(), id); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("deleted session: %v", err)
		}
		if _, _, err := db.CreateSession(t.Context(), u.ID+100, at); err == nil {
			t.Error("session for an unknown user was created")
		}
	})
}

func TestUserTokens(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		u := testUser(t, db, "t@example.org", tarjuma.RoleTranslator, tarjuma.English)
		secret, tok, err := db.CreateUserToken(t.Context(), "t's editor plugin", u)
		if err != nil || tok.Role != tarjuma.RoleTranslator || !strings.HasPrefix(secret, "tj_") {
			t.Fatalf("CreateUserToken = %q, %+v, %v", secret, tok, err)
		}
		c, err := db.LookupCaller(t.Context(), secret)
		if err != nil || c.User == nil || c.User.ID != u.ID || c.User.Langs[0] != tarjuma.English || c.Token.ID != tok.ID {
			t.Fatalf("LookupCaller = %+v, %v", c, err)
		}
		// The user's role is read at each lookup: a promotion reaches their tokens at once.
		if _, err := db.write.ExecContext(t.Context(), `UPDATE users SET role = 'reviewer' WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		if tok, _ := db.LookupToken(t.Context(), secret); tok.Role != tarjuma.RoleReviewer {
			t.Errorf("token role %s after the user became a reviewer", tok.Role)
		}
		plain, _, _ := db.CreateToken(t.Context(), "bot", tarjuma.RoleEditor)
		if c, err := db.LookupCaller(t.Context(), plain); err != nil || c.User != nil || c.Token.Role != tarjuma.RoleEditor {
			t.Errorf("LookupCaller(plain token) = %+v, %v; want no user", c, err)
		}
	})
}
