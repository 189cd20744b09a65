// Package telegramtest is an in-process stand-in for the Telegram Bot API, for tests: it speaks
// the API's wire format (POST /bot<token>/<method>, JSON or form parameters, the
// {"ok":…,"result":…} / {"ok":false,"error_code":…,"description":…,"parameters":…} envelope),
// parses HTML parse mode as Telegram documents it, counts message length the way Telegram does
// (UTF-16 code units of the visible text, at most 4,096), enforces 20 messages a minute per chat
// with 429 and retry_after, refuses to delete messages older than 48 hours, and answers an edit
// that changes nothing with "message is not modified". Faults (status codes, 429s, hangs) can be
// injected. It is written from the Bot API documentation, not from the client it tests.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tarjuma/tarjuma/internal/inmemhttp"
)

// Bot API facts the stand-in enforces.
const (
	MaxMessageLen = 4096           // characters after entity parsing, in UTF-16 code units
	PerChatLimit  = 20             // messages a minute into one group or channel
	DeleteWindow  = 48 * time.Hour // bots may delete only messages younger than this
)

// Message is a message in a chat as the stand-in holds it.
type Message struct {
	ID    int64
	HTML  string // as last sent or edited
	Text  string // what readers see: tags gone, entities decoded
	Date  time.Time
	Edits int
}

// Chat is a group or channel, and what the bot is in it.
type Chat struct {
	ID        int64
	Username  string // without the @
	Type      string // "channel", "supergroup", …
	Title     string
	BotStatus string // "administrator", "member", "left", …
	CanPost   bool

	messages map[int64]*Message
	nextID   int64
	recent   []time.Time // accepted sends and edits, for the rate limit
}

// Fault is an answer to force on the next call of Method ("" for any method).
type Fault struct {
	Method     string
	Skip       int    // let this many matching calls through first
	Status     int    // the HTTP status and error_code
	RetryAfter int    // seconds, in parameters.retry_after (with Status 429)
	HeaderOnly bool   // send RetryAfter as a Retry-After header and a non-JSON body, as a proxy would
	Hang       bool   // never answer: the caller times out
	Text       string // the description; a default for the status when empty
}

// Server is the stand-in. Its zero value is not usable; call New.
type Server struct {
	Token       string
	BotID       int64
	BotUsername string

	mu          sync.Mutex
	chats       map[int64]*Chat
	names       map[string]int64
	faults      []Fault
	offset      time.Duration
	calls       []string
	rateLimited int
}

// DefaultChatID and DefaultChatName are the channel New creates, with the bot as an
// administrator allowed to post.
const (
	DefaultChatID   = -1001234567890
	DefaultChatName = "@tarjuma_ru"
)

// New makes a stand-in that accepts token and has one channel, DefaultChatName.
func New(token string) *Server {
	s := &Server{Token: token, BotID: 7000001, BotUsername: "tarjuma_test_bot",
		chats: map[int64]*Chat{}, names: map[string]int64{}}
	s.AddChat(Chat{ID: DefaultChatID, Username: strings.TrimPrefix(DefaultChatName, "@"), Type: "channel",
		Title: "Tarjuma RU", BotStatus: "administrator", CanPost: true})
	return s
}

// AddChat adds a chat.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.messages = map[int64]*Message{}
	c.nextID = 100
	s.chats[c.ID] = &c
	if c.Username != "" {
		s.names["@"+strings.ToLower(c.Username)] = c.ID
	}
}

// Start serves the stand-in on a local port until the test ends, and returns its base URL.
func (s *Server) Start(t testing.TB) string {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Client is an HTTP client that hands requests straight to the stand-in, without sockets, for
// tests inside a synctest bubble; its base URL is BaseURL.
func (s *Server) Client() *http.Client { return inmemhttp.Client(s) }

// BaseURL is the API URL to use with Client.
const BaseURL = "http://telegram.test"

// Inject queues a fault; faults are used in order, each once.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Advance moves the stand-in's clock, which dates messages and judges their age, by d.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Messages returns the messages in chat (an id or @name), oldest first.
func (s *Server) Messages(chat string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chat)
	if c == nil {
		return nil
	}
	var out []Message
	for _, id := range slices.Sorted(maps.Keys(c.messages)) {
		out = append(out, *c.messages[id])
	}
	return out
}

