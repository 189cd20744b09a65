package publish

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
)

// DefaultTelegramAPIURL is the Bot API's address; TARJUMA_TELEGRAM_API_URL replaces it with a
// proxy or a stand-in.
const DefaultTelegramAPIURL = "https://api.telegram.org"

// DefaultTelegramMaxWait is the longest a Telegram call waits in the worker, for the chat's rate
// limit or a 429's retry_after. A longer wait ends the attempt with a *TelegramHeldError
// (ErrHeldByRateLimit), the messages sent so far saved, and the delivery comes back when the
// chat has room, its worker free meanwhile: a burst's 21st message waiting a minute in the
// worker would hold it from every other channel's deliveries. Five seconds is above the
// spacing of a chat's slots at its steady rate (61 s / 20, about 3 s), so a chat posting at its
// limit rarely sends a delivery round the queue, and above what going round costs (asynq's
// 1 s check for due retries, a lease taken and freed): a shorter wait is cheaper in the worker.
const DefaultTelegramMaxWait = 5 * time.Second

// TelegramConfig configures a TelegramClient.
type TelegramConfig struct {
	APIURL  string        // DefaultTelegramAPIURL when empty
	Timeout time.Duration // per call; DefaultAttemptTimeout when zero
	MaxWait time.Duration // DefaultTelegramMaxWait when zero
	// Redis holds the chats' rate limits, shared by every worker process (TelegramLimiter).
	// Without it the client can check channels but posts nothing: every call into a chat fails
	// with ErrTelegramLimiterUnavailable rather than go out unthrottled.
	Redis redis.UniversalClient
	// HTTPClient replaces the default client; tests pass a stand-in's.
	HTTPClient *http.Client
}

// TelegramClient posts articles to Telegram channels through the Bot API, in HTML parse mode.
// It is safe for concurrent use; its limiter's state is in Redis, so every process shares it.
type TelegramClient struct {
	api     string
	client  *http.Client
	limiter *TelegramLimiter
	maxWait time.Duration
}

// NewTelegramClient builds a client from cfg.
func NewTelegramClient(cfg TelegramConfig) *TelegramClient {
	c := &TelegramClient{api: strings.TrimRight(cfg.APIURL, "/"), client: cfg.HTTPClient,
		limiter: NewTelegramLimiter(cfg.Redis), maxWait: cfg.MaxWait}
	if c.api == "" {
		c.api = DefaultTelegramAPIURL
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: cmp.Or(cfg.Timeout, DefaultAttemptTimeout)}
	}
	if c.maxWait <= 0 {
		c.maxWait = DefaultTelegramMaxWait
	}
	return c
}

// TelegramChannel is where a subscriber's messages go: the chat ("@channelname" or the numeric
// id) and the bot that posts there.
type TelegramChannel struct {
	ChatID   string
	BotToken string
}

// TelegramState is what a delivery leaves in a channel for one article and language: the ids of
// its messages, in order. It is kept between deliveries so corrections edit the same messages
// and a withdrawal deletes them.
type TelegramState struct {
	MessageIDs []int64 `json:"message_ids"`
	// Digests name what each message says (telegramDigest of its HTML), in the same order; one
	// missing (a state kept before them, or after a withdrawal) is not known. A message that
	// already says its part is not edited: a delivery carrying on after its chat's rate limit
	// held it, or a correction that changes one message of several, spends none of the chat's
	// 20 a minute on edits that change nothing.
	Digests []string `json:"digests,omitempty"`
}

// telegramDigest names a message's HTML: enough of its SHA-256 to tell texts apart.
func telegramDigest(html string) string {
	sum := sha256.Sum256([]byte(html))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// says reports whether message i is known to say the HTML of digest sum.
func (s TelegramState) says(i int, sum string) bool { return i < len(s.Digests) && s.Digests[i] == sum }

// setDigest records that message i says the HTML of digest sum, those before it not known
// when the state had no digest for them.
func (s *TelegramState) setDigest(i int, sum string) {
	for len(s.Digests) <= i {
		s.Digests = append(s.Digests, "")
	}
	s.Digests[i] = sum
}

// TelegramError is the Bot API's answer to a failed call: {"ok":false,"error_code":…,
// "description":…,"parameters":{"retry_after":…}}, or an HTTP status with no such body.
type TelegramError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  time.Duration
}

