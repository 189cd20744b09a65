package glossary

import (
	_ "embed"
	"strings"
)

//go:embed starter.csv
var starterCSV string

// Starter returns the term base tarjuma ships for a Tajik state news desk: the names and titles
// of the sample wire story, the heads of state and government of Central Asia and of
// Tajikistan's main partners, Tajik offices, ministries, regions and cities, international
// organisations and recurring events. Forms the compilers were unsure of say so in the note
// ("uncertain: …"). It is embedded so `tarjuma demo` runs from the binary alone.
func Starter() ([]Term, error) { return ReadCSV(strings.NewReader(starterCSV)) }