// Calls lists the methods called, in order, faults and refusals included.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// RateLimited counts the calls refused with 429 for going over a chat's rate limit (injected
// 429s not included).
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

func (s *Server) chat(id string) *Chat {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.chats[n]
	}
	if n, ok := s.names[strings.ToLower(id)]; ok {
		return s.chats[n]
	}
	return nil
}

// apiError is a failed answer.
type apiError struct {
	status     int
	text       string
	retryAfter int
}

func badRequest(text string) *apiError { return &apiError{status: 400, text: "Bad Request: " + text} }

var defaultText = map[int]string{
	401: "Unauthorized",
	403: "Forbidden: bot was kicked from the channel chat",
	404: "Not Found",
	429: "Too Many Requests: retry after %d",
	500: "Internal Server Error",
	502: "Bad Gateway",
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || !strings.HasPrefix(r.URL.Path, "/bot") {
		writeError(w, &apiError{status: 404, text: "Not Found"})
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeError(w, badRequest(err.Error()))
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, method)
	var fault *Fault
	for i := range s.faults {
		if f := &s.faults[i]; f.Method == "" || f.Method == method {
			if f.Skip > 0 {
				f.Skip--
				break
			}
			fault = new(*f)
			s.faults = slices.Delete(s.faults, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	if fault != nil {
		switch {
		case fault.Hang:
			<-r.Context().Done()
			return
		case fault.HeaderOnly:
			w.Header().Set("Retry-After", strconv.Itoa(fault.RetryAfter))
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(fault.Status)
			fmt.Fprintf(w, "<html><body>%d</body></html>", fault.Status)
			return
		}
		text := fault.Text
		if text == "" {
			text = defaultText[fault.Status]
			if fault.Status == 429 {
				text = fmt.Sprintf(text, fault.RetryAfter)
			}
		}
		writeError(w, &apiError{status: fault.Status, text: text, retryAfter: fault.RetryAfter})
		return
	}
	if token != s.Token {
		writeError(w, &apiError{status: 401, text: "Unauthorized"})
		return
	}
	s.mu.Lock()
	result, aerr := s.dispatch(method, params)
	s.mu.Unlock()
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.status, "description": e.text}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]int{"retry_after": e.retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(body)
}

// readParams reads a call's parameters from a JSON body or a form, as the Bot API accepts both;
// every value becomes a string, as a form would carry it.
func readParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var m map[string]json.RawMessage
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("can't parse JSON object")
			}
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k := range r.Form {
		out[k] = r.Form.Get(k)
	}
	return out, nil
}