func (e *TelegramError) Error() string {
	msg := fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	if e.Code == http.StatusUnauthorized {
		msg += " (the bot token is wrong or was revoked)"
	}
	return msg
}

// Permanent reports whether trying again cannot help: a refused token (401), a bot kept out of
// the chat (403), a chat that does not exist, a message Telegram will not take (400). Rate limits
// (429) and server errors are worth retrying.
func (e *TelegramError) Permanent() bool {
	return e.Code >= 400 && e.Code < 500 && e.Code != http.StatusTooManyRequests && e.Code != http.StatusRequestTimeout
}

// RetryDelay is how long Telegram asked to wait before the next call, zero when it did not say.
func (e *TelegramError) RetryDelay() time.Duration { return e.RetryAfter }

// StatusCode is the error's code, which Telegram keeps equal to the HTTP status.
func (e *TelegramError) StatusCode() int { return e.Code }

func (e *TelegramError) says(s string) bool {
	return e.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Description), s)
}

func telegramSays(err error, s string) bool {
	var te *TelegramError
	return errors.As(err, &te) && te.says(s)
}

// The descriptions of the Bot API's errors a delivery treats as other than failures.
const (
	tgNotModified    = "message is not modified"
	tgDeleteNotFound = "message to delete not found"
	tgCannotDelete   = "message can't be deleted"
	tgEditNotFound   = "message to edit not found"
)

// tgMaxRetriesOn429 bounds the 429s one call waits out before it gives up the attempt.
const tgMaxRetriesOn429 = 3

// Publish puts post in ch: it sends its messages the first time (prev empty) and on later
// versions edits the messages prev names, sending more if the text grew and deleting the surplus
// if it shrank. A message known to say its part already is left alone, and an identical edit
// is a success. It returns the state as it is after the calls made, even with an error, so a
// retry carries on from there instead of posting twice: the caller must keep it whatever the
// error.
//
// A surplus message Telegram will not delete (bots may delete only messages younger than 48
// hours) is replaced by notice, which the desk words; with no notice that is an error.
func (c *TelegramClient) Publish(ctx context.Context, ch TelegramChannel, post TelegramPost, prev TelegramState, notice string) (TelegramState, error) {
	return c.publish(ctx, ch, post, prev, notice, nil)
}

// publish is Publish, handing the state to save (when not nil) after each message it sends or
// edits, so a retry after a crash, or after the chat's rate limit held the delivery, carries on
// from the next message; an error saving it ends the call.
func (c *TelegramClient) publish(ctx context.Context, ch TelegramChannel, post TelegramPost, prev TelegramState, notice string,
	save func(TelegramState) error) (TelegramState, error) {
	parts := post.Messages()
	if len(parts) == 0 {
		return prev, errors.New("telegram: the article has no text to post")
	}
	st := TelegramState{MessageIDs: append([]int64(nil), prev.MessageIDs...),
		Digests: append([]string(nil), prev.Digests[:min(len(prev.Digests), len(prev.MessageIDs))]...)}
	for i, text := range parts {
		sum := telegramDigest(text)
		switch {
		case st.says(i, sum):
			continue
		case i < len(st.MessageIDs):
			if err := c.edit(ctx, ch, st.MessageIDs[i], text); err != nil {
				if telegramSays(err, tgEditNotFound) {
					err = fmt.Errorf("%w (the message was deleted from the channel by hand; the correction is not posted again)", err)
				}
				return st, err
			}
		default:
			id, err := c.send(ctx, ch, text)
			if err != nil {
				return st, err
			}
			st.MessageIDs = append(st.MessageIDs, id)
		}
		st.setDigest(i, sum)
		if save != nil {
			if err := save(st); err != nil {
				return st, fmt.Errorf("telegram: keeping the ids of the messages sent: %w", err)
			}
		}
	}
	for len(st.MessageIDs) > len(parts) {
		last := st.MessageIDs[len(st.MessageIDs)-1]
		if _, err := c.remove(ctx, ch, last, notice); err != nil {
			return st, err
		}
		st.MessageIDs = st.MessageIDs[:len(st.MessageIDs)-1]
		st.Digests = st.Digests[:min(len(st.Digests), len(st.MessageIDs))]
	}
	return st, nil
}

