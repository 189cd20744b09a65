package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
