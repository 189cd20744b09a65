package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// newRedis is a client of the Redis at url, closed at cleanup.
func newRedis(t testing.TB, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// limitEnv is a throttle test's world: one SQLite database with the test user, and a Redis
// that several Auths (replicas, or one restarted) can share through newAuth.
type limitEnv struct {
	db       *store.DB
	redisURL string
	clock    *clock
	auth     *Auth
	user     tarjuma.User
}

// newAuth is another Auth over the same database and Redis, with its own Redis client: a
// second replica, or the first one after a restart.
func (e *limitEnv) newAuth(t *testing.T, proxies ...netip.Prefix) *Auth {
	return New(Config{DB: e.db, Redis: newRedis(t, e.redisURL), Now: e.clock.now, TrustedProxies: proxies})
}

// eachRedis runs f against every Redis testenv offers (miniredis and the real one in CI).
func eachRedis(t *testing.T, f func(t *testing.T, e *limitEnv)) {
	t.Helper()
	for _, target := range testenv.Redises(t) {
		t.Run(target.Name, func(t *testing.T) {
			db, u := openWithUser(t, "sqlite:"+t.TempDir()+"/auth.db")
			// 09:00 UTC starts a window of every length the limits use.
			e := &limitEnv{db: db, redisURL: target.URL, clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}, user: u}
			e.auth = e.newAuth(t)
			f(t, e)
		})
	}
}

// from is a login request whose connection comes from addr, with header pairs.
func from(addr string, header ...string) *http.Request {
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(addr), 4321).String()
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func logIn(a *Auth, r *http.Request, email, password string) error {
	_, err := a.LogIn(httptest.NewRecorder(), r, email, password)
	return err
}

// wantLimited checks err is a rate limit asking to wait exactly wait.
func wantLimited(t *testing.T, what string, err error, wait time.Duration) {
	t.Helper()
	var rl *RateLimitError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &rl) || rl.RetryAfter != wait {
		t.Fatalf("%s: %v, want ErrRateLimited with Retry-After %v", what, err, wait)
	}
}

// TestLoginBurstCountedBeforeHash: 60 wrong passwords at once for one email from one address
// run argon2 only as often as the (email, address) limit allows, and 60 at once for 60 emails
// only as often as the address limit allows; the old limiter counted after the hash, so all
// 60 ran.
func TestLoginBurstCountedBeforeHash(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		burst := func(email func(i int) string, addr string) (bad, limited int) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range 60 {
				wg.Go(func() {
					err := logIn(e.auth, from(addr), email(i), "wrong-password")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case errors.Is(err, ErrBadCredentials):
						bad++
					case errors.Is(err, ErrRateLimited):
						limited++
					default:
						t.Errorf("burst login: %v", err)
					}
				})
			}
			wg.Wait()
			return bad, limited
		}
		bad, limited := burst(func(int) string { return testEmail }, "192.0.2.1")
		if h := e.auth.hashes.Load(); h > int64(pairLimit.max) || bad != pairLimit.max || limited != 60-pairLimit.max {
			t.Errorf("one email: %d hashes, %d wrong, %d limited; want %d hashes, the rest limited", h, bad, limited, pairLimit.max)
		}
		e.auth.hashes.Store(0)
		bad, limited = burst(func(i int) string { return fmt.Sprintf("user%d@example.org", i) }, "192.0.2.2")
		if h := e.auth.hashes.Load(); h > int64(addrLimit.max) || bad != addrLimit.max || limited != 60-addrLimit.max {
			t.Errorf("60 emails: %d hashes, %d wrong, %d limited; want %d hashes, the rest limited", h, bad, limited, addrLimit.max)
		}
		t.Logf("hashes run: %d of 60 for one email, %d of 60 for 60 emails", pairLimit.max, addrLimit.max)
	})
}

