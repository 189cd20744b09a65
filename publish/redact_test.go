package publish

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestReceiverURLFor(t *testing.T) {
	for _, tc := range []struct{ raw, redacted string }{
		{"https://hooks.example.org/tarjuma/in?key=s3cret", "https://hooks.example.org/…"},
		{"https://hooks.example.org", "https://hooks.example.org"},
		{"https://hooks.example.org/", "https://hooks.example.org"},
		{"https://hooks.example.org?key=s3cret", "https://hooks.example.org/…"},
		{"http://hooks.example.org:8443/x", "http://hooks.example.org:8443/…"},
		{"https://user:pw@hooks.example.org/x", "https://hooks.example.org/…"},
		{"https://hooks.example.org/#frag", "https://hooks.example.org/…"},
		{"not a url", "…"},
		{"/relative?key=s3cret", "…"},
		{"", "…"},
	} {
		if got := ReceiverURLFor(tarjuma.RoleAdmin, tc.raw); got != tc.raw {
			t.Errorf("admin sees %q as %q", tc.raw, got)
		}
		for _, role := range []tarjuma.Role{tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer, ""} {
			if got := ReceiverURLFor(role, tc.raw); got != tc.redacted {
				t.Errorf("%q sees %q as %q, want %q", role, tc.raw, got, tc.redacted)
			}
		}
	}
}

// TestSendErrorHidesURL: an attempt's error is stored and shown to every role, so it names the
// receiver's host, never its path or query.
func TestSendErrorHidesURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/in?key=other", http.StatusFound)
	}))
	defer srv.Close()
	s := NewSender(SenderConfig{AllowPrivate: true})
	res := s.Send(t.Context(), Message{URL: srv.URL + "/in?key=s3cret", ID: "dlv_1", Secrets: []string{NewSecret()}, Body: []byte("{}")})
	if res.Err == nil || strings.Contains(res.Err.Error(), "key=") || !strings.Contains(res.Err.Error(), "elsewhere.example") {
		t.Errorf("redirect error %v", res.Err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	res = s.Send(t.Context(), Message{URL: closed.URL + "/in?key=s3cret", ID: "dlv_1", Secrets: []string{NewSecret()}, Body: []byte("{}")})
	if res.Err == nil || strings.Contains(res.Err.Error(), "s3cret") || strings.Contains(res.Err.Error(), "/in") {
		t.Errorf("connection error %v names the path or query", res.Err)
	}
}
