package tarjuma

import (
	_ "embed"
	"strings"
)

//go:embed testdata/summit-ar.txt
var sampleArticle string

// SampleArticle returns the Arabic wire story that `tarjuma demo` submits, split into title
// (its first line) and body. It is embedded so the demo runs from the binary alone.
func SampleArticle() (title, body string) {
	title, body, _ = strings.Cut(sampleArticle, "\n")
	return title, body
}
