package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
)

// DefaultAttemptTimeout bounds one delivery attempt, response included; a receiver slower than that
// counts as failed and is tried again later.
const DefaultAttemptTimeout = 15 * time.Second

// userAgent names us to receivers, whose logs then say who called.
const userAgent = "tarjuma-webhooks/1"

// SenderConfig configures a Sender.
type SenderConfig struct {
	// AllowPrivate lets deliveries reach private and loopback addresses: development and tests
	// only (TARJUMA_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	Timeout      time.Duration // per attempt; DefaultAttemptTimeout when zero
}

// Sender signs and POSTs webhook messages.
type Sender struct {
	client *http.Client
}

// NewSender builds a Sender whose client follows no redirect (a receiver moving must be
// re-registered, not followed to wherever it points), uses no proxy from the environment (the
// address guard would then check the proxy instead of the receiver) and, unless AllowPrivate,
// refuses private addresses at dial time.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultAttemptTimeout
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = guardedControl
	}
	return &Sender{client: &http.Client{
		Timeout: cfg.Timeout,
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Message is one delivery attempt's content. ID is the webhook-id, the same on every attempt
// of a delivery so receivers can dedup; every secret in Secrets signs it.
type Message struct {
	URL     string
	ID      string
	Secrets []string
	Body    []byte
}

// Result is how an attempt went. StatusCode is 0 when no response came, and Err then says why;
// RetryAfter is the receiver's Retry-After, zero when it sent none.
type Result struct {
	StatusCode int
	Latency    time.Duration
	RetryAfter time.Duration
	Err        error
	// State is what the channel holds after the attempt for the article and language (a
	// WordPress post's id, Telegram messages' ids), for the next delivery to update rather than
	// copy: the publish task keeps it even when Err is set. Nil when nothing changed.
	State []byte
}

// Acknowledged reports whether the receiver took the message: any 2xx.
func (r Result) Acknowledged() bool { return r.Err == nil && r.StatusCode >= 200 && r.StatusCode < 300 }

// Gone reports whether the receiver answered 410 Gone: it wants nothing more.
func (r Result) Gone() bool { return r.StatusCode == http.StatusGone }

// Held reports whether the channel's own rate limit held the attempt back (ErrHeldByRateLimit)
// until RetryAfter: nothing failed.
func (r Result) Held() bool { return errors.Is(r.Err, ErrHeldByRateLimit) && r.RetryAfter > 0 }

// Send signs m with the current time and POSTs it. Every failure is in the Result, ready to be
// logged as an attempt; an answer other than 2xx, a redirect included, is one.
func (s *Sender) Send(ctx context.Context, m Message) Result {
	start := time.Now()
	res := s.send(ctx, m, start)
	res.Latency = time.Since(start)
	return res
}

func (s *Sender) send(ctx context.Context, m Message, ts time.Time) Result {
	sig, err := signatureHeader(m.Secrets, m.ID, ts, m.Body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Result{Err: fmt.Errorf("publish: request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := s.client.Do(req)
	if err != nil {
		// The error names the URL, and it is stored with the attempt that every role can read:
		// keep the host only, as ReceiverURLFor shows non-admins.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = RedactURL(ue.URL)
		}
		return Result{Err: err}
	}
	defer resp.Body.Close()
	// Reading a bounded part of the body lets the connection be reused; the content is not ours.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res := Result{StatusCode: resp.StatusCode, RetryAfter: tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	switch {
	case res.StatusCode >= 300 && res.StatusCode < 400:
		res.Err = fmt.Errorf("receiver answered %s, redirecting to %q; redirects are not followed", resp.Status, RedactURL(resp.Header.Get("Location")))
	case !res.Acknowledged():
		res.Err = errors.New("receiver answered " + resp.Status)
	}
	return res
}
