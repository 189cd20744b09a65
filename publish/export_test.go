package publish

import (
	"context"
	"time"
)

// Reserve is the limiter's reservation without the wait, so a test can see the wait it
// reserved without sleeping through it.
func (l *TelegramLimiter) Reserve(ctx context.Context, ch TelegramChannel, maxWait time.Duration) (time.Duration, error) {
	return l.reserve(ctx, ch, maxWait)
}

// TelegramKeys names the Redis keys of ch's window and hold, whose expiry a test checks.
var TelegramKeys = telegramKeys
