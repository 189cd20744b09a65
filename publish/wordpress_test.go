package publish_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
)

// newWordPress is a stand-in site and a client talking to it without sockets.
func newWordPress(t *testing.T) (*wordpresstest.Server, *publish.WordPressClient, publish.WordPressSite) {
	t.Helper()
	srv := wordpresstest.New()
	hc := srv.Client()
	hc.Timeout = 5 * time.Second
	site := publish.WordPressSite{URL: wordpresstest.SiteURL, Username: wordpresstest.Editor.Login, AppPassword: wordpresstest.Editor.AppPassword}
	return srv, publish.NewWordPressClient(publish.WordPressConfig{HTTPClient: hc}), site
}

var ruPost = publish.WordPressPost{Lang: tarjuma.Russian, Title: "Душанбе & Москва <договор>",
	Content: "<p>Первый абзац.</p>\n<p>Второй абзац.</p>\n"}

var tgPost = publish.WordPressPost{Lang: tarjuma.Tajik, Title: "Душанбе ва Маскав", Content: "<p>Сархати якум.</p>\n"}

var ignoreGroup = cmpopts.IgnoreUnexported(wordpresstest.Post{})

func TestWordPressCreateThenUpdate(t *testing.T) {
	srv, c, site := newWordPress(t)
	st, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (publish.WordPressState{PostID: 41, Link: wordpresstest.SiteURL + "/?p=41"}); st != want {
		t.Errorf("state %+v, want %+v", st, want)
	}
	// The title is text: escaped, so WordPress shows "<договор>" rather than taking it for a tag.
	want := []wordpresstest.Post{{ID: 41, Title: "Душанбе &amp; Москва &lt;договор&gt;", Content: ruPost.Content,
		Status: "publish", Author: wordpresstest.Editor.ID}}
	if diff := cmp.Diff(want, srv.Posts(), ignoreGroup); diff != "" {
		t.Fatalf("site (-want +got):\n%s", diff)
	}
	// A correction updates the same post, and only its title and content: an editor of the site
	// who made it pending meanwhile keeps it so.
	srv.SetStatus(41, "pending")
	corrected := ruPost
	corrected.Content = "<p>Первый абзац, исправленный.</p>\n"
	st2, err := c.Publish(t.Context(), site, corrected, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st2 != st {
		t.Errorf("state after the correction %+v, want %+v", st2, st)
	}
	want[0].Content, want[0].Status = corrected.Content, "pending"
	if diff := cmp.Diff(want, srv.Posts(), ignoreGroup); diff != "" {
		t.Errorf("site after the correction (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /wp-json/pll/v1/languages", "POST /wp-json/wp/v2/posts", "POST /wp-json/wp/v2/posts/41"}, srv.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestWordPressSettings(t *testing.T) {
	srv, c, site := newWordPress(t)
	site.Status, site.CategoryID, site.AuthorID, site.Polylang = "draft", 7, 3, publish.PolylangOff
	if _, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil); err != nil {
		t.Fatal(err)
	}
	got := srv.Posts()[0]
	if got.Status != "draft" || got.Author != 3 || !cmp.Equal(got.Categories, []int64{7}) {
		t.Errorf("post %+v, want a draft by author 3 in category 7", got)
	}
	if diff := cmp.Diff([]string{"POST /wp-json/wp/v2/posts"}, srv.Calls()); diff != "" {
		t.Errorf("with Polylang off, calls (-want +got):\n%s", diff)
	}
}

// With Polylang Pro, each post gets its language and the article's translations are linked:
// the Tajik post, created after the Russian one, names it, and both are then in one group.
func TestWordPressPolylang(t *testing.T) {
	srv, c, site := newWordPress(t)
	srv.Polylang = wordpresstest.PolylangPro
	ru, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := c.Publish(t.Context(), site, tgPost, publish.WordPressState{}, map[tarjuma.Lang]publish.WordPressState{tarjuma.Russian: ru})
	if err != nil {
		t.Fatal(err)
	}
	if ru.Lang != "ru" || tg.Lang != "tg" {
		t.Errorf("languages %q and %q, want ru and tg", ru.Lang, tg.Lang)
	}
	want := map[string]int64{"ru": ru.PostID, "tg": tg.PostID}
	for _, id := range []int64{ru.PostID, tg.PostID} {
		if diff := cmp.Diff(want, srv.Translations(id)); diff != "" {
			t.Errorf("translations of post %d (-want +got):\n%s", id, diff)
		}
	}

	// A language the site's Polylang lacks is refused before anything is posted.
	srv.Languages = srv.Languages[:2] // ru, tg
	_, err = c.Publish(t.Context(), site, publish.WordPressPost{Lang: tarjuma.English, Title: "Dushanbe"}, publish.WordPressState{}, nil)
	var ce *publish.ChannelConfigError
	if !errors.As(err, &ce) || !ce.Permanent() || !strings.Contains(err.Error(), `no language "en" (it has ru, tg)`) {
		t.Errorf("error %v, want a permanent one naming the missing language", err)
	}
	if n := len(srv.Posts()); n != 2 {
		t.Errorf("%d posts, want 2", n)
	}
}

// Polylang's free edition has the languages route but not the post fields: the post is made in
// the site's default language and the state says it is not linked.
func TestWordPressPolylangFree(t *testing.T) {
	srv, c, site := newWordPress(t)
	srv.Polylang = wordpresstest.PolylangFree
	st, err := c.Publish(t.Context(), site, tgPost, publish.WordPressState{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lang != "" || srv.Posts()[0].Lang != "" {
		t.Errorf("state %+v, post %+v: want no language", st, srv.Posts()[0])
	}
}

func TestWordPressWithdraw(t *testing.T) {
	srv, c, site := newWordPress(t)
	st, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a retried withdrawal changes nothing more
		if err := c.Withdraw(t.Context(), site, st, ""); err != nil {
			t.Fatal(err)
		}
		if got := srv.Posts()[0].Status; got != "draft" {
			t.Errorf("status %q after withdrawal, want draft", got)
		}
	}
	srv.DeletePost(st.PostID)
	if err := c.Withdraw(t.Context(), site, st, ""); err != nil {
		t.Errorf("withdrawing a post deleted on the site: %v", err)
	}
}

// A correction of a post deleted on the site is a permanent error, not a new post.
func TestWordPressUpdateDeletedPost(t *testing.T) {
	srv, c, site := newWordPress(t)
	st, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.DeletePost(st.PostID)
	got, err := c.Publish(t.Context(), site, ruPost, st, nil)
	var we *publish.WordPressError
	if !errors.As(err, &we) || we.Status != 404 || we.Code != "rest_post_invalid_id" || !we.Permanent() {
		t.Fatalf("error %v, want a permanent 404 rest_post_invalid_id", err)
	}
	if got != st || len(srv.Posts()) != 0 {
		t.Errorf("state %+v, %d posts: want the state unchanged and no new post", got, len(srv.Posts()))
	}
}

func TestWordPressErrors(t *testing.T) {
	tests := []struct {
		name      string
		fault     wordpresstest.Fault
		login     string
		password  string
		status    int
		code      string
		permanent bool
		retry     time.Duration
	}{
		{name: "wrong application password", password: "wrong", status: 401, code: "incorrect_password", permanent: true},
		{name: "unknown user", login: "nobody", status: 401, code: "invalid_username", permanent: true},
		{name: "no right to publish", login: "author", password: "zzzzzzzzzzzzzzzzzzzzzzzz", fault: wordpresstest.Fault{Route: "POST", Status: 403, Code: "rest_cannot_publish"}, status: 403, code: "rest_cannot_publish", permanent: true},
		{name: "moved", fault: wordpresstest.Fault{Route: "GET", Status: 301}, status: 301, code: "error", permanent: true},
		{name: "rate limited", fault: wordpresstest.Fault{Route: "POST", Status: 429, RetryAfter: "120"}, status: 429, code: "too_many_requests", retry: 2 * time.Minute},
		{name: "critical error", fault: wordpresstest.Fault{Route: "POST", Status: 500}, status: 500, code: "internal_server_error"},
		{name: "maintenance page", fault: wordpresstest.Fault{Route: "POST", Status: 503, HTML: true, RetryAfter: "600"}, status: 503, retry: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, site := newWordPress(t)
			if tt.fault.Status != 0 {
				srv.Inject(tt.fault)
			}
			if tt.login != "" {
				site.Username = tt.login
			}
			if tt.password != "" {
				site.AppPassword = tt.password
			}
			st, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
			var we *publish.WordPressError
			if !errors.As(err, &we) {
				t.Fatalf("error %v, want a WordPressError", err)
			}
			if we.Status != tt.status || we.Code != tt.code || we.Permanent() != tt.permanent || we.RetryDelay() != tt.retry {
				t.Errorf("got %d %q, permanent %v, retry after %v; want %d %q, %v, %v", we.Status, we.Code, we.Permanent(), we.RetryDelay(), tt.status, tt.code, tt.permanent, tt.retry)
			}
			if st.PostID != 0 || len(srv.Posts()) != 0 {
				t.Errorf("state %+v, %d posts: want nothing posted", st, len(srv.Posts()))
			}
			if tt.permanent {
				return
			}
			if _, err := c.Publish(t.Context(), site, ruPost, st, nil); err != nil || len(srv.Posts()) != 1 {
				t.Errorf("retry: %v, %d posts; want one", err, len(srv.Posts()))
			}
		})
	}
}

func TestWordPress401Message(t *testing.T) {
	_, c, site := newWordPress(t)
	site.AppPassword = "wrong"
	_, err := c.Check(t.Context(), site, nil)
	want := "wordpress: 401 incorrect_password: The provided password is an invalid application password. (check the username and the application password (Users → Profile → Application Passwords))"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestWordPressTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c, site := newWordPress(t)
		srv.Inject(wordpresstest.Fault{Route: "POST", Hang: true})
		start := time.Now()
		_, err := c.Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
		var we *publish.WordPressError
		if err == nil || errors.As(err, &we) {
			t.Fatalf("error %v, want a transport error", err)
		}
		if elapsed := time.Since(start); elapsed != 5*time.Second {
			t.Errorf("gave up after %v, want the 5s timeout", elapsed)
		}
		if strings.Contains(err.Error(), wordpresstest.Editor.AppPassword) {
			t.Errorf("error %q shows the password", err)
		}
	})
}