// TestLoginOwnerFromAnotherAddress: failures from the attacker's address hold up only that
// address; the owner signs in from theirs. Only a guess from many addresses at once reaches
// the per-email ceiling, and that costs the owner at most the rest of a minute.
func TestLoginOwnerFromAnotherAddress(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		attacker, owner := "203.0.113.66", "198.51.100.7"
		for i := range pairLimit.max {
			if err := logIn(e.auth, from(attacker), testEmail, "wrong-password"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		// Refused attempts are not counted: more of them do not lengthen the wait.
		for range 20 {
			wantLimited(t, "attacker", logIn(e.auth, from(attacker), testEmail, testPassword), pairLimit.window)
		}
		if h := e.auth.hashes.Load(); h != int64(pairLimit.max) {
			t.Errorf("%d hashes, want %d: refused attempts must not hash", h, pairLimit.max)
		}
		if err := logIn(e.auth, from(owner), "  TRANSLATOR@example.org", testPassword); err != nil {
			t.Fatalf("owner from another address after %d failures elsewhere: %v", pairLimit.max, err)
		}

		// Six addresses' worth of failures fill the per-email ceiling for the rest of the minute.
		e.clock.advance(pairLimit.window + 15*time.Second)
		for i := range emailLimit.max {
			addr := fmt.Sprintf("203.0.113.%d", i/pairLimit.max)
			if err := logIn(e.auth, from(addr), testEmail, "wrong-password"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("distributed failure %d from %s: %v", i+1, addr, err)
			}
		}
		wantLimited(t, "owner at the per-email ceiling", logIn(e.auth, from(owner), testEmail, testPassword), 45*time.Second)
		e.clock.advance(45 * time.Second)
		if err := logIn(e.auth, from(owner), testEmail, testPassword); err != nil {
			t.Fatalf("owner once the minute is over: %v", err)
		}
	})
}

// TestLoginSuccessClearsPair: a success clears its own (email, address) counter, so someone
// who mistypes four times, signs in, and later mistypes again is not refused.
func TestLoginSuccessClearsPair(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		for round := range 3 {
			for range pairLimit.max - 1 {
				if err := logIn(e.auth, from("192.0.2.9"), testEmail, "typo"); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if err := logIn(e.auth, from("192.0.2.9"), testEmail, testPassword); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	})
}

// TestLoginNAT: a newsroom behind one address. Thirty failures there for many emails (the old
// lockout) leave a colleague's correct login alone; only a spray that fills the address limit
// holds it up, and then for the rest of the 5-minute window, not 15 minutes.
func TestLoginNAT(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		const nat = "192.0.2.77"
		e.clock.advance(90 * time.Second) // 3½ minutes left of the address window
		fail := func(n, from_ int) {
			for i := from_; i < from_+n; i++ {
				if err := logIn(e.auth, from(nat), fmt.Sprintf("desk%d@example.org", i), "wrong-password"); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
		}
		fail(30, 0)
		if err := logIn(e.auth, from(nat), testEmail, testPassword); err != nil {
			t.Fatalf("correct login behind a NAT after 30 failures: %v", err)
		}
		// The success gave its attempt back: 20 more failures fill the address.
		fail(addrLimit.max-30, 30)
		wantLimited(t, "correct login behind a full NAT", logIn(e.auth, from(nat), testEmail, testPassword), 3*time.Minute+30*time.Second)
		if err := logIn(e.auth, from("198.51.100.7"), testEmail, testPassword); err != nil {
			t.Fatalf("the same user from elsewhere: %v", err)
		}
		e.clock.advance(3*time.Minute + 29*time.Second)
		wantLimited(t, "a second before the window ends", logIn(e.auth, from(nat), testEmail, testPassword), time.Second)
		e.clock.advance(time.Second)
		if err := logIn(e.auth, from(nat), testEmail, testPassword); err != nil {
			t.Fatalf("behind the NAT once the window is over: %v", err)
		}
	})
}

// TestLoginSharedAndRestart: the counters live in Redis, so a second replica sees the first's
// failures and a restarted process still knows them; every key carries a TTL no longer than
// its window (plus a second's slack), so nothing lingers and nothing needs a reset.
func TestLoginSharedAndRestart(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		replica := e.newAuth(t)
		for i := range pairLimit.max {
			a := []*Auth{e.auth, replica}[i%2]
			if err := logIn(a, from("192.0.2.5"), testEmail, "wrong-password"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		wantLimited(t, "replica", logIn(replica, from("192.0.2.5"), testEmail, testPassword), pairLimit.window)
		restarted := e.newAuth(t)
		wantLimited(t, "after a restart", logIn(restarted, from("192.0.2.5"), testEmail, testPassword), pairLimit.window)

		rdb := newRedis(t, e.redisURL)
		keys, err := rdb.Keys(t.Context(), keyPrefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 {
			t.Errorf("keys %v, want the pair, address and email counters", keys)
		}
		windows := map[string]time.Duration{"pair": pairLimit.window, "addr": addrLimit.window, "email": emailLimit.window}
		for _, k := range keys {
			ttl, err := rdb.PTTL(t.Context(), k).Result()
			if err != nil {
				t.Fatal(err)
			}
			var w time.Duration
			for name, d := range windows {
				if len(k) > len(keyPrefix+name+":") && k[:len(keyPrefix+name+":")] == keyPrefix+name+":" {
					w = d
				}
			}
			if ttl <= 0 || ttl > w+time.Second {
				t.Errorf("key %s has TTL %v, want (0, %v]", k, ttl, w+time.Second)
			}
		}
	})
}

// TestLoginRedisDown: without its Redis the throttle refuses every login, before hashing,
// rather than let unlimited attempts through.
func TestLoginRedisDown(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		mr := miniredis.RunT(t)
		down := New(Config{DB: e.db, Redis: newRedis(t, "redis://"+mr.Addr()), Now: e.clock.now})
		mr.Close()
		none := New(Config{DB: e.db, Now: e.clock.now})
		for name, a := range map[string]*Auth{"stopped": down, "not configured": none} {
			if err := logIn(a, from("192.0.2.1"), testEmail, testPassword); !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s Redis: %v, want ErrUnavailable", name, err)
			}
			if h := a.hashes.Load(); h != 0 {
				t.Errorf("%s Redis: %d hashes, want none", name, h)
			}
		}
	})
}

