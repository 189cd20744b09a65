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
	"github.com/tarjuma/tarjuma/store"
)

const userUsage = `usage:
  tarjuma user add --email EMAIL --role ROLE [--langs tg,ru] < PASSWORD
  tarjuma user password EMAIL < PASSWORD   set a new password, ending the user's sessions
  tarjuma user disable EMAIL               refuse their login, end their sessions, revoke their tokens
  tarjuma user enable EMAIL                let a disabled user sign in again
  tarjuma user signout EMAIL               end every session of the user`

// runUser handles `user add|password|disable|enable|signout`. The operator running it is
// trusted as an admin. Passwords come from the first line of stdin, never from a flag, so they
// stay out of shell history and of the process list.
func runUser(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, cfg, args[1:], stdin, stdout)
	case "password", "disable", "enable", "signout":
		return runUserAccount(ctx, cfg, args[0], args[1:], stdin, stdout)
	}
	return errors.New(userUsage)
}

func runUserAdd(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	email := fs.String("email", "", "the address the user signs in with")
	role := fs.String("role", "", "admin, editor, translator or reviewer")
	langs := fs.String("langs", "", "target languages the user works in, comma-separated (required for translators)")
	if err := fs.Parse(args); err != nil {
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
		return fmt.Errorf("user add: %w", err)
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

// runUserAccount handles the commands that act on one existing user, named by email, and
// says what it did on stdout.
func runUserAccount(ctx context.Context, cfg config, cmd string, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New(userUsage)
	}
	var password string
	if cmd == "password" {
		// Read before the database is opened, so a missing password costs nothing.
		var err error
		if password, err = readPassword(stdin); err != nil {
			return fmt.Errorf("user password: %w", err)
		}
	}
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, args[0])
	if errors.Is(err, tarjuma.ErrNotFound) {
		return fmt.Errorf("user %s: no user %s", cmd, store.NormalizeEmail(args[0]))
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", cmd, err)
	}
	var done string
	switch cmd {
	case "password":
		err = auth.ResetPassword(ctx, db, u.ID, password)
		done = "has a new password; their sessions are ended"
	case "disable":
		_, err = auth.DisableUser(ctx, db, u.ID)
		done = "disabled; their sessions are ended and their tokens revoked"
	case "enable":
		_, err = auth.EnableUser(ctx, db, u.ID)
		done = "enabled"
	case "signout":
		var n int64
		n, err = auth.RevokeSessions(ctx, db, u.ID)
		done = fmt.Sprintf("signed out of %d sessions", n)
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", cmd, err)
	}
	fmt.Fprintf(stdout, "user %d (%s) %s\n", u.ID, u.Email, done)
	return nil
}

// readPassword reads the first line of stdin, without its line ending; reading stops there so
// a long stray input is not buffered whole.
func readPassword(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", errors.New("the password is read from stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, auth.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on stdin")
	}
	return line, nil
}
