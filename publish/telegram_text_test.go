package publish_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
)

// The expected splits are worked out by hand, counting characters as Telegram does: the visible
// text after tags are dropped and entities decoded, in UTF-16 code units.
func TestSplitTelegramHTML(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{{
		// "Заголовок" 9, "\n\n" 2, "Первый абзац." 13, "\n\n" 2, "Второй абзац текста." 20. With
		// 20 a message, the title and the first paragraph (9+2+13 = 24) do not fit together; the
		// last paragraph is exactly 20 and fits.
		name:  "russian paragraphs",
		in:    "<b>Заголовок</b>\n\nПервый абзац.\n\nВторой абзац текста.",
		limit: 20,
		want:  []string{"<b>Заголовок</b>", "Первый абзац.", "Второй абзац текста."},
	}, {
		// The first two fit in 20 (5 + 2 + 8); the paragraph break is preferred to the word
		// break the third paragraph ("Пять шесть." 11, making 28) would allow.
		name:  "paragraphs packed",
		in:    "Один.\n\nДва три.\n\nПять шесть.",
		limit: 20,
		want:  []string{"Один.\n\nДва три.", "Пять шесть."},
	}, {
		// Tajik, one paragraph, a bold phrase across the cuts. "Ҳукумати " is 9; "Ҷумҳурии" 8 more
		// would make 17 > 16, so the first message ends after "Ҳукумати". The bold phrase
		// "Ҷумҳурии Тоҷикистон" (8+1+10) does not fit in 16 either: it is cut between its words,
		// the <b> closed and reopened. "Тоҷикистон қарор" is 16; "қабул кард." is the rest.
		name:  "tajik bold across the cut",
		in:    "Ҳукумати <b>Ҷумҳурии Тоҷикистон</b> қарор қабул кард.",
		limit: 16,
		want:  []string{"Ҳукумати", "<b>Ҷумҳурии</b>", "<b>Тоҷикистон</b> қарор", "қабул кард."},
	}, {
		// A link's tag carries its attribute into the next message. "См. полный" is 10 and
		// " текст" would make 16; "текст статьи" is exactly 12.
		name:  "link reopened",
		in:    `См. <a href="https://example.tj/a?b=1&amp;c=2">полный текст статьи</a>`,
		limit: 12,
		want:  []string{`См. <a href="https://example.tj/a?b=1&amp;c=2">полный</a>`, `<a href="https://example.tj/a?b=1&amp;c=2">текст статьи</a>`},
	}, {
		// Entities count as the one character they stand for: "Цена <100> руб." is 15, and the
		// first 10 are "Цена <100>".
		name:  "entities count once",
		in:    "Цена &lt;100&gt; руб.",
		limit: 10,
		want:  []string{"Цена &lt;100&gt;", "руб."},
	}, {
		// 🙂 is outside the BMP: two UTF-16 code units. "Привет 🙂" would be 9 > 8.
		name:  "astral characters count two",
		in:    "Привет 🙂 мир",
		limit: 8,
		want:  []string{"Привет", "🙂 мир"},
	}, {
		// A line break is taken when no paragraph break fits: "строка один" is 11.
		name:  "line break before word break",
		in:    "строка один\nстрока два",
		limit: 15,
		want:  []string{"строка один", "строка два"},
	}, {
		// A word longer than a message is cut where the message is full.
		name:  "overlong word",
		in:    "абвгдеёжзий",
		limit: 4,
		want:  []string{"абвг", "деёж", "зий"},
	}, {
		name:  "fits",
		in:    "<i>Коротко.</i>",
		limit: 4096,
		want:  []string{"<i>Коротко.</i>"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := publish.SplitTelegramHTML(tt.in, tt.limit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("split (-want +got):\n%s", diff)
			}
			for _, m := range got {
				// Every message must be HTML Telegram parses: no tag cut or left open.
				text, _, err := telegramtest.ParseHTML(m)
				if err != nil {
					t.Errorf("message %q: %v", m, err)
				}
				if n := publish.TelegramTextLen(m); n > tt.limit {
					t.Errorf("message %q is %d long, over %d (visible %q)", m, n, tt.limit, text)
				}
			}
		})
	}
}

// A single paragraph longer than a message is split between words at the real limit: "слово "
// is 6, so 682 words take 682×6−1 = 4091 and the 683rd would end at 4097.
func TestSplitTelegramLongParagraph(t *testing.T) {
	para := strings.TrimSuffix(strings.Repeat("слово ", 1000), " ")
	got := publish.SplitTelegramHTML(para, publish.TelegramMessageLimit)
	want := []string{
		strings.TrimSuffix(strings.Repeat("слово ", 682), " "),
		strings.TrimSuffix(strings.Repeat("слово ", 318), " "),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("split (-want +got):\n%s", diff)
	}
}

// An article is its bold title and paragraphs; messages are packed up to the last paragraph
// that fits: 1 + 2 + 2999 + 2 + 1002 = 4006, and the third paragraph (201) would make 4209.
func TestTelegramPostMessages(t *testing.T) {
	words := func(n int) string { return strings.TrimSuffix(strings.Repeat("ҳа ", n), " ") } // 3n−1
	post := publish.TelegramPost{Title: "Т", Paragraphs: []string{words(1000), words(333) + " <ҳ>", words(66) + " & ҷ"}}
	// words(333) + " <ҳ>" is 998 + 4 = 1002; words(66) + " & ҷ" is 197 + 4 = 201.
	got := post.Messages()
	want := []string{
		"<b>Т</b>\n\n" + words(1000) + "\n\n" + words(333) + " &lt;ҳ&gt;",
		words(66) + " &amp; ҷ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if n := publish.TelegramTextLen(got[0]); n != 1+2+2999+2+1002 {
		t.Errorf("first message is %d long, want 4006", n)
	}
}
