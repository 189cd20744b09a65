package api

import "testing"

func TestUnpairedSurrogate(t *testing.T) {
	for _, tc := range []struct {
		name, json, want string
	}{
		{"lone high", `{"title":"قمة \ud800","body":"نص"}`, `\ud800`},
		{"lone low", `{"title":"قمة \udc00"}`, `\udc00`},
		{"upper-case hex", `{"title":"\uDBFF x"}`, `\uDBFF`},
		{"high then non-low escape", `{"title":"\ud800\u0041"}`, `\ud800`},
		{"high then high", `{"title":"\ud83d\ud83d\ude00"}`, `\ud83d`},
		{"high then other escape", `{"title":"\ud800\n"}`, `\ud800`},
		{"high at end of string", `{"title":"\ud83d"}`, `\ud83d`},
		{"high at end of input", `"\ud83d`, `\ud83d`},
		{"low after a pair", `{"title":"\ud83d\ude00\ude00"}`, `\ude00`},
		{"escaped backslash before a lone surrogate", `{"title":"\\\ud800"}`, `\ud800`},
		{"valid pair", `{"title":"قمة \ud83d\ude00","body":"\uD83D\uDE00"}`, ""},
		{"literal U+FFFD", `{"title":"قمة ` + "\uFFFD" + `"}`, ""},
		{"escaped U+FFFD", `{"title":"قمة \ufffd"}`, ""},
		{"escaped backslash then letters", `{"title":"\\ud800"}`, ""},
		{"escaped quote then letters", `{"title":"\"\\udc00"}`, ""},
		{"BMP escapes", `{"title":"\u0642\u0645\u0629 \ud7ff \ue000"}`, ""},
		{"Arabic text", `{"title":"قمة دوشنبه","body":"أكد الرئيس أهمية التعاون الإقليمي."}`, ""},
		{"malformed escape", `{"title":"\u12"}`, ""},
		{"empty", ``, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unpairedSurrogate([]byte(tc.json)); got != tc.want {
				t.Errorf("unpairedSurrogate(%s) = %q, want %q", tc.json, got, tc.want)
			}
		})
	}
}
