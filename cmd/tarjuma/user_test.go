package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/store"
)

func TestUserAddCLI(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	vars := env{"TARJUMA_DATABASE_URL": dbURL}
	userAdd := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"user", "add"}, args...), vars.get, strings.NewReader(stdin), &out)
		return out.String(), err
	}
	out, err := userAdd("пароли-хеле-дароз\r\nignored second line", "--email", "Firuz@Example.org", "--role", "translator", "--langs", "tg, ru")
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("printed %q, want the user's id", out)
	}
	db, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, hash, err := db.UserCredentials(t.Context(), "firuz@example.org")
	if err != nil || u.ID != id || u.Role != tarjuma.RoleTranslator || len(u.Langs) != 2 {
		t.Fatalf("stored %+v, %v", u, err)
	}
	if ok, _ := auth.VerifyPassword(hash, "пароли-хеле-дароз"); !ok {
		t.Error("the password from stdin's first line does not verify")
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"duplicate", "another-long-password", []string{"--email", "FIRUZ@example.org", "--role", "editor"}, "already has an account"},
		{"no password", "", []string{"--email", "x@example.org", "--role", "editor"}, "no password"},
		{"weak password", "short\n", []string{"--email", "x@example.org", "--role", "editor"}, "at least 10"},
		{"translator without langs", "long-enough-password", []string{"--email", "x@example.org", "--role", "translator"}, "at least one language"},
		{"no role", "long-enough-password", []string{"--email", "x@example.org"}, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := userAdd(tc.stdin, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := db.UserByEmail(t.Context(), "x@example.org"); !errors.Is(err, tarjuma.ErrNotFound) {
		t.Errorf("a refused user add stored a user: %v", err)
	}
}

// cli runs tarjuma commands against one SQLite database and opens it for the test to look at.
type cli struct {
	vars env
	db   *store.DB
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	c := &cli{vars: env{"TARJUMA_DATABASE_URL": dbURL}}
	if _, err := c.run("", "migrate"); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.db = db
	return c
}

func (c *cli) run(stdin string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, c.vars.get, strings.NewReader(stdin), &out)
	return out.String(), err
}

