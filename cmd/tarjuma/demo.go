package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/store"
)

// The JSON the demo reads back; only the fields it prints.
type (
	demoArticle struct {
		ID           int64 `json:"id"`
		Translations []struct {
			Lang   string `json:"lang"`
			Status string `json:"status"`
		} `json:"translations"`
	}
	demoTranslation struct {
		Status        string `json:"status"`
		FailureReason string `json:"failure_reason"`
		LatestVersion *struct {
			Number     int        `json:"number"`
			Title      string     `json:"title"`
			TitleTerms []demoTerm `json:"title_terms"`
			Segments   []struct {
				Origin string     `json:"origin"`
				Terms  []demoTerm `json:"terms"`
			} `json:"segments"`
		} `json:"latest_version"`
	}
	demoTerm struct {
		Term string `json:"term"`
	}
	demoGlossary struct {
		Terms []struct {
			ID      string `json:"id"`
			Targets map[string]struct {
				Preferred string `json:"preferred"`
			} `json:"targets"`
		} `json:"terms"`
	}
)

// runDemo submits the embedded sample article through the running API, waits until every
// translation has left the queue, and prints one line per language. The external id makes a
// second demo on the same data folder find the first article instead of adding another.
func runDemo(ctx context.Context, baseURL, token string, out io.Writer) error {
	title, body := tarjuma.SampleArticle()
	payload, err := json.Marshal(map[string]string{"title": title, "body": body, "external_id": "demo-summit-ar"})
	if err != nil {
		return err
	}
	c := demoClient{base: baseURL, token: token}
	var art demoArticle
	if err := c.do(ctx, http.MethodPost, "/api/v1/articles", payload, &art); err != nil {
		return fmt.Errorf("submit sample: %w", err)
	}
	fmt.Fprintf(out, "submitted the sample article as #%d; translating into tg, ru, en…\n", art.ID)
	deadline := time.Now().Add(2 * time.Minute)
	for !allSettled(art) {
		if time.Now().After(deadline) {
			return fmt.Errorf("translations still pending after 2 minutes: %+v", art.Translations)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/articles/%d", art.ID), nil, &art); err != nil {
			return err
		}
	}
	var terms demoGlossary
	if err := c.do(ctx, http.MethodGet, "/api/v1/glossary/terms", nil, &terms); err != nil {
		return err
	}
	forms := map[string]map[string]string{} // term id → language → preferred form
	for _, term := range terms.Terms {
		forms[term.ID] = map[string]string{}
		for lang, f := range term.Targets {
			forms[term.ID][lang] = f.Preferred
		}
	}
	for _, t := range art.Translations {
		var tr demoTranslation
		if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/articles/%d/translations/%s", art.ID, t.Lang), nil, &tr); err != nil {
			return err
		}
		fmt.Fprintln(out, summaryLine(t.Lang, tr, forms))
	}
	fmt.Fprintf(out, `
The drafts are stored. Untranslated segments keep the Arabic for a translator: the offline
default never invents text (set TARJUMA_MT to use an engine).
  curl -H 'Authorization: Bearer %s' %s/api/v1/articles/%d/translations/tg
Serving on %s until Ctrl-C.
`, token, baseURL, art.ID, baseURL)
	return nil
}

func allSettled(a demoArticle) bool {
	for _, t := range a.Translations {
		if t.Status == string(tarjuma.StatusQueued) || t.Status == string(tarjuma.StatusTranslating) {
			return false
		}
	}
	return len(a.Translations) > 0
}

// summaryLine reads like "tg  needs_review  version 1  18 body segments: 0 memory, 0 machine,
// 0 human, 18 untranslated; 48 glossary terms to apply: Президенти Ҷумҳурии Тоҷикистон, …".
func summaryLine(lang string, tr demoTranslation, forms map[string]map[string]string) string {
	if tr.LatestVersion == nil {
		return fmt.Sprintf("%s  %s  no version  %s", lang, tr.Status, tr.FailureReason)
	}
	counts := map[string]int{}
	for _, s := range tr.LatestVersion.Segments {
		kind := s.Origin
		if tarjuma.Origin(kind).IsMachine() {
			kind = "machine"
		}
		counts[kind]++
	}
	var parts []string
	for _, kind := range []string{"memory", "machine", "human", "untranslated"} {
		parts = append(parts, fmt.Sprintf("%d %s", counts[kind], kind))
	}
	occurrences := tr.LatestVersion.TitleTerms
	for _, s := range tr.LatestVersion.Segments {
		occurrences = append(occurrences, s.Terms...)
	}
	var examples []string
	for _, o := range occurrences {
		if f := forms[o.Term][lang]; f != "" && !slices.Contains(examples, f) && len(examples) < 4 {
			examples = append(examples, f)
		}
	}
	return fmt.Sprintf("%s  %s  version %d  %d body segments: %s; %d glossary terms to apply: %s, …", lang, tr.Status,
		tr.LatestVersion.Number, len(tr.LatestVersion.Segments), strings.Join(parts, ", "), len(occurrences), strings.Join(examples, ", "))
}

// demoClient calls the API as the demo's editor would, with curl's view of it.
type demoClient struct{ base, token string }

func (c demoClient) do(ctx context.Context, method, path string, body []byte, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, raw)
	}
	return json.Unmarshal(raw, into)
}

// demoEmail is the review-desk account the demo makes, so a newcomer can open the pages at once.
const demoEmail = "demo@tarjuma.test"

// createDemoUser makes the demo's admin account with a fresh password on the first demo run in a
// data folder, and prints how to sign in; later runs leave the account as it is.
func createDemoUser(ctx context.Context, db *store.DB, addr string, out io.Writer) error {
	if _, err := db.UserByEmail(ctx, demoEmail); err == nil {
		fmt.Fprintf(out, "review desk: http://%s/login as %s (password printed by the first demo run)\n", addr, demoEmail)
		return nil
	} else if !errors.Is(err, tarjuma.ErrNotFound) {
		return err
	}
	password := rand.Text()
	if _, err := auth.CreateUser(ctx, db, auth.NewUser{Email: demoEmail, Password: password, Role: tarjuma.RoleAdmin}); err != nil {
		return err
	}
	fmt.Fprintf(out, "review desk: http://%s/login as %s, password %s\n", addr, demoEmail, password)
	return nil
}
