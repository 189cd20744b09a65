package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

// get fetches url with Accept-Encoding set by hand, so the transport hands back the body as
// sent; "" asks for no encoding.
func get(t *testing.T, url, acceptEncoding string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", cmp.Or(acceptEncoding, "identity"))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, raw := roundTrip(t, http.DefaultClient, req)
	return resp, raw
}

func gunzip(t *testing.T, raw []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// TestResponsesCompressed holds the mounted app to the contract: answers over 1 KB, a page, a
// static file and API JSON, are gzipped for a client that accepts gzip, with Vary:
// Accept-Encoding, and decompress to what a client without gzip gets; small answers and
// clients without gzip get the plain body.
func TestResponsesCompressed(t *testing.T) {
	base, _ := startApp(t, backends(t)[0], nil)
	title, body := tarjuma.SampleArticle()
	var created struct {
		ID int64 `json:"id"`
	}
	if code := call(t, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body}, &created); code != http.StatusAccepted {
		t.Fatalf("submit: %d", code)
	}
	// The article's answer must not change between the plain and the gzipped request.
	waitSettled(t, base, created.ID, 1, 30*time.Second)
	auth := map[string]string{"Authorization": "Bearer " + testDevToken}
	for _, tc := range []struct {
		path   string
		header map[string]string
		large  bool
	}{
		{"/static/review.css", nil, true},
		{"/login", nil, true},
		{"/no/such/page", nil, true},
		{fmt.Sprintf("/api/v1/articles/%d", created.ID), auth, true},
		{"/api/v2/nothing", nil, false}, // the API's small JSON 404
		{"/healthz", nil, false},
	} {
		plainResp, plain := get(t, base+tc.path, "", tc.header)
		if ce := plainResp.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s without gzip: Content-Encoding %q", tc.path, ce)
		}
		if tc.large != (len(plain) > 1024) {
			t.Fatalf("%s: %d bytes; the case expects large=%v", tc.path, len(plain), tc.large)
		}
		resp, raw := get(t, base+tc.path, "gzip, deflate, br, zstd", tc.header)
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q, want Accept-Encoding", tc.path, resp.Header.Get("Vary"))
		}
		if !tc.large {
			if ce := resp.Header.Get("Content-Encoding"); ce != "" || !bytes.Equal(raw, plain) {
				t.Errorf("%s (%d bytes): Content-Encoding %q; small answers go plain", tc.path, len(plain), ce)
			}
			continue
		}
		if ce := resp.Header.Get("Content-Encoding"); ce != "gzip" {
			t.Errorf("%s (%d bytes): Content-Encoding %q, want gzip", tc.path, len(plain), ce)
			continue
		}
		if len(raw) >= len(plain) {
			t.Errorf("%s: %d bytes gzipped, %d plain", tc.path, len(raw), len(plain))
		}
		// Pages carry a fresh CSRF field each time, so compare their shape, not bytes.
		if got := gunzip(t, raw); len(got) != len(plain) {
			t.Errorf("%s: gzipped body decompresses to %d bytes, the plain answer has %d", tc.path, len(got), len(plain))
		}
	}
}

// TestCompressSkipsCompressedTypesAndStreams checks the two things the wrapper's options
// decide that the app's answers do not show: an already-compressed type goes as it is, and a
// flushed part of a long answer reaches the client before the handler has finished.
func TestCompressSkipsCompressedTypesAndStreams(t *testing.T) {
	release := make(chan struct{})
	first := bytes.Repeat([]byte("تحديث مباشر. "), 200) // 4.8 KB
	h, err := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/photo.jpg" {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(bytes.Repeat([]byte{0xff}, 4096))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(first)
		w.(http.Flusher).Flush()
		<-release
		w.Write([]byte("end"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	resp, raw := get(t, srv.URL+"/photo.jpg", "gzip", nil)
	if ce := resp.Header.Get("Content-Encoding"); ce != "" || len(raw) != 4096 {
		t.Errorf("image/jpeg: Content-Encoding %q, %d bytes; want it as it is", ce, len(raw))
	}

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	sresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sresp.Body.Close()
	if ce := sresp.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Fatalf("stream: Content-Encoding %q, want gzip", ce)
	}
	zr, err := gzip.NewReader(sresp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The handler is still blocked on release: this read succeeds only if the flush went out.
	got := make([]byte, len(first))
	if _, err := io.ReadFull(zr, got); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("flushed part: %v", err)
	}
	close(release)
	if rest, err := io.ReadAll(zr); err != nil || string(rest) != "end" {
		t.Errorf("rest %q, %v", rest, err)
	}
}
