package publish

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Telegram's limits for a bot posting into one group or channel, as its Bot FAQ states them:
// no more than 20 messages a minute, and, in a single chat, no more than about one a second.
// Going over them earns a 429 and a wait. (The overall limit, about 30 a second, needs more than
// 30 channels posting at once to matter, and is left to the 429s.)
//
// The window is a second longer than Telegram's minute: a message reaches Telegram some time
// after its slot (a new connection, a busy worker), and a first message that arrives late and a
// 21st that arrives on time would otherwise fall into one minute. The spacing only spreads a
// burst (20 messages over 19 s instead of at once, which readers' phones also prefer); the
// minute's 20 bound the rate.
const (
	telegramPerChat       = 20
	telegramPerChatWindow = time.Minute + time.Second
	telegramPerChatGap    = time.Second
)

// ErrTelegramLimiterUnavailable is the error of a call into a chat when the limiter's Redis
// does not answer (or none is configured): the message is not sent unthrottled, and the
// delivery is retried like any failed attempt.
var ErrTelegramLimiterUnavailable = errors.New("telegram: the rate limiter's Redis is unavailable, so nothing is posted")

// TelegramLimiter spaces a bot's calls into one chat a second apart, and so that no window of
// telegramPerChatWindow holds more than 20. Its state is in the Redis every worker process shares, so the deliveries of
// all workers to one channel share the chat's budget, and a 429's retry_after holds the chat
// for all of them. It keeps nothing of its own.
//
// It is a sliding window, not a token bucket: a bucket of 20 refilling one every 3 s lets 39
// messages through in a minute after an idle spell, which Telegram answers with 429.
//
// Every time is Redis's clock (TIME, read inside the scripts), and only durations cross to the
// caller: workers on several hosts, whose clocks may differ by a second or more, then still
// agree on when the window's slots fall. (Scripts that read TIME before writing need Redis 5
// or later, which replicates scripts by their effects.)
type TelegramLimiter struct {
	rdb redis.UniversalClient
}

// NewTelegramLimiter makes a limiter keeping its state in rdb. With rdb nil, every call into a
// chat fails with ErrTelegramLimiterUnavailable.
func NewTelegramLimiter(rdb redis.UniversalClient) *TelegramLimiter {
	return &TelegramLimiter{rdb: rdb}
}

// telegramKeyPrefix starts every limiter key, so an operator can see and count them.
const telegramKeyPrefix = "tarjuma:telegram:"

// telegramKeys are the Redis keys of ch's window (a sorted set of reserved times, in
// milliseconds of Redis's clock) and hold (the time a 429 asked to wait until). The limit is per
// bot and chat, so both name the bot by its id, the token's public part before the colon; the
// braces keep the two keys in one Redis Cluster slot, as a script needs. A channel's @name is
// case-insensitive; its numeric id is a different key, so one channel should be configured one
// way.
func telegramKeys(ch TelegramChannel) (window, hold string) {
	bot, _, _ := strings.Cut(ch.BotToken, ":")
	base := telegramKeyPrefix + "{" + bot + ":" + strings.ToLower(ch.ChatID) + "}:"
	return base + "sent", base + "hold"
}

// reserveSlotScript reserves the earliest time from now on when one more message keeps at most
// ARGV[1] in any window of ARGV[2] ms and comes no earlier than the hold or ARGV[5] ms after
// the last reserved time (reservations in order keep the count right for messages still
// waiting to go), unless the wait is over ARGV[3] ms. It returns {1, wait} for a reservation,
// {0, wait} for a refusal, which leaves nothing behind. ARGV[4] names the reservation. Times older than the window are
// dropped and the set keeps its last ARGV[1] entries; it expires a window after its last one.
var reserveSlotScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, patience = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local at = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2]) + tonumber(ARGV[5])) end
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  at = math.max(at, tonumber(nth[2]) + window)
end
if at - now > patience then return {0, at - now} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], at - now + window)
return {1, at - now}
`)

// holdScript holds the chat for ARGV[1] ms from now unless it is already held longer; the key
// expires when the hold ends.
var holdScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local till = now + tonumber(ARGV[1])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], till, 'PX', ARGV[1])
end
return till
`)

// TelegramHeldError is a call the limiter would hold longer than the caller waits: the chat's
// budget is spent, or a 429 asked for a long pause. The delivery is to be tried again after
// RetryDelay, freeing the worker meanwhile. Nothing is reserved for it: coming back after
// RetryDelay, it finds that slot free unless another call took it first.
type TelegramHeldError struct {
	Chat string
	Wait time.Duration
}

func (e *TelegramHeldError) Error() string {
	return fmt.Sprintf("telegram: chat %s is at its rate limit for another %v", e.Chat, e.Wait.Round(time.Second))
}

// RetryDelay is how long until the chat takes a message again.
func (e *TelegramHeldError) RetryDelay() time.Duration { return e.Wait }

// Permanent is false: the wait ends.
func (e *TelegramHeldError) Permanent() bool { return false }

// Is makes the error ErrHeldByRateLimit, the connectors' sign of a wait that is no failure.
func (e *TelegramHeldError) Is(target error) bool { return target == ErrHeldByRateLimit }

// Wait blocks until a call into ch's chat may go, and counts it. It returns early with ctx's
// error, at once with a *TelegramHeldError when the call would wait longer than maxWait (it is
// then not counted), and with ErrTelegramLimiterUnavailable when Redis does not answer. A call
// whose wait was cancelled keeps its place counted, which errs on the safe side.
func (l *TelegramLimiter) Wait(ctx context.Context, ch TelegramChannel, maxWait time.Duration) error {
	wait, err := l.reserve(ctx, ch, maxWait)
	if err != nil || wait <= 0 {
		return err
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// reserve counts a call into ch's chat at the earliest free slot and returns how long until
// it, or refuses as Wait does.
func (l *TelegramLimiter) reserve(ctx context.Context, ch TelegramChannel, maxWait time.Duration) (time.Duration, error) {
	if l.rdb == nil {
		return 0, fmt.Errorf("%w: no Redis configured", ErrTelegramLimiterUnavailable)
	}
	window, hold := telegramKeys(ch)
	res, err := reserveSlotScript.Run(ctx, l.rdb, []string{window, hold}, telegramPerChat,
		telegramPerChatWindow.Milliseconds(), maxWait.Milliseconds(), rand.Text(), telegramPerChatGap.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrTelegramLimiterUnavailable, err)
	}
	if len(res) != 2 {
		return 0, fmt.Errorf("%w: unexpected answer %v", ErrTelegramLimiterUnavailable, res)
	}
	wait := time.Duration(res[1]) * time.Millisecond
	if res[0] == 0 {
		return 0, &TelegramHeldError{Chat: ch.ChatID, Wait: wait}
	}
	return wait, nil
}

// Hold keeps calls into ch's chat waiting for d from now, as a 429's retry_after asks, in
// every worker; a longer hold already there stays.
func (l *TelegramLimiter) Hold(ctx context.Context, ch TelegramChannel, d time.Duration) error {
	if l.rdb == nil {
		return fmt.Errorf("%w: no Redis configured", ErrTelegramLimiterUnavailable)
	}
	if d <= 0 {
		return nil
	}
	_, hold := telegramKeys(ch)
	if err := holdScript.Run(ctx, l.rdb, []string{hold}, max(d.Milliseconds(), 1)).Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrTelegramLimiterUnavailable, err)
	}
	return nil
}