func (s *Server) dispatch(method string, p map[string]string) (any, *apiError) {
	switch method {
	case "getMe":
		return map[string]any{"id": s.BotID, "is_bot": true, "first_name": "Tarjuma", "username": s.BotUsername}, nil
	case "getChat", "getChatMember", "sendMessage", "editMessageText", "deleteMessage":
	default:
		return nil, &apiError{status: 404, text: "Not Found"}
	}
	if p["chat_id"] == "" {
		return nil, badRequest("chat_id is empty")
	}
	c := s.chat(p["chat_id"])
	if c == nil {
		return nil, badRequest("chat not found")
	}
	switch method {
	case "getChat":
		return map[string]any{"id": c.ID, "type": c.Type, "title": c.Title, "username": c.Username}, nil
	case "getChatMember":
		if uid, _ := strconv.ParseInt(p["user_id"], 10, 64); uid != s.BotID {
			return map[string]any{"status": "left", "user": map[string]any{"id": uid}}, nil
		}
		return map[string]any{"status": c.BotStatus, "can_post_messages": c.CanPost,
			"user": map[string]any{"id": s.BotID, "is_bot": true, "username": s.BotUsername}}, nil
	}
	switch {
	case c.BotStatus == "left" || c.BotStatus == "kicked":
		return nil, &apiError{status: 403, text: "Forbidden: bot is not a member of the " + c.Type + " chat"}
	case c.Type == "channel" && (c.BotStatus != "administrator" && c.BotStatus != "creator" || !c.CanPost):
		return nil, badRequest("need administrator rights in the channel chat")
	}
	now := s.now()
	id, _ := strconv.ParseInt(p["message_id"], 10, 64)
	switch method {
	case "deleteMessage":
		m := c.messages[id]
		switch {
		case m == nil:
			return nil, badRequest("message to delete not found")
		case now.Sub(m.Date) >= DeleteWindow:
			return nil, badRequest("message can't be deleted")
		}
		delete(c.messages, id)
		return true, nil
	case "editMessageText":
		if c.messages[id] == nil {
			return nil, badRequest("message to edit not found")
		}
	}
	if p["parse_mode"] != "HTML" {
		return nil, badRequest("the stand-in expects parse_mode HTML")
	}
	text, canon, err := ParseHTML(p["text"])
	if err != nil {
		return nil, badRequest("can't parse entities: " + err.Error())
	}
	switch n := len(utf16.Encode([]rune(text))); {
	case n == 0:
		return nil, badRequest("message text is empty")
	case n > MaxMessageLen:
		return nil, badRequest("message is too long")
	}
	if method == "editMessageText" {
		if m := c.messages[id]; m.Text == text && canonical(m.HTML) == canon {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
	}
	if wait := c.rateWait(now); wait > 0 {
		s.rateLimited++
		secs := int((wait + time.Second - 1) / time.Second)
		return nil, &apiError{status: 429, text: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
	}
	c.recent = append(c.recent, now)
	var m *Message
	if method == "sendMessage" {
		c.nextID++
		m = &Message{ID: c.nextID, Date: now}
		c.messages[m.ID] = m
	} else {
		m = c.messages[id]
		m.Edits++
	}
	m.HTML, m.Text = p["text"], text
	return map[string]any{"message_id": m.ID, "date": m.Date.Unix(), "text": m.Text,
		"chat": map[string]any{"id": c.ID, "type": c.Type, "title": c.Title}}, nil
}

// rateWait is how long until one more message keeps the chat within PerChatLimit in the last
// minute; zero when it may go now.
func (c *Chat) rateWait(now time.Time) time.Duration {
	c.recent = slices.DeleteFunc(c.recent, func(t time.Time) bool { return !t.After(now.Add(-time.Minute)) })
	if len(c.recent) < PerChatLimit {
		return 0
	}
	return c.recent[len(c.recent)-PerChatLimit].Add(time.Minute).Sub(now)
}

func canonical(s string) string {
	_, c, _ := ParseHTML(s)
	return c
}

// supported are the tags of Telegram's HTML parse mode.
var supported = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "a": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true}

// ParseHTML parses s as Telegram's HTML parse mode: the supported tags, properly nested; the
// named entities &lt; &gt; &amp; &quot; and numeric ones; a bare '<' or '&' that starts nothing is
// an error. It returns the visible text and a canonical form of the markup (text and tags) by
// which two messages compare, and Telegram-like errors with byte offsets.
func ParseHTML(s string) (text, canon string, err error) {
	var tb, cb strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", "", fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, _, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !supported[name] {
					return "", "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
				}
				stack = append(stack, name)
			}
			cb.WriteString(s[i : i+end+1])
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			ent := ""
			if end > 0 {
				ent = s[i : i+end+1]
			}
			switch {
			case ent == "&lt;" || ent == "&gt;" || ent == "&amp;" || ent == "&quot;",
				strings.HasPrefix(ent, "&#") && html.UnescapeString(ent) != ent:
				dec := html.UnescapeString(ent)
				tb.WriteString(dec)
				cb.WriteString(url.QueryEscape(dec))
				i += end + 1
			default:
				return "", "", fmt.Errorf("unsupported HTML entity at byte offset %d", i)
			}
		case '>':
			return "", "", fmt.Errorf("unexpected '>' at byte offset %d", i)
		default:
			tb.WriteByte(s[i])
			cb.WriteString(url.QueryEscape(s[i : i+1]))
			i++
		}
	}
	if len(stack) > 0 {
		return "", "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return strings.TrimSpace(tb.String()), cb.String(), nil
}
