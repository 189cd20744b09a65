package google

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/translate/apiv3/translatepb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/translate/internal/enginetest"
)

// v3Stub implements the v3 TranslationService's TranslateText over real gRPC.
type v3Stub struct {
	translatepb.UnimplementedTranslationServiceServer
	mu    sync.Mutex
	calls []*translatepb.TranslateTextRequest
	reply func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error)
}

func (s *v3Stub) TranslateText(_ context.Context, req *translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
	s.mu.Lock()
	s.calls = append(s.calls, proto.Clone(req).(*translatepb.TranslateTextRequest))
	reply := s.reply
	s.mu.Unlock()
	return reply(req)
}

func (s *v3Stub) Calls() []*translatepb.TranslateTextRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*translatepb.TranslateTextRequest(nil), s.calls...)
}

// translations builds a v3 answer list.
func translations(texts ...string) []*translatepb.Translation {
	var out []*translatepb.Translation
	for _, t := range texts {
		out = append(out, &translatepb.Translation{TranslatedText: t})
	}
	return out
}

func v3Answer(texts ...string) func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
	return func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
		return &translatepb.TranslateTextResponse{Translations: translations(texts...)}, nil
	}
}

func v3Fail(st *status.Status) func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
	return func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
		return nil, st.Err()
	}
}

// newV3Stub serves the stand-in on 127.0.0.1:0 and dials it through V3 with cfg.
func newV3Stub(t *testing.T, cfg V3Config, reply func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error)) (*V3, *v3Stub) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stub := &v3Stub{reply: reply}
	srv := grpc.NewServer()
	translatepb.RegisterTranslationServiceServer(srv, stub)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	cfg.Endpoint = lis.Addr().String()
	cfg.ClientOptions = []option.ClientOption{option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
	e, err := NewV3(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, stub
}

func TestV3Success(t *testing.T) {
	for _, tc := range []struct {
		html     bool
		wantMime string
	}{{false, "text/plain"}, {true, "text/html"}} {
		t.Run(tc.wantMime, func(t *testing.T) {
			in := []string{`التقى <span translate="no">Эмомали Рахмон</span> بالوفد.`, "دوشنبه"}
			want := []string{`<span translate="no">Эмомали Рахмон</span> бо ҳайат мулоқот кард.`, "Душанбе"}
			e, stub := newV3Stub(t, V3Config{Project: "desk"}, v3Answer(want...))
			got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Texts: in, HTML: tc.html})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("translations (-want +got):\n%s", diff)
			}
			calls := stub.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d requests, want exactly 1", len(calls))
			}
			wantReq := &translatepb.TranslateTextRequest{Parent: "projects/desk/locations/global", Contents: in,
				MimeType: tc.wantMime, SourceLanguageCode: "ar", TargetLanguageCode: "tg"}
			if !proto.Equal(calls[0], wantReq) {
				t.Errorf("request %v, want %v", calls[0], wantReq)
			}
		})
	}
}

func TestV3Glossary(t *testing.T) {
	const ru = "projects/desk/locations/us-central1/glossaries/desk-ar-ru"
	e, stub := newV3Stub(t, V3Config{Project: "desk", Location: "us-central1",
		Glossaries: map[tarjuma.Lang]string{tarjuma.Russian: ru}},
		func(req *translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
			resp := &translatepb.TranslateTextResponse{Translations: translations("Рахмон без глоссария")}
			if req.GetGlossaryConfig() != nil {
				resp.GlossaryTranslations = translations("Эмомали Рахмон по глоссарию")
			}
			return resp, nil
		})
	if c, ok := e.Supports(tarjuma.Arabic, tarjuma.Russian); !ok || !c.Glossary || !c.HTML {
		t.Errorf("Supports(ar, ru) = %+v, %v; want HTML and glossary", c, ok)
	}
	if c, ok := e.Supports(tarjuma.Arabic, tarjuma.English); !ok || c.Glossary {
		t.Errorf("Supports(ar, en) = %+v, %v; want no glossary", c, ok)
	}

	entries := []translate.GlossaryEntry{{Source: "رحمون", Target: "Эмомали Рахмон"}}
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"رحمون"}, Glossary: entries})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "Эмомали Рахмон по глоссарию" {
		t.Errorf("ru: got %q, want the glossary translation", got[0])
	}
	// Without entries the Translator finds and inflects the terms itself: no fixed forms.
	got, err = e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"رحمون"}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "Рахмон без глоссария" {
		t.Errorf("ru without entries: got %q, want the plain translation", got[0])
	}
	got, err = e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English, Texts: []string{"رحمون"}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "Рахмон без глоссария" {
		t.Errorf("en: got %q, want the plain translation", got[0])
	}

	calls := stub.Calls()
	if g := calls[0].GetGlossaryConfig().GetGlossary(); g != ru {
		t.Errorf("ru request glossary %q, want %q", g, ru)
	}
	if calls[1].GetGlossaryConfig() != nil || calls[2].GetGlossaryConfig() != nil {
		t.Errorf("ru request without entries or en request carries glossary_config %v, %v; want none", calls[1].GetGlossaryConfig(), calls[2].GetGlossaryConfig())
	}
	if p := calls[0].GetParent(); p != "projects/desk/locations/us-central1" {
		t.Errorf("parent %q", p)
	}
}

