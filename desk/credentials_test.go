package desk

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/store"
)

func TestLifetime(t *testing.T) {
	max := int64(auth.MaxTokenLifetime / time.Second)
	for _, tc := range []struct {
		seconds int64
		want    time.Duration
	}{
		{0, 0}, {60, time.Minute}, {max, auth.MaxTokenLifetime},
		// Out of range: a negative duration, which auth refuses; never an overflow.
		{-1, -1}, {max + 1, -1}, {1 << 62, -1},
	} {
		if got := lifetime(tc.seconds); got != tc.want {
			t.Errorf("lifetime(%d) = %v, want %v", tc.seconds, got, tc.want)
		}
	}
}

// TestCredentialRules: who may act on whose credentials. A refusal for someone else's account
// comes before the account is looked up, so it says nothing about which ids exist.
func TestCredentialRules(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite:"+t.TempDir()+"/desk.db")
	d := New(Config{DB: db})
	mk := func(email string, role tarjuma.Role) tarjuma.User {
		u, err := db.CreateUser(ctx, store.NewUser{Email: email, PasswordHash: "unused", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ed, other := mk("ed@example.org", tarjuma.RoleEditor), mk("other@example.org", tarjuma.RoleEditor)
	editor := Actor{User: ed, Name: ed.Email}
	service := Actor{User: tarjuma.User{Role: tarjuma.RoleEditor}, Name: "bot"}
	admin := Actor{User: tarjuma.User{Role: tarjuma.RoleAdmin}, Name: "dev"}
	code := func(err error) string {
		var de *Error
		if errors.As(err, &de) {
			return de.Code
		}
		return ""
	}
	r := httptest.NewRequest("POST", "/", nil)

	for name, err := range map[string]error{
		"another's password":         d.SetPassword(r, editor, other.ID, "", "long-enough-password"),
		"a missing user's password":  d.SetPassword(r, editor, 9999, "", "long-enough-password"),
		"a service token's password": d.SetPassword(r, service, other.ID, "", "long-enough-password"),
		"disable":                    func() error { _, err := d.DisableUser(ctx, editor, other.ID); return err }(),
		"enable":                     func() error { _, err := d.EnableUser(ctx, editor, other.ID); return err }(),
		"create a token":             func() error { _, _, err := d.CreateToken(ctx, editor, NewToken{Name: "x", Role: "editor"}); return err }(),
		"sign out another by id":     func() error { _, err := d.RevokeSessions(ctx, editor, &UserRef{ID: other.ID}); return err }(),
		"sign out a missing user": func() error {
			_, err := d.RevokeSessions(ctx, editor, &UserRef{Email: "ghost@example.org"})
			return err
		}(),
		"a service token names a user": func() error { _, err := d.RevokeSessions(ctx, service, &UserRef{ID: 0}); return err }(),
	} {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want forbidden", name, err)
		}
	}
	if err := d.SetPassword(r, editor, ed.ID, "", "long-enough-password"); code(err) != "empty_field" {
		t.Errorf("own password without the current one: %v, want empty_field", err)
	}
	// Without the limiter's Redis the current password cannot be checked: unavailable, never
	// an unthrottled guess.
	if err := d.SetPassword(r, editor, ed.ID, "whatever-it-is", "long-enough-password"); !errors.Is(err, tarjuma.ErrUnavailable) {
		t.Errorf("own password without the limiter: %v, want ErrUnavailable", err)
	}
	if err := d.SetPassword(r, admin, 9999, "", "long-enough-password"); !errors.Is(err, tarjuma.ErrNotFound) {
		t.Errorf("admin resets a missing user: %v, want ErrNotFound", err)
	}
	for _, ref := range []*UserRef{nil, {ID: ed.ID}, {Email: " ED@Example.org"}} {
		if _, err := d.RevokeSessions(ctx, editor, ref); err != nil {
			t.Errorf("sign oneself out (%+v): %v", ref, err)
		}
	}
	if _, err := d.RevokeSessions(ctx, service, nil); code(err) != "empty_field" {
		t.Errorf("a service token signs itself out: %v, want empty_field", err)
	}
	if _, err := d.RevokeSessions(ctx, admin, &UserRef{ID: 9999}); code(err) != "unknown_user" {
		t.Errorf("admin signs out a missing user: %v, want unknown_user", err)
	}
	if _, _, err := d.CreateToken(ctx, admin, NewToken{Name: "x\x00", Role: "editor"}); code(err) != "invalid_text" || !errors.Is(err, ErrMalformed) {
		t.Errorf("a NUL in a token's name: %v, want invalid_text, malformed", err)
	}
	if _, _, err := d.CreateToken(ctx, admin, NewToken{Name: "x", Role: "editor", ExpiresIn: 1 << 62}); code(err) != "invalid_expiry" {
		t.Errorf("an expiry past any duration: %v, want invalid_expiry", err)
	}
}
