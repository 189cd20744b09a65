package publish

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

func TestSealer(t *testing.T) {
	key := NewKey()
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 32 {
		t.Fatalf("NewKey = %q: want base64 of 32 bytes", key)
	}
	s, err := ParseKey(key + "\n") // as read from a key file
	if err != nil {
		t.Fatal(err)
	}
	token := []byte(`{"bot_token":"123456:ABC-секрет-ҳ"}`)
	blob, err := s.Seal(KindTelegram, token)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("ABC")) {
		t.Error("the sealed blob holds the plaintext")
	}
	if again, _ := s.Seal(KindTelegram, token); bytes.Equal(again, blob) {
		t.Error("two seals of one plaintext are equal: the nonce is not fresh")
	}
	if got, err := s.Open(KindTelegram, blob); err != nil || !bytes.Equal(got, token) {
		t.Errorf("Open = %q, %v; want the plaintext byte for byte", got, err)
	}

	other, _ := ParseKey(NewKey())
	if _, err := other.Open(KindTelegram, blob); !errors.Is(err, ErrWrongKey) {
		t.Errorf("open with another key: %v, want ErrWrongKey", err)
	}
	if _, err := s.Open(KindWordPress, blob); !errors.Is(err, ErrTampered) {
		t.Errorf("open as another kind: %v, want ErrTampered", err)
	}
	for i := range blob {
		if i >= 1 && i < 1+keyIDLen {
			continue // the fingerprint: another key, tested above
		}
		bad := bytes.Clone(blob)
		bad[i] ^= 0x01
		if _, err := s.Open(KindTelegram, bad); !errors.Is(err, ErrTampered) {
			t.Fatalf("byte %d flipped: %v, want ErrTampered", i, err)
		}
	}
	if _, err := s.Open(KindTelegram, blob[:len(blob)-1]); !errors.Is(err, ErrTampered) {
		t.Errorf("truncated: %v, want ErrTampered", err)
	}

	var none *Sealer
	if _, err := none.Seal(KindTelegram, token); !errors.Is(err, ErrNoKey) {
		t.Errorf("seal without a key: %v", err)
	}
	if _, err := none.Open(KindTelegram, blob); !errors.Is(err, ErrNoKey) {
		t.Errorf("open without a key: %v", err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
}