// addUser makes a translator through the CLI, with one session and one token of theirs.
func (c *cli) addUser(t *testing.T, email string) (u tarjuma.User, session, token string) {
	t.Helper()
	if _, err := c.run("long-enough-password", "user", "add", "--email", email, "--role", "translator", "--langs", "tg"); err != nil {
		t.Fatal(err)
	}
	u, err := c.db.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	if session, _, err = c.db.CreateSession(t.Context(), u.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if token, _, err = c.db.CreateUserToken(t.Context(), "plugin", u); err != nil {
		t.Fatal(err)
	}
	return u, session, token
}

func TestUserAccountCLI(t *testing.T) {
	c := newCLI(t)
	u, session, token := c.addUser(t, "firuz@example.org")
	_, otherSession, otherToken := c.addUser(t, "nargis@example.org")
	sessionLive := func(id string) bool {
		t.Helper()
		_, err := c.db.Session(t.Context(), id)
		if err != nil && !errors.Is(err, tarjuma.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	out, err := c.run("рамзи-нав-барои-фируз\n", "user", "password", "FIRUZ@example.org")
	if err != nil || !strings.Contains(out, "new password") {
		t.Fatalf("user password = %q, %v", out, err)
	}
	if _, hash, _ := c.db.UserCredentials(t.Context(), u.Email); !verifies(hash, "рамзи-нав-барои-фируз") {
		t.Error("the password from stdin does not verify")
	}
	if sessionLive(session) || !sessionLive(otherSession) {
		t.Errorf("after user password: own session live %v, other user's %v; want false, true", sessionLive(session), sessionLive(otherSession))
	}

	session, _, _ = c.db.CreateSession(t.Context(), u.ID, time.Now())
	if out, err := c.run("", "user", "disable", u.Email); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("user disable = %q, %v", out, err)
	}
	if _, err := c.db.LookupCaller(t.Context(), token); !errors.Is(err, tarjuma.ErrNotFound) {
		t.Errorf("disabled user's token: %v, want ErrNotFound", err)
	}
	if sessionLive(session) {
		t.Error("disabled user's session is live")
	}
	if _, err := c.db.LookupCaller(t.Context(), otherToken); err != nil {
		t.Errorf("another user's token refused: %v", err)
	}
	if got, _ := c.db.User(t.Context(), u.ID); got.DisabledAt.IsZero() {
		t.Error("user disable stored no DisabledAt")
	}
	if out, err := c.run("", "user", "enable", u.Email); err != nil || !strings.Contains(out, "enabled") {
		t.Fatalf("user enable = %q, %v", out, err)
	}
	if got, _ := c.db.User(t.Context(), u.ID); !got.DisabledAt.IsZero() {
		t.Error("user enable left DisabledAt")
	}

	first, _, _ := c.db.CreateSession(t.Context(), u.ID, time.Now())
	second, _, _ := c.db.CreateSession(t.Context(), u.ID, time.Now())
	if out, err := c.run("", "user", "signout", u.Email); err != nil || !strings.Contains(out, "signed out of 2 sessions") {
		t.Errorf("user signout = %q, %v; want 2 sessions", out, err)
	}
	if sessionLive(first) || sessionLive(second) || !sessionLive(otherSession) {
		t.Error("user signout left a session of theirs or ended another user's")
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"unknown user", "", []string{"user", "disable", "ghost@example.org"}, "no user ghost@example.org"},
		{"unknown user's password", "long-enough-password", []string{"user", "password", "ghost@example.org"}, "no user"},
		{"no password", "", []string{"user", "password", u.Email}, "no password"},
		{"weak password", "short\n", []string{"user", "password", u.Email}, "at least 10"},
		{"no email", "", []string{"user", "enable"}, "usage"},
		{"two emails", "", []string{"user", "signout", u.Email, "nargis@example.org"}, "usage"},
		{"unknown subcommand", "", []string{"user", "delete", u.Email}, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.run(tc.stdin, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, hash, _ := c.db.UserCredentials(t.Context(), u.Email); !verifies(hash, "рамзи-нав-барои-фируз") {
		t.Error("a refused user password changed the password")
	}
}

func verifies(hash, password string) bool {
	ok, err := auth.VerifyPassword(hash, password)
	return ok && err == nil
}

func TestTokenCLI(t *testing.T) {
	c := newCLI(t)
	u, _, _ := c.addUser(t, "firuz@example.org")
	before := time.Now()
	out, err := c.run("", "token", "create", "--name", "wire desk", "--role", "editor", "--expires-in", "720h")
	if err != nil {
		t.Fatal(err)
	}
	wire := strings.TrimSpace(out)
	caller, err := c.db.LookupCaller(t.Context(), wire)
	if err != nil || caller.Token.Role != tarjuma.RoleEditor || caller.User != nil {
		t.Fatalf("LookupCaller(wire) = %+v, %v", caller, err)
	}
	if exp := caller.Token.ExpiresAt; exp.Before(before.Add(720*time.Hour)) || exp.After(time.Now().Add(720*time.Hour)) {
		t.Errorf("expires %v, want 720h after %v", exp, before)
	}
	out, err = c.run("", "token", "create", "--name", "firuz's plugin", "--user", "Firuz@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	plugin := strings.TrimSpace(out)
	if caller, err := c.db.LookupCaller(t.Context(), plugin); err != nil || caller.User == nil || caller.User.ID != u.ID || !caller.Token.ExpiresAt.IsZero() {
		t.Fatalf("LookupCaller(plugin) = %+v, %v; want firuz's token without expiry", caller, err)
	}

	out, err = c.run("", "token", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// The addUser token, then the two made here.
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "LAST USED") {
		t.Fatalf("token list:\n%s\nwant a header and 3 tokens", out)
	}
	if !strings.Contains(lines[2], "wire desk") || !strings.Contains(lines[2], "editor") || !strings.Contains(lines[2], caller.Token.ExpiresAt.UTC().Format(time.RFC3339)) {
		t.Errorf("wire desk line %q: want its name, role and expiry", lines[2])
	}
	if !strings.Contains(lines[3], "firuz's plugin") || !strings.Contains(lines[3], "firuz@example.org") || !strings.Contains(lines[3], "translator") {
		t.Errorf("plugin line %q: want its name, user and the user's role", lines[3])
	}
	for _, secret := range []string{wire, plugin} {
		if strings.Contains(out, secret) || strings.Contains(out, secret[3:13]) {
			t.Error("token list shows a secret")
		}
	}

	id := strings.Fields(lines[2])[0]
	if out, err := c.run("", "token", "revoke", id); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke = %q, %v", out, err)
	}
	if _, err := c.db.LookupCaller(t.Context(), wire); !errors.Is(err, tarjuma.ErrNotFound) {
		t.Errorf("revoked token: %v, want ErrNotFound", err)
	}
	if _, err := c.db.LookupCaller(t.Context(), plugin); err != nil {
		t.Errorf("revoking one token refused another: %v", err)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"revoked twice", []string{"token", "revoke", id}, "no token " + id},
		{"bad id", []string{"token", "revoke", "1x"}, "not a token id"},
		{"zero id", []string{"token", "revoke", "0"}, "not a token id"},
		{"no id", []string{"token", "revoke"}, "usage"},
		{"no role or user", []string{"token", "create", "--name", "x"}, "usage"},
		{"no name", []string{"token", "create", "--role", "editor"}, "usage"},
		{"unknown user", []string{"token", "create", "--name", "x", "--user", "ghost@example.org"}, "no user ghost@example.org"},
		{"negative expiry", []string{"token", "create", "--name", "x", "--role", "editor", "--expires-in", "-1h"}, "expiry must be"},
		{"bad role", []string{"token", "create", "--name", "x", "--role", "root"}, "role"},
		{"list takes nothing", []string{"token", "list", "--all"}, "usage"},
		{"unknown subcommand", []string{"token", "rotate"}, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.run("", tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if all, _ := c.db.Tokens(t.Context()); len(all) != 2 {
		t.Errorf("%d tokens after the refusals, want 2", len(all))
	}
}
