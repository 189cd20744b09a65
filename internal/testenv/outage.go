package testenv

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// EachInterruptible runs test once per PostgreSQL that Databases offers, in a subtest named
// after it, with the URL through an Interruptible relay and the cut function of that relay.
// SQLite is skipped: a file has no connection to be cut off from.
func EachInterruptible(t *testing.T, test func(t *testing.T, url string, cut func())) {
	t.Helper()
	for _, target := range Databases(t) {
		if !strings.HasPrefix(target.URL, "postgres") {
			continue
		}
		t.Run(target.Name, func(t *testing.T) {
			url, cut := Interruptible(t, target.URL)
			test(t, url, cut)
		})
	}
}

// Interruptible puts a TCP relay in front of the PostgreSQL that pgURL names and returns the
// URL through the relay and a cut function: after cut, connections through it are dropped and
// new ones refused, as when the database host goes away, while the database itself (which other
// tests share) keeps running. Cleanup cuts it too.
func Interruptible(t testing.TB, pgURL string) (string, func()) {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  bool
	)
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if done {
			c.Close()
			return false
		}
		conns = append(conns, c)
		return true
	}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			if !track(client) || !track(server) {
				client.Close()
				server.Close()
				continue
			}
			go func() { _, _ = io.Copy(server, client); server.Close() }()
			go func() { _, _ = io.Copy(client, server); client.Close() }()
		}
	}()
	drop := sync.OnceFunc(func() {
		ln.Close()
		mu.Lock()
		done = true
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	t.Cleanup(drop)
	u.Host = ln.Addr().String()
	return u.String(), drop
}
