package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// secretKeyFile is where dev and demo keep the key they made when TARJUMA_SECRET_KEY is unset,
// so that credentials sealed in one run open in the next.
const secretKeyFile = "secret.key"

// devSecretKey returns the key in dir's key file, making the file (readable by its owner
// alone) with a fresh key when there is none.
func devSecretKey(dir string) (string, error) {
	path := filepath.Join(dir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("secret key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	key := publish.NewKey()
	// O_EXCL: two dev processes starting together keep one key, the first one's.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return devSecretKey(dir)
	}
	if err != nil {
		return "", fmt.Errorf("secret key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("secret key: %w", err)
	}
	return key, f.Close()
}

// openSealer builds the sealer of channel credentials from TARJUMA_SECRET_KEY and checks it
// against what the database holds: with credentials stored, no key is refused (nothing could
// be sent to those channels), and so is a key that does not open them (the wrong key, or a
// damaged row), so a misconfigured deployment stops at start rather than at every delivery.
// With no credentials stored and no key, the sealer is nil: webhooks need none.
func openSealer(ctx context.Context, db *store.DB, key string) (*publish.Sealer, error) {
	var sealer *publish.Sealer
	if key != "" {
		var err error
		if sealer, err = publish.ParseKey(key); err != nil {
			return nil, err
		}
	}
	subs, err := db.SealedCredentials(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		if sealer == nil {
			return nil, fmt.Errorf("%d channel(s) have credentials stored, and TARJUMA_SECRET_KEY is not set: set it to the key they were sealed with", len(subs))
		}
		if _, err := sealer.Open(s.Kind, s.Credentials); err != nil {
			return nil, fmt.Errorf("subscriber %d: %w", s.ID, err)
		}
	}
	return sealer, nil
}
