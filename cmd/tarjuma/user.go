package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
)

const userUsage = "usage: tarjuma user add --email EMAIL --role ROLE [--langs tg,ru] < password"

// runUser handles `user add`. The password comes from the first line of stdin, never from a
// flag, so it stays out of shell history and of the process list.
func runUser(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(userUsage)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "the address the user signs in with")
	role := fs.String("role", "", "admin, editor, translator or reviewer")
	langs := fs.String("langs", "", "target languages the user works in, comma-separated (required for translators)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *role == "" || fs.NArg() > 0 {
		return errors.New(userUsage)
	}
	nu := auth.NewUser{Email: *email, Role: tarjuma.Role(*role)}
	for l := range strings.SplitSeq(*langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			nu.Langs = append(nu.Langs, tarjuma.Lang(l))
		}
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	nu.Password = password
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.CreateUser(ctx, db, nu)
	if errors.Is(err, tarjuma.ErrConflict) {
		return fmt.Errorf("user add: %s already has an account", nu.Email)
	}
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintln(stdout, u.ID)
	fmt.Fprintf(os.Stderr, "user %d (%s, %s) created\n", u.ID, u.Email, u.Role)
	return nil
}

// readPassword reads the first line of stdin, without its line ending; reading stops there so
// a long stray input is not buffered whole.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", errors.New("user add: the password is read from stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("user add: read password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("user add: no password on stdin")
	}
	return line, nil
}