// The default client is the webhooks' guarded one: a site at a loopback address is refused
// unless private addresses are allowed.
func TestWordPressGuard(t *testing.T) {
	srv := wordpresstest.New()
	site := publish.WordPressSite{URL: srv.Start(t), Username: wordpresstest.Editor.Login, AppPassword: wordpresstest.Editor.AppPassword}
	_, err := publish.NewWordPressClient(publish.WordPressConfig{}).Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if !errors.Is(err, publish.ErrPrivateAddress) {
		t.Errorf("error %v, want ErrPrivateAddress", err)
	}
	st, err := publish.NewWordPressClient(publish.WordPressConfig{AllowPrivate: true}).Publish(t.Context(), site, ruPost, publish.WordPressState{}, nil)
	if err != nil || st.PostID == 0 {
		t.Errorf("with private addresses allowed: %+v, %v", st, err)
	}
}

func TestWordPressCheck(t *testing.T) {
	srv, c, site := newWordPress(t)
	got, err := c.Check(t.Context(), site, []tarjuma.Lang{tarjuma.Russian})
	if err != nil {
		t.Fatal(err)
	}
	if want := (publish.WordPressCheck{UserID: wordpresstest.Editor.ID, UserName: wordpresstest.Editor.Name}); !cmp.Equal(want, got) {
		t.Errorf("check %+v, want %+v", got, want)
	}
	srv.Polylang = wordpresstest.PolylangPro
	got, err = c.Check(t.Context(), site, []tarjuma.Lang{tarjuma.Russian, tarjuma.Tajik})
	if err != nil || !cmp.Equal(got.Languages, []string{"ru", "tg", "en"}) {
		t.Errorf("with Polylang: %+v, %v", got, err)
	}
	srv.AddUser(wordpresstest.User{ID: 5, Login: "contributor", Name: "Contributor", AppPassword: "cccc", Caps: map[string]bool{"edit_posts": true}})
	tests := []struct {
		name string
		site func(s publish.WordPressSite) publish.WordPressSite
		want string
	}{
		{"may not publish", func(s publish.WordPressSite) publish.WordPressSite {
			s.Username, s.AppPassword = "contributor", "cccc"
			return s
		}, "lacks the publish_posts capability"},
		{"may not post as another author", func(s publish.WordPressSite) publish.WordPressSite {
			s.Username, s.AppPassword, s.AuthorID = "author", "zzzzzzzzzzzzzzzzzzzzzzzz", 2
			return s
		}, "lacks the edit_others_posts capability"},
		{"no credentials", func(s publish.WordPressSite) publish.WordPressSite {
			s.Username, s.AppPassword = "", ""
			return s
		}, "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Check(t.Context(), tt.site(site), nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	if _, err := c.Check(t.Context(), site, []tarjuma.Lang{"fa"}); err == nil || !strings.Contains(err.Error(), `no language "fa"`) {
		t.Errorf("error %v, want the missing language named", err)
	}
	if n := len(srv.Posts()); n != 0 {
		t.Errorf("the check posted %d posts", n)
	}
}

// A create that times out or fails after WordPress saved the post leaves the state unconfirmed;
// the retry finds the post by its marker and updates it: one post, never two. Where nothing was
// saved, the retry creates it.
func TestWordPressUnconfirmedCreate(t *testing.T) {
	post := ruPost
	post.Marker = "tarjuma-article-7-ru"
	tests := []struct {
		name  string
		fault wordpresstest.Fault
		saved bool
	}{
		{"saved, then timed out", wordpresstest.Fault{Route: "POST /wp-json/wp/v2/posts", Commit: true, Hang: true}, true},
		{"saved, then a plugin's fatal error", wordpresstest.Fault{Route: "POST /wp-json/wp/v2/posts", Commit: true, Status: 500}, true},
		{"timed out, nothing saved", wordpresstest.Fault{Route: "POST /wp-json/wp/v2/posts", Hang: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, c, site := newWordPress(t)
				srv.Inject(tt.fault)
				st, err := c.Publish(t.Context(), site, post, publish.WordPressState{}, nil)
				if err == nil || st != (publish.WordPressState{Unconfirmed: true}) {
					t.Fatalf("state %+v, %v; want an error and an unconfirmed state", st, err)
				}
				if saved := len(srv.Posts()) == 1; saved != tt.saved {
					t.Fatalf("saved %v, want %v", saved, tt.saved)
				}
				post.Content = "<p>Исправлено.</p>\n"
				st, err = c.Publish(t.Context(), site, post, st, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := []wordpresstest.Post{{ID: 41, Title: "Душанбе &amp; Москва &lt;договор&gt;", Status: "publish",
					Author: wordpresstest.Editor.ID, Content: "<!-- tarjuma-article-7-ru -->\n<p>Исправлено.</p>\n"}}
				if diff := cmp.Diff(want, srv.Posts(), ignoreGroup); diff != "" {
					t.Errorf("site (-want +got):\n%s", diff)
				}
				if st.PostID != 41 || st.Unconfirmed {
					t.Errorf("state %+v, want post 41, confirmed", st)
				}
			})
		})
	}
}