func TestV3GlossaryShortResponse(t *testing.T) {
	// Google answers both lists with a glossary; a full plain list must not hide a short
	// glossary list.
	e, _ := newV3Stub(t, V3Config{Project: "desk", Location: "us-central1",
		Glossaries: map[tarjuma.Lang]string{tarjuma.Russian: "projects/desk/locations/us-central1/glossaries/g"}},
		func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
			return &translatepb.TranslateTextResponse{Translations: translations("a", "b"), GlossaryTranslations: translations("a")}, nil
		})
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"أ", "ب"},
		Glossary: []translate.GlossaryEntry{{Source: "أ", Target: "а"}}})
	enginetest.CheckError(t, got, err, "google-v3", false, 0, "short response")
}

func TestV3Errors(t *testing.T) {
	withDetails := func(code codes.Code, msg string, details ...protoadapt.MessageV1) *status.Status {
		st, err := status.New(code, msg).WithDetails(details...)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	enginetest.CheckFailures(t, "google-v3", []enginetest.Failure[func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error)]{
		{Name: "ResourceExhausted", Reply: v3Fail(status.New(codes.ResourceExhausted, "Quota exceeded for quota metric 'Translation characters' and limit 'per minute'"))},
		{Name: "ResourceExhausted with RetryInfo", Reply: v3Fail(withDetails(codes.ResourceExhausted, "Too many requests",
			&errdetails.RetryInfo{RetryDelay: durationpb.New(3 * time.Second)})), RetryAfter: 3 * time.Second},
		{Name: "ResourceExhausted per day", Reply: v3Fail(withDetails(codes.ResourceExhausted, "Quota exceeded",
			&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{Subject: "project:desk", Description: "Translation characters per day per project"}}})),
			Permanent: true},
		{Name: "Unavailable", Reply: v3Fail(status.New(codes.Unavailable, "try again"))},
		{Name: "DeadlineExceeded", Reply: v3Fail(status.New(codes.DeadlineExceeded, "slow"))},
		{Name: "Internal", Reply: v3Fail(status.New(codes.Internal, "oops"))},
		{Name: "PermissionDenied", Reply: v3Fail(status.New(codes.PermissionDenied, "Cloud Translation API has not been used in project desk")), Permanent: true},
		{Name: "Unauthenticated", Reply: v3Fail(status.New(codes.Unauthenticated, "bad token")), Permanent: true},
		{Name: "InvalidArgument", Reply: v3Fail(status.New(codes.InvalidArgument, "Target language is invalid.")), Permanent: true},
		{Name: "short response", Reply: v3Answer("only one"), Text: "short response"},
	}, func(t *testing.T, reply func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error)) ([]string, error) {
		e, _ := newV3Stub(t, V3Config{Project: "desk"}, reply)
		return e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English, Texts: []string{"واحد", "اثنان"}})
	})
}

func TestV3Config(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  V3Config
	}{
		{"no project", V3Config{}},
		{"glossary in another location", V3Config{Project: "desk", Glossaries: map[tarjuma.Lang]string{tarjuma.Russian: "projects/desk/locations/us-central1/glossaries/g"}}},
		{"glossary for the source language", V3Config{Project: "desk", Location: "us-central1", Glossaries: map[tarjuma.Lang]string{tarjuma.Arabic: "projects/desk/locations/us-central1/glossaries/g"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e, err := NewV3(t.Context(), tc.cfg); err == nil {
				_ = e.Close()
				t.Error("NewV3 succeeded, want a configuration error")
			}
		})
	}
}

func TestV3LimitsAndPairs(t *testing.T) {
	e, stub := newV3Stub(t, V3Config{Project: "desk"}, v3Answer())
	if e.Name() != "google-v3" {
		t.Errorf("Name() = %q", e.Name())
	}
	if l := e.Limits(); l != (translate.Limits{MaxTexts: 1024, MaxRunes: 5000}) {
		t.Errorf("Limits() = %+v", l)
	}
	if _, ok := e.Supports(tarjuma.English, tarjuma.Russian); ok {
		t.Error("Supports(en, ru) = true, want false")
	}
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.English, Target: tarjuma.Russian, Texts: []string{"hi"}})
	enginetest.CheckError(t, got, err, "google-v3", true, 0, "unsupported")
	if got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian}); err != nil || len(got) != 0 {
		t.Errorf("empty request: got %q, %v", got, err)
	}
	if n := len(stub.Calls()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestV3Timeout: the stand-in answers only after the caller's deadline has passed (once the
// test is over), so the deadline is what ends the call.
func TestV3Timeout(t *testing.T) {
	late := make(chan struct{})
	defer close(late)
	e, _ := newV3Stub(t, V3Config{Project: "desk"}, func(*translatepb.TranslateTextRequest) (*translatepb.TranslateTextResponse, error) {
		<-late
		return &translatepb.TranslateTextResponse{Translations: translations("late")}, nil
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got, err := e.Send(ctx, translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English, Texts: []string{"متأخر"}})
	enginetest.CheckError(t, got, err, "google-v3", false, 0, "DeadlineExceeded")
}
