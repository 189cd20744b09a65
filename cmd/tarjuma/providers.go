package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/translate/deepl"
	"github.com/tarjuma/tarjuma/translate/google"
	"github.com/tarjuma/tarjuma/translate/openai"
)

// chainNames lists the engine names the configured chains use, in first-seen order.
func (c config) chainNames() []string {
	var names []string
	specs := []string{c.MTChain}
	for _, lang := range tarjuma.TargetLangs() {
		specs = append(specs, c.MTChainByLang[lang])
	}
	for _, spec := range specs {
		for name := range strings.SplitSeq(spec, ",") {
			if name = strings.TrimSpace(name); name != "" && name != translate.MemoryChain && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// buildEngine makes the engine a chain calls name; engines no chain names are never built, so a
// desk without Google needs no Google credentials. The closer, if any, ends its connections.
func (c config) buildEngine(ctx context.Context, name string) (translate.Engine, io.Closer, error) {
	switch name {
	case "google":
		if c.MT.GoogleAPI == "v2" {
			e, err := google.NewV2(ctx, google.V2Config{APIKey: c.MT.GoogleAPIKey, Endpoint: c.MT.GoogleEndpoint})
			return e, nil, err
		}
		e, err := google.NewV3(ctx, google.V3Config{Project: c.MT.GoogleProject, Location: c.MT.GoogleLocation,
			Endpoint: c.MT.GoogleEndpoint, Glossaries: c.MT.GoogleGlossary})
		if err != nil {
			return nil, nil, err
		}
		return e, e, nil
	case "deepl":
		if c.MT.DeepLKey == "" {
			return nil, nil, errors.New("TARJUMA_DEEPL_KEY is not set")
		}
		return deepl.New(deepl.Config{Key: c.MT.DeepLKey, BaseURL: c.MT.DeepLURL}), nil, nil
	case "openai":
		if c.MT.OpenAIModel == "" {
			return nil, nil, errors.New("TARJUMA_OPENAI_MODEL is not set")
		}
		return openai.New(openai.Config{BaseURL: c.MT.OpenAIBaseURL, Model: c.MT.OpenAIModel, Key: c.MT.OpenAIKey}), nil, nil
	}
	return nil, nil, fmt.Errorf("unknown MT engine %q (known: google, deepl, openai, %s)", name, translate.MemoryChain)
}

// buildProviders adds to a.providers every engine the chains name that is not there yet (tests
// put stand-ins there first), each wrapped with the limits, retries and accounting every engine
// gets.
func (a *app) buildProviders(ctx context.Context) error {
	for _, name := range a.cfg.chainNames() {
		if _, ok := a.providers[name]; ok {
			continue
		}
		engine, closer, err := a.cfg.buildEngine(ctx, name)
		if err != nil {
			return fmt.Errorf("MT engine %s: %w", name, err)
		}
		if closer != nil {
			a.closers = append(a.closers, closer)
		}
		a.providers[name] = translate.NewProvider(engine, translate.ProviderOptions{
			Concurrency:    a.cfg.MT.Concurrency,
			CharsPerMinute: a.cfg.MT.CharsPerMinute,
			Logger:         a.log,
			Usage:          a.db,
			Registerer:     a.registry,
		})
	}
	return nil
}

// runProviders handles `providers check`: each configured engine translates one short sentence
// into every language it serves, and the answer, glossary support and latency are printed.
func runProviders(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "check" {
		return errors.New("usage: tarjuma providers check")
	}
	names := cfg.chainNames()
	if len(names) == 0 {
		fmt.Fprintln(stdout, "no MT engine configured: TARJUMA_MT is memory only")
		return nil
	}
	var failed []string
	for _, name := range names {
		engine, closer, err := cfg.buildEngine(ctx, name)
		if err != nil {
			fmt.Fprintf(stdout, "%s: not usable: %v\n", name, err)
			failed = append(failed, name)
			continue
		}
		for _, lang := range tarjuma.TargetLangs() {
			caps, ok := engine.Supports(tarjuma.Arabic, lang)
			if !ok {
				fmt.Fprintf(stdout, "%-16s ar→%s  not served\n", engine.Name(), lang)
				continue
			}
			began := time.Now()
			callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
			texts, err := engine.Send(callCtx, translate.Request{Source: tarjuma.Arabic, Target: lang, Texts: []string{"رئيس جمهورية طاجيكستان يزور دوشنبه."}})
			cancel()
			took := time.Since(began).Round(time.Millisecond)
			if err != nil {
				fmt.Fprintf(stdout, "%-16s ar→%s  error after %v: %v\n", engine.Name(), lang, took, err)
				failed = append(failed, engine.Name()+"/"+string(lang))
				continue
			}
			fmt.Fprintf(stdout, "%-16s ar→%s  ok in %v  html=%v glossary=%v  %q\n", engine.Name(), lang, took, caps.HTML, caps.Glossary, texts[0])
		}
		if closer != nil {
			closer.Close()
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("engines failing: %s", strings.Join(failed, ", "))
	}
	return nil
}