// Withdraw takes an article's messages out of ch: each is deleted, or where Telegram will not
// delete it (older than 48 hours) its text is replaced by notice. Messages already gone count
// as deleted. The state returned names the messages still there, now notices; it is to be kept
// even with an error, like Publish's.
func (c *TelegramClient) Withdraw(ctx context.Context, ch TelegramChannel, prev TelegramState, notice string) (TelegramState, error) {
	var kept []int64
	for i, id := range prev.MessageIDs {
		replaced, err := c.remove(ctx, ch, id, notice)
		if err != nil {
			return TelegramState{MessageIDs: append(kept, prev.MessageIDs[i:]...)}, err
		}
		if replaced {
			kept = append(kept, id)
		}
	}
	return TelegramState{MessageIDs: kept}, nil
}

// remove deletes a message, or replaces it by notice when it can no longer be deleted
// (replaced: it is still there). A message already gone counts as deleted.
func (c *TelegramClient) remove(ctx context.Context, ch TelegramChannel, id int64, notice string) (replaced bool, err error) {
	err = c.call(ctx, ch, "deleteMessage", map[string]any{"chat_id": chatIDParam(ch.ChatID), "message_id": id}, nil)
	switch {
	case err == nil || telegramSays(err, tgDeleteNotFound):
		return false, nil
	case telegramSays(err, tgCannotDelete) && notice != "":
		return true, c.edit(ctx, ch, id, tgEscaper.Replace(notice))
	}
	return false, err
}

func (c *TelegramClient) send(ctx context.Context, ch TelegramChannel, text string) (int64, error) {
	var msg struct {
		MessageID int64 `json:"message_id"`
	}
	err := c.call(ctx, ch, "sendMessage", map[string]any{"chat_id": chatIDParam(ch.ChatID), "text": text,
		"parse_mode": "HTML", "link_preview_options": map[string]bool{"is_disabled": true}}, &msg)
	if err == nil && msg.MessageID == 0 {
		err = errors.New("telegram sendMessage: the answer names no message")
	}
	return msg.MessageID, err
}

// edit replaces a message's text; Telegram's "message is not modified", the answer to an edit
// that changes nothing, means the message already says it.
func (c *TelegramClient) edit(ctx context.Context, ch TelegramChannel, id int64, text string) error {
	err := c.call(ctx, ch, "editMessageText", map[string]any{"chat_id": chatIDParam(ch.ChatID), "message_id": id,
		"text": text, "parse_mode": "HTML", "link_preview_options": map[string]bool{"is_disabled": true}}, nil)
	if telegramSays(err, tgNotModified) {
		return nil
	}
	return err
}

// TelegramCheck is what a credentials check found: the bot and the chat it posts to.
type TelegramCheck struct {
	BotUsername string
	ChatID      int64 // numeric, which stays when a channel's @name changes
	ChatTitle   string
	ChatType    string
}