// The marker is matched whole: WordPress's search for "tarjuma-article-7-ru" matches substrings,
// so it also finds a post marked "tarjuma-article-7-rum", which the check of the raw content
// refuses to adopt.
func TestWordPressMarkerMatchedWhole(t *testing.T) {
	srv, c, site := newWordPress(t)
	other := ruPost
	other.Marker = "tarjuma-article-7-rum"
	if _, err := c.Publish(t.Context(), site, other, publish.WordPressState{}, nil); err != nil {
		t.Fatal(err)
	}
	post := ruPost
	post.Marker = "tarjuma-article-7-ru"
	st, err := c.Publish(t.Context(), site, post, publish.WordPressState{Unconfirmed: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.PostID != 42 || len(srv.Posts()) != 2 {
		t.Errorf("state %+v with %d posts: want a new post 42 beside the other article's", st, len(srv.Posts()))
	}
}

// A withdrawal after a create that went unconfirmed finds the post by its marker.
func TestWordPressWithdrawUnconfirmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c, site := newWordPress(t)
		srv.Inject(wordpresstest.Fault{Route: "POST /wp-json/wp/v2/posts", Commit: true, Hang: true})
		post := ruPost
		post.Marker = "tarjuma-article-7-ru"
		st, _ := c.Publish(t.Context(), site, post, publish.WordPressState{}, nil)
		if err := c.Withdraw(t.Context(), site, st, post.Marker); err != nil {
			t.Fatal(err)
		}
		if got := srv.Posts(); len(got) != 1 || got[0].Status != "draft" {
			t.Errorf("posts %+v, want the one post, a draft", got)
		}
	})
}
