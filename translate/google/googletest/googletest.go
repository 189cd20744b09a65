// Package googletest answers as the Google Cloud Translation v2 REST API does, for the stand-in
// servers of tests that call it through the google package.
package googletest

import (
	"encoding/json"
	"net/http"
)

// V2Body is the v2 request body as google.golang.org/api/translate/v2 sends it: the
// TranslateTextRequest wrapped in {"data": ...}.
type V2Body struct {
	Data struct {
		Q      []string `json:"q"`
		Target string   `json:"target"`
		Source string   `json:"source"`
		Format string   `json:"format"`
	} `json:"data"`
}

// WriteV2 writes texts as the body of a v2 translate response: {"data":{"translations":[...]}},
// an empty list (not null) for no texts.
func WriteV2(w http.ResponseWriter, texts ...string) {
	type translation struct {
		TranslatedText string `json:"translatedText"`
	}
	var resp struct {
		Data struct {
			Translations []translation `json:"translations"`
		} `json:"data"`
	}
	resp.Data.Translations = make([]translation, 0, len(texts))
	for _, t := range texts {
		resp.Data.Translations = append(resp.Data.Translations, translation{t})
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(resp)
}