// TestLoginTrustedProxies: X-Forwarded-For names the client only when the connection comes
// from a trusted proxy; anyone else rotating the header is still keyed on their own address.
func TestLoginTrustedProxies(t *testing.T) {
	eachRedis(t, func(t *testing.T, e *limitEnv) {
		proxied := e.newAuth(t, netip.MustParsePrefix("10.0.0.0/8"))
		// An untrusted peer spoofing a new client each time is still one address.
		for i := range pairLimit.max {
			if err := logIn(proxied, from("203.0.113.9", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)), testEmail, "wrong"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		wantLimited(t, "spoofed header", logIn(proxied, from("203.0.113.9", "X-Forwarded-For", "198.51.100.200"), testEmail, testPassword), pairLimit.window)
		// Through the proxy, the attacker behind it fills their own counter...
		for i := range pairLimit.max {
			if err := logIn(proxied, from("10.1.2.3", "X-Forwarded-For", "192.0.2.66"), testEmail, "wrong"); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("proxied failure %d: %v", i+1, err)
			}
		}
		wantLimited(t, "proxied attacker", logIn(proxied, from("10.9.9.9", "X-Forwarded-For", "192.0.2.66"), testEmail, testPassword), pairLimit.window)
		// ...and the owner behind the same proxy is not them.
		if err := logIn(proxied, from("10.1.2.3", "X-Forwarded-For", "192.0.2.7"), testEmail, testPassword); err != nil {
			t.Fatalf("owner through the proxy: %v", err)
		}
	})
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name  string
		peer  string
		xff   []string
		trust []netip.Prefix
		want  string
	}{
		{"no proxies configured", "10.0.0.1", []string{"198.51.100.1"}, nil, "ip:10.0.0.1"},
		{"untrusted peer's header ignored", "203.0.113.5", []string{"198.51.100.1"}, trusted, "ip:203.0.113.5"},
		{"trusted peer", "10.0.0.1", []string{"198.51.100.1"}, trusted, "ip:198.51.100.1"},
		{"right-most untrusted hop", "10.0.0.1", []string{"1.2.3.4, 198.51.100.1, 10.0.0.2"}, trusted, "ip:198.51.100.1"},
		{"client-written left part ignored", "10.0.0.1", []string{"9.9.9.9", "198.51.100.1"}, trusted, "ip:198.51.100.1"},
		{"all trusted: left-most", "10.0.0.1", []string{"10.0.0.3, 10.0.0.2"}, trusted, "ip:10.0.0.3"},
		{"no header", "10.0.0.1", nil, trusted, "ip:10.0.0.1"},
		{"garbage stops the walk", "10.0.0.1", []string{"198.51.100.1, nonsense, 10.0.0.2"}, trusted, "ip:10.0.0.2"},
		{"IPv6 by /64", "fd00::1", []string{"2001:db8:1:2::99"}, trusted, "ip:2001:db8:1:2::/64"},
		{"mapped IPv4 peer", "::ffff:10.0.0.1", []string{"198.51.100.1"}, trusted, "ip:198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var header []string
			for _, v := range tc.xff {
				header = append(header, "X-Forwarded-For", v)
			}
			r := from(tc.peer, header...)
			if got := clientKey(r, tc.trust); got != tc.want {
				t.Errorf("clientKey = %q, want %q", got, tc.want)
			}
		})
	}
}
