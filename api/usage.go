package api

import (
	"fmt"
	"net/http"

	"github.com/tarjuma/tarjuma"
)

// usageJSON is what was sent to one MT engine for one language of an article, over all runs.
type usageJSON struct {
	Lang       tarjuma.Lang `json:"lang"`
	Provider   string       `json:"provider"`
	Characters int64        `json:"characters"`
	Requests   int64        `json:"requests"`
}

// getUsage answers with the article's machine translation usage, for the desk's MT budget.
func (s *Server) getUsage(w http.ResponseWriter, r *http.Request, id int64) error {
	usage, err := s.db.ArticleUsage(r.Context(), id)
	if err != nil {
		return fmt.Errorf("usage of article %d: %w", id, err)
	}
	out := struct {
		Usage []usageJSON `json:"usage"`
	}{Usage: make([]usageJSON, len(usage))}
	for i, u := range usage {
		out.Usage[i] = usageJSON(u)
	}
	return writeJSON(w, http.StatusOK, out)
}
