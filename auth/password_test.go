package auth

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestPasswordHash(t *testing.T) {
	const pw = "كلمة-سر-طويلة"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	// OWASP's argon2id minimum, a 16-byte salt and a 32-byte key, in PHC form.
	prefix := fmt.Sprintf("$argon2id$v=19$m=%d,t=2,p=1$", 19*1024)
	if !strings.HasPrefix(hash, prefix) {
		t.Errorf("hash %q, want prefix %q", hash, prefix)
	}
	if parts := strings.Split(hash, "$"); len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("hash %q: want a 16-byte salt and a 32-byte key in unpadded base64", hash)
	}
	if again, _ := HashPassword(pw); again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		password string
		want     bool
	}{
		{pw, true},
		{pw + " ", false},
		{pw[:len(pw)-2], false},
		{"", false},
		{strings.Repeat("x", MaxPasswordBytes+1), false},
	} {
		got, err := VerifyPassword(hash, tc.password)
		if err != nil || got != tc.want {
			t.Errorf("VerifyPassword(%.20q) = %v, %v; want %v", tc.password, got, err, tc.want)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	for _, tc := range []struct {
		password string
		ok       bool
	}{
		{"123456789", false},
		{"1234567890", true},
		{"пароль-ок!", true}, // 10 characters, 18 bytes
		{"пароль", false},    // 12 bytes but 6 characters
		{strings.Repeat("a", MaxPasswordBytes), true},
		{strings.Repeat("a", MaxPasswordBytes+1), false},
		{"\xff\xfe234567890", false},
	} {
		_, err := HashPassword(tc.password)
		var fe *FieldError
		if tc.ok != (err == nil) || (err != nil && (!errors.As(err, &fe) || fe.Code != "weak_password" || !errors.Is(err, tarjuma.ErrInvalid))) {
			t.Errorf("HashPassword(%.20q): err = %v, want ok %v (else a weak_password FieldError)", tc.password, err, tc.ok)
		}
	}
}

func TestVerifyPasswordCorruptHash(t *testing.T) {
	for _, bad := range []string{"", "plain", "$2a$10$bcrypt", "$argon2id$v=19$m=19456,t=2,p=1$!!$!!", "$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=19456,t=0,p=1$c2FsdA$a2V5"} {
		if _, err := VerifyPassword(bad, "1234567890"); !errors.Is(err, errBadHash) {
			t.Errorf("VerifyPassword(%q): err = %v, want errBadHash", bad, err)
		}
	}
}
