package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/store"
)

// runGlossary handles `glossary match|import|export`.
func runGlossary(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: tarjuma glossary match --glossary FILE.csv | import [--replace] FILE | export [--format csv|tbx]")
	}
	switch args[0] {
	case "match":
		return runGlossaryMatch(args[1:], stdin, stdout)
	case "import":
		return runGlossaryImport(ctx, cfg, args[1:], stdout)
	case "export":
		return runGlossaryExport(ctx, cfg, args[1:], stdout)
	}
	return fmt.Errorf("unknown glossary command %q: want match, import or export", args[0])
}

// runGlossaryMatch prints one JSON object per match, line by line, with byte offsets into the
// whole input as read from stdin; other tools rely on this shape.
func runGlossaryMatch(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("glossary match", flag.ContinueOnError)
	file := fs.String("glossary", "", "the term base, CSV or TBX (default: the starter term base)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var terms []glossary.Term
	var err error
	if *file == "" {
		terms, err = glossary.Starter()
	} else {
		terms, err = readGlossaryFile(*file)
	}
	if err != nil {
		return err
	}
	text, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	type match struct {
		Term  string `json:"term"`
		Start int    `json:"start"`
		End   int    `json:"end"`
		Text  string `json:"text"`
	}
	for _, m := range glossary.NewMatcher(terms, time.Now()).Match(string(text)) {
		if err := enc.Encode(match{m.TermID, m.Start, m.End, m.Text}); err != nil {
			return err
		}
	}
	return out.Flush()
}

// readGlossaryFile reads a CSV or, by its extension, a TBX file.
func readGlossaryFile(name string) ([]glossary.Term, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	read := glossary.ReadCSV
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".tbx" || ext == ".xml" {
		read = glossary.ReadTBX
	}
	terms, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return terms, nil
}

// runGlossaryImport loads a CSV or TBX file into the database's glossary, all or nothing.
func runGlossaryImport(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("glossary import", flag.ContinueOnError)
	replace := fs.Bool("replace", false, "make the file the whole glossary instead of merging it in")
	by := fs.String("by", "cli", "recorded as who changed the terms")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: tarjuma glossary import [--replace] FILE (.csv, .tbx)")
	}
	terms, err := readGlossaryFile(fs.Arg(0))
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	version, err := db.ImportGlossary(ctx, terms, *replace, *by)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d terms; glossary version %d\n", len(terms), version)
	return nil
}

func runGlossaryExport(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("glossary export", flag.ContinueOnError)
	format := fs.String("format", "csv", "csv or tbx")
	if err := fs.Parse(args); err != nil {
		return err
	}
	write := glossary.WriteCSV
	switch *format {
	case "csv":
	case "tbx":
		write = glossary.WriteTBX
	default:
		return fmt.Errorf("--format %q: want csv or tbx", *format)
	}
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	terms, _, err := db.GlossaryTerms(ctx, store.GlossaryFilter{})
	if err != nil {
		return err
	}
	return write(stdout, terms)
}

// loadStarterGlossary gives a new desk the shipped term base, once: only while the glossary has
// never been edited (version 0).
func loadStarterGlossary(ctx context.Context, db *store.DB, out io.Writer) error {
	version, err := db.GlossaryVersion(ctx)
	if err != nil || version > 0 {
		return err
	}
	terms, err := glossary.Starter()
	if err != nil {
		return err
	}
	if version, err = db.ImportGlossary(ctx, terms, false, "starter"); err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded the starter glossary: %d terms (version %d)\n", len(terms), version)
	return nil
}