// Check verifies ch without posting: the token is a bot's (getMe), the chat exists for it
// (getChat) and the bot may post there (getChatMember: in a channel, an administrator with
// can_post_messages).
func (c *TelegramClient) Check(ctx context.Context, ch TelegramChannel) (TelegramCheck, error) {
	var me struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	}
	if err := c.call(ctx, TelegramChannel{BotToken: ch.BotToken}, "getMe", map[string]any{}, &me); err != nil {
		return TelegramCheck{}, err
	}
	var chat struct {
		ID    int64  `json:"id"`
		Type  string `json:"type"`
		Title string `json:"title"`
	}
	if err := c.call(ctx, TelegramChannel{BotToken: ch.BotToken}, "getChat", map[string]any{"chat_id": chatIDParam(ch.ChatID)}, &chat); err != nil {
		return TelegramCheck{}, err
	}
	res := TelegramCheck{BotUsername: me.Username, ChatID: chat.ID, ChatTitle: chat.Title, ChatType: chat.Type}
	var member struct {
		Status          string `json:"status"`
		CanPostMessages bool   `json:"can_post_messages"`
	}
	if err := c.call(ctx, TelegramChannel{BotToken: ch.BotToken}, "getChatMember",
		map[string]any{"chat_id": chatIDParam(ch.ChatID), "user_id": me.ID}, &member); err != nil {
		return res, err
	}
	switch {
	case member.Status == "creator":
	case chat.Type == "channel" && (member.Status != "administrator" || !member.CanPostMessages):
		return res, &ChannelConfigError{fmt.Errorf("telegram: the bot @%s is %s in the channel, without the right to post messages: make it an administrator who may post", me.Username, member.Status)}
	case member.Status == "left" || member.Status == "kicked" || member.Status == "restricted":
		return res, &ChannelConfigError{fmt.Errorf("telegram: the bot @%s is %s in the chat", me.Username, member.Status)}
	}
	return res, nil
}

// chatIDParam sends a numeric chat id as a number and a @name as a string, as the Bot API
// documents chat_id (Integer or String).
func chatIDParam(chat string) any {
	if n, err := strconv.ParseInt(chat, 10, 64); err == nil {
		return n
	}
	return chat
}

// call makes one Bot API call into ch's chat, after the limiter lets it go. A 429 holds the chat
// for its retry_after and, when that is at most the client's MaxWait, is waited out and tried
// again, a few times at most.
func (c *TelegramClient) call(ctx context.Context, ch TelegramChannel, method string, params, result any) error {
	for try := 1; ; try++ {
		if ch.ChatID != "" {
			if err := c.limiter.Wait(ctx, ch, c.maxWait); err != nil {
				return err
			}
		}
		err := c.do(ctx, ch.BotToken, method, params, result)
		var te *TelegramError
		if !errors.As(err, &te) || te.Code != http.StatusTooManyRequests {
			return err
		}
		wait := max(te.RetryAfter, time.Second) // a 429 that says nothing still asks for a pause
		if ch.ChatID != "" {
			if herr := c.limiter.Hold(ctx, ch, wait); herr != nil {
				return errors.Join(err, herr) // not waited out: other workers would not know
			}
		}
		if wait > c.maxWait || try == tgMaxRetriesOn429 {
			return err
		}
		if ch.ChatID == "" { // not limited per chat: wait here
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			case <-timer.C:
			}
		}
	}
}

