package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tarjuma/tarjuma"
)

// Unavailable returns err wrapped with tarjuma.ErrUnavailable when it says that a backing
// service could not be reached (refused or reset connections, unreachable hosts, name lookups,
// a connection attempt that timed out, a server shutting down or out of connection slots, a
// connection the driver calls bad), and err itself otherwise; nil stays nil. It is the one place
// that knows which driver errors mean an outage: the store applies it to every connection
// attempt, and the go-redis client's dial errors, which are *net.OpError, are recognised the
// same way. A failed login or a missing database is a misconfiguration, not an outage, and
// stays an internal error.
func Unavailable(err error) error {
	if err == nil || errors.Is(err, tarjuma.ErrUnavailable) || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", tarjuma.ErrUnavailable, err)
}

// pgUnavailable are the SQLSTATEs of a server that is up but not taking work: too many
// connections, and the operator intervention class (shutting down, crashed, starting up).
var pgUnavailable = []string{"53300", "57P01", "57P02", "57P03"}

func unreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Checked first: a connect error wrapping the server's refusal (wrong password, no
		// such database) is not an outage.
		for _, code := range pgUnavailable {
			if pgErr.Code == code {
				return true
			}
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		// Whatever else stops a connection attempt (network, TLS handshake, the attempt's
		// deadline) says the server cannot be reached now.
		return true
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &opErr), errors.As(err, &dnsErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ETIMEDOUT):
		return true
	}
	return false
}

// connector marks every failed connection attempt of the pool with Unavailable. A query on a
// pooled connection that the server dropped comes back from the driver as driver.ErrBadConn,
// on which database/sql retries with a new connection, so this is where an outage surfaces.
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, Unavailable(err)
	}
	return conn, nil
}

// pingBeforeReuse pings a pooled connection before a query is sent on it when it has been idle
// for over a second (pgx's own rule) or when its socket already reads as closed, as after the
// server or the network dropped it: the ping fails, database/sql opens a new connection, and an
// outage surfaces as Unavailable instead of as a query failed in flight. The check is a
// non-blocking read, no round trip.
func pingBeforeReuse(_ context.Context, p stdlib.ShouldPingParams) bool {
	//lint:ignore SA1019 CheckConn is the round-trip-free check this needs; Ping follows it.
	return p.IdleDuration > time.Second || p.Conn.PgConn().CheckConn() != nil
}
