package deepl

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

const (
	// maxGlossaryField is DeepL's limit on each source and target phrase, in bytes.
	maxGlossaryField = 1024
	// retireAfter is how long a superseded glossary is kept before it is deleted, so requests
	// already sent with its id (at most the client timeout) still find it.
	retireAfter = 10 * time.Minute
)

// glossaryState is the DeepL glossary in use for one target language.
//
// Request.Glossary holds only the terms found in one batch, so a DeepL glossary per batch would
// cost a request per article and fill the account (1000 glossaries at most). Instead one
// glossary per target grows to the union of the terms seen under the current glossary version:
// a batch whose terms it already holds reuses it, and a batch with new terms replaces it with
// the larger union. Creations stop once the desk's common terms are in.
type glossaryState struct {
	version int64
	entries map[string]string // source → target, exactly as in the DeepL glossary
	id      string
}

// retiredGlossary is a superseded glossary waiting to be deleted.
type retiredGlossary struct {
	id string
	at time.Time
}

// glossary returns the id of a DeepL glossary holding entries for target, creating a new one
// when the current one lacks some of them or belongs to an older version. It returns "" (no
// native glossary) when no entry is acceptable to DeepL, and for a request from an older
// glossary version than the current one, whose forms may have changed since: such a request
// still has its terms protected by the HTML spans.
func (e *Engine) glossary(ctx context.Context, target tarjuma.Lang, version int64, entries []translate.GlossaryEntry) (string, error) {
	batch := acceptable(entries)
	if len(batch) == 0 {
		return "", nil
	}
	e.mu.Lock()
	cur := e.glossaries[target]
	if cur != nil && version < cur.version {
		e.mu.Unlock()
		return "", nil
	}
	union := map[string]string{}
	if cur != nil && version == cur.version {
		union = maps.Clone(cur.entries)
	}
	grown := false
	for src, dst := range batch {
		// The first form seen for a source wins within a version, so two terms spelled alike
		// cannot make batches replace the glossary back and forth.
		if _, ok := union[src]; !ok {
			union[src] = dst
			grown = true
		}
	}
	if !grown {
		e.mu.Unlock()
		return cur.id, nil
	}
	id, err := e.createGlossary(ctx, target, version, union)
	if err != nil {
		e.mu.Unlock()
		return "", err
	}
	now := e.now()
	if cur != nil {
		e.retired = append(e.retired, retiredGlossary{id: cur.id, at: now})
	}
	e.glossaries[target] = &glossaryState{version: version, entries: union, id: id}
	var due []string
	e.retired = slices.DeleteFunc(e.retired, func(r retiredGlossary) bool {
		if now.Sub(r.at) < retireAfter {
			return false
		}
		due = append(due, r.id)
		return true
	})
	e.mu.Unlock()

	for _, old := range due {
		// Best effort: a glossary left behind costs a slot in the account, not a translation.
		if resp, err := e.do(ctx, http.MethodDelete, "/v2/glossaries/"+old, nil); err == nil {
			resp.Body.Close()
		}
	}
	return id, nil
}

// forget drops a glossary DeepL no longer knows, so the next batch creates it again.
func (e *Engine) forget(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for target, g := range e.glossaries {
		if g.id == id {
			delete(e.glossaries, target)
		}
	}
}

// createGlossary makes one DeepL glossary; the caller holds e.mu, so concurrent batches with
// the same new terms create it once.
func (e *Engine) createGlossary(ctx context.Context, target tarjuma.Lang, version int64, entries map[string]string) (string, error) {
	var tsv strings.Builder
	for _, src := range slices.Sorted(maps.Keys(entries)) {
		tsv.WriteString(src + "\t" + entries[src] + "\n")
	}
	payload, err := translate.EncodeJSON(map[string]string{
		"name":           fmt.Sprintf("tarjuma-%s-v%d", target, version),
		"source_lang":    "ar",
		"target_lang":    string(target), // glossaries take "en", not a variant
		"entries":        tsv.String(),
		"entries_format": "tsv",
	})
	if err != nil {
		return "", e.permanent(err)
	}
	resp, err := e.do(ctx, http.MethodPost, "/v2/glossaries", payload)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		err := e.statusError(resp)
		err.Err = fmt.Errorf("creating glossary: %w", err.Err)
		return "", err
	}
	var out struct {
		GlossaryID string `json:"glossary_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.GlossaryID == "" {
		return "", e.retryable(fmt.Errorf("creating glossary: malformed response (%v)", err))
	}
	return out.GlossaryID, nil
}

// acceptable returns the entries DeepL takes, first form per source. DeepL refuses a whole
// glossary for a duplicate source, an empty phrase, a tab or line break inside one, or a
// phrase over 1 KiB; such entries are left out, and the HTML spans still protect those terms.
func acceptable(entries []translate.GlossaryEntry) map[string]string {
	out := make(map[string]string, len(entries))
	for _, en := range entries {
		src, dst := strings.TrimSpace(en.Source), strings.TrimSpace(en.Target)
		if _, dup := out[src]; dup || !validPhrase(src) || !validPhrase(dst) {
			continue
		}
		out[src] = dst
	}
	return out
}

func validPhrase(s string) bool {
	if s == "" || len(s) > maxGlossaryField {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	})
}