// telegramResponse is every Bot API answer's envelope.
type telegramResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// do POSTs one call as JSON. The token is part of the URL, so no error may carry the URL: a
// transport error is reported without it.
func (c *TelegramClient) do(ctx context.Context, token, method string, params, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api+"/bot"+token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram %s: bad API URL or token", method)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("telegram %s: reading the answer: %w", method, err)
	}
	var tr telegramResponse
	if err := json.Unmarshal(raw, &tr); err != nil || (!tr.OK && tr.ErrorCode == 0) {
		// A proxy's or load balancer's page, not the Bot API's JSON.
		return &TelegramError{Method: method, Code: resp.StatusCode, Description: resp.Status,
			RetryAfter: tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	if !tr.OK {
		e := &TelegramError{Method: method, Code: tr.ErrorCode, Description: tr.Description,
			RetryAfter: time.Duration(tr.Parameters.RetryAfter) * time.Second}
		if e.RetryAfter == 0 {
			e.RetryAfter = tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return e
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(tr.Result, result); err != nil {
		return fmt.Errorf("telegram %s: unexpected result %.200s: %w", method, tr.Result, err)
	}
	return nil
}

// TelegramSettings are a Telegram subscriber's settings, the JSON of Subscriber.Settings.
type TelegramSettings struct {
	ChatID string `json:"chat_id"` // "@channelname" or the numeric id, as a string
}

// TelegramCredentials are what a Telegram subscriber's sealed credentials hold (JSON).
type TelegramCredentials struct {
	BotToken string `json:"bot_token"`
}

// CheckTelegramChatID validates a chat id as an admin gives it: a public channel's
// "@username" (5 to 32 letters, digits and underscores, starting with a letter) or a numeric
// id (a channel's is negative, -100…).
func CheckTelegramChatID(id string) error {
	if _, err := strconv.ParseInt(id, 10, 64); err == nil {
		return nil
	}
	name, ok := strings.CutPrefix(id, "@")
	valid := ok && len(name) >= 5 && len(name) <= 32 && (name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z')
	for _, r := range name {
		valid = valid && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}
	if !valid {
		return errors.New(`chat_id must be a channel's "@username" or its numeric id`)
	}
	return nil
}

// CheckTelegramToken validates the form of a bot token as BotFather issues it, "<bot id>:<secret>",
// so a pasted fragment is refused when the subscriber is registered rather than at its first delivery.
func CheckTelegramToken(token string) error {
	id, secret, ok := strings.Cut(token, ":")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil || !ok || len(secret) < 20 || strings.ContainsAny(secret, "/?#% ") {
		return errors.New(`bot_token must be a token as BotFather gives it, "123456789:AA…"`)
	}
	return nil
}

// NewTelegramChannel is the channel of a subscriber, from its settings and its opened
// credentials, both JSON.
func NewTelegramChannel(settings, credentials []byte) (TelegramChannel, error) {
	var s TelegramSettings
	if err := json.Unmarshal(settings, &s); err != nil {
		return TelegramChannel{}, &ChannelConfigError{fmt.Errorf("telegram: settings: %w", err)}
	}
	var c TelegramCredentials
	if err := json.Unmarshal(credentials, &c); err != nil || c.BotToken == "" {
		return TelegramChannel{}, &ChannelConfigError{errors.New("telegram: the credentials lack a bot token")}
	}
	if err := CheckTelegramToken(c.BotToken); err != nil { // it goes into the URL's path
		return TelegramChannel{}, &ChannelConfigError{fmt.Errorf("telegram: %w", err)}
	}
	if err := CheckTelegramChatID(s.ChatID); err != nil {
		return TelegramChannel{}, &ChannelConfigError{fmt.Errorf("telegram: settings: %w", err)}
	}
	return TelegramChannel{ChatID: s.ChatID, BotToken: c.BotToken}, nil
}

// DeliverRelease posts or corrects r's version in ch, as Publish, for a connector: prev is the
// state kept from earlier deliveries of the article and language to this subscriber, in the
// JSON it returns; notice replaces surplus messages too old to delete; save (Dispatch.Save, may
// be nil) keeps that JSON after each message sent. The state returned is nil when nothing
// changed, and is to be kept whatever the Result says.
func (c *TelegramClient) DeliverRelease(ctx context.Context, ch TelegramChannel, r Release, prev []byte, notice string,
	save func(context.Context, []byte) error) (Result, []byte) {
	var st TelegramState
	if err := unmarshalState(prev, &st); err != nil {
		return Result{Err: err}, nil
	}
	var saveState func(TelegramState) error
	if save != nil {
		saveState = func(s TelegramState) error {
			b, _ := json.Marshal(s) // a slice of ints
			return save(ctx, b)
		}
	}
	next, err := c.publish(ctx, ch, NewTelegramPost(r.Item()), st, notice, saveState)
	return channelResult(err), changedState(st, next)
}

// DeliverWithdrawal takes the article's messages out of ch, as Withdraw, for a connector.
func (c *TelegramClient) DeliverWithdrawal(ctx context.Context, ch TelegramChannel, prev []byte, notice string) (Result, []byte) {
	var st TelegramState
	if err := unmarshalState(prev, &st); err != nil {
		return Result{Err: err}, nil
	}
	next, err := c.Withdraw(ctx, ch, st, notice)
	return channelResult(err), changedState(st, next)
}

// CheckChannel is Check as a connector's Result.
func (c *TelegramClient) CheckChannel(ctx context.Context, ch TelegramChannel) Result {
	_, err := c.Check(ctx, ch)
	return channelResult(err)
}
