package scrub_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/scrub"
)

// The secrets of the hostile suites: XML-special, URL-special, quote, backslash and
// non-ASCII characters (a two-byte, a three-byte and a four-byte rune).
var hostile = []string{
	`p&ss<w"ö'rd>`,
	`Tök€n+/=%20\x`,
	"otp 𝄞 1&2",
}

// escapes lists every way a server or a client may write a secret back.
func escapes(s string) map[string]string {
	var goEsc, attr strings.Builder
	_ = xml.EscapeText(&goEsc, []byte(s))
	// .NET's XmlWriter: named entities for & < > " ' and &#xD; &#xA; for line ends.
	dotnet := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;",
		"\r", "&#xD;", "\n", "&#xA;").Replace(s)
	attr.WriteString(dotnet)
	var num strings.Builder // every character as a decimal reference, leading zeros
	for _, r := range s {
		fmt.Fprintf(&num, "&#00%d;", r)
	}
	var hexSur strings.Builder // UTF-16 surrogate pairs as two hex references (.NET)
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&hexSur, "&#x%X;&#x%x;", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&hexSur, "&#x%X;", r)
	}
	js, _ := json.Marshal(s)
	var jsASCII strings.Builder
	for _, r := range s {
		if r < 0x80 && r != '"' && r != '\\' {
			jsASCII.WriteRune(r)
		} else if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&jsASCII, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			fmt.Fprintf(&jsASCII, `\u%04x`, r)
		}
	}
	q := strconv.Quote(s)
	qa := strconv.QuoteToASCII(s)
	return map[string]string{
		"raw":             s,
		"go xml":          goEsc.String(),
		"dotnet xml":      dotnet,
		"twice escaped":   strings.ReplaceAll(goEsc.String(), "&", "&amp;"),
		"thrice escaped":  strings.ReplaceAll(strings.ReplaceAll(dotnet, "&", "&amp;"), "&", "&amp;"),
		"decimal refs":    num.String(),
		"hex surrogates":  hexSur.String(),
		"query":           url.QueryEscape(s),
		"query lower hex": regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower),
		"path":            url.PathEscape(s),
		"json":            string(js[1 : len(js)-1]),
		"json ascii":      jsASCII.String(),
		"go %q":           q[1 : len(q)-1],
		"go %+q":          qa[1 : len(qa)-1],
	}
}

func TestStringRemovesEveryForm(t *testing.T) {
	set := scrub.New(hostile...)
	for _, sec := range hostile {
		for name, form := range escapes(sec) {
			t.Run(name+"/"+sec, func(t *testing.T) {
				in := "The value " + form + " is not valid."
				out := set.String(in)
				assert.Equal(t, "The value [REDACTED] is not valid.", out)
				assert.True(t, set.Contains(in))
				assert.False(t, set.Contains(out))
			})
		}
	}
}

// A secret cut at the end of a text (an excerpt's limit) is removed from where it starts,
// in any form, even in the middle of an escape.
func TestStringCutAtEnd(t *testing.T) {
	set := scrub.New(hostile...)
	for _, sec := range hostile {
		for name, form := range escapes(sec) {
			for cut := len(form) - 1; cut >= 1; cut-- {
				in := "echo: " + form[:cut]
				out := set.String(in)
				// Bytes of the secret that are still there, decoded: at most PartialMin-1.
				if out != "echo: [REDACTED]" {
					require.LessOrEqual(t, cut, prefixBytes(form, scrub.PartialMin), "%s/%s cut at %d: %q -> %q", name, sec, cut, in, out)
				}
			}
		}
	}
}

// prefixBytes is how many bytes of form hold fewer than n characters' worth of the secret: a
// cut no longer than that may stay (too little to tell from text).
func prefixBytes(form string, n int) int {
	// Every unit is at most 12 bytes (&amp;amp;#x22; and the like are shorter than that
	// times n); a cut keeping fewer than n secret bytes is at most n units.
	return n * 16
}

func TestStringLeavesOtherTextAlone(t *testing.T) {
	set := scrub.New("hunter22", "a", "ab", "abc") // the short ones are not scrubbed by value
	for _, in := range []string{
		"",
		"a b c abc ab",
		"hunter2 is not hunter 22",
		"&amp; &lt;hunter&gt; %41 \\u0041 + 100%",
		"hunter2& more",
	} {
		assert.Equal(t, in, set.String(in))
	}
	assert.Equal(t, 1, set.Len())
	assert.Equal(t, "x [REDACTED] y", set.String("x hunter22 y"))
}

func TestLongestFirstAndAdjacent(t *testing.T) {
	set := scrub.New("token", "token-refresh")
	assert.Equal(t, "[REDACTED] and [REDACTED][REDACTED]", set.String("token-refresh and tokentoken"))
}

func TestNilAndEmptySet(t *testing.T) {
	var set *scrub.Set
	set.Add("whatever")
	assert.Equal(t, "whatever", set.String("whatever"))
	assert.False(t, set.Contains("whatever"))
	err := errors.New("whatever")
	assert.Same(t, err, set.Error(err))
	h := slog.NewTextHandler(&bytes.Buffer{}, nil)
	assert.Equal(t, slog.Handler(h), set.Handler(h))
	assert.Equal(t, 0, set.Len())
	empty := scrub.New("")
	assert.Same(t, err, empty.Error(err))
}

func TestError(t *testing.T) {
	set := scrub.New(`p&w d<"x"`)
	base := &testError{msg: `echo: p&w d<"x"`}
	err := set.Error(fmt.Errorf("op: %w", base))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, err)
		assert.NotContains(t, out, `p&w`, verb)
	}
	assert.Equal(t, "op: echo: [REDACTED]", err.Error())
	assert.Equal(t, `"op: echo: [REDACTED]"`, fmt.Sprintf("%q", err))
	assert.ErrorIs(t, err, base)
	var te *testError
	require.ErrorAs(t, err, &te)
	assert.Same(t, base, te)
	assert.Same(t, err, set.Error(err), "scrubbed once")
	assert.NoError(t, set.Error(nil))

	// An error that shows no secret is returned as it is; one that does is printed with the
	// secrets known when it is printed.
	clean := errors.New("ticket T-12345678")
	assert.Same(t, clean, set.Error(clean))
	late := set.Error(errors.New("p&w d<\"x\" ticket T-12345678"))
	set.Add("T-12345678")
	assert.Equal(t, "[REDACTED] ticket [REDACTED]", late.Error())
	// %#v of a struct error reaches fields that Error does not print.
	hidden := set.Error(&fieldError{Detail: `p&w d<"x"`})
	assert.Equal(t, "field error", hidden.Error())
	assert.NotContains(t, fmt.Sprintf("%#v", hidden), "p&w")
}

type fieldError struct{ Detail string }

func (e *fieldError) Error() string { return "field error" }

type testError struct{ msg string }

func (e *testError) Error() string { return e.msg }

// Every attribute shape the handler can receive is scrubbed, through WithAttrs and
// WithGroup too.
func TestHandler(t *testing.T) {
	const secret = "hunter2-secret"
	var buf bytes.Buffer
	s := scrub.New(secret)
	l := slog.New(s.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l = l.With("pre", "with "+secret).WithGroup("g")
	l.Debug("msg "+secret,
		slog.String("s", secret),
		slog.Any("h", http.Header{"X-Echo": {"a " + secret}}),
		slog.Any("err", errors.New("failed: "+secret)),
		slog.Any("list", []string{secret}),
		slog.Any("bytes", []byte("b "+url.QueryEscape(secret))),
		slog.Group("grp", slog.String("inner", secret), slog.Int("n", 1)),
		slog.Int("n", 7),
	)
	out := buf.String()
	require.NotEmpty(t, out)
	assert.NotContains(t, out, secret)
	assert.Contains(t, out, "n=7")
	assert.Contains(t, out, "g.grp.n=1")
	assert.Equal(t, 8, bytes.Count(buf.Bytes(), []byte("[REDACTED]")), out)
	assert.False(t, l.Handler().Enabled(t.Context(), slog.LevelDebug-1))
}

func TestConcurrentAdd(t *testing.T) {
	set := scrub.New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			set.Add(fmt.Sprintf("secret-%04d", i))
		}()
		go func() {
			defer wg.Done()
			_ = set.String("secret-0001 secret-0002")
		}()
	}
	wg.Wait()
	assert.Equal(t, "[REDACTED] [REDACTED]", set.String("secret-0001 secret-0002"))
}

// A hostile text cannot make scrubbing slow: each start position has a bounded budget.
func TestBoundedWork(t *testing.T) {
	set := scrub.New(strings.Repeat("&", 40), strings.Repeat("&amp;", 8))
	in := strings.Repeat("&amp;", 20000)
	out := set.String(in)
	assert.NotContains(t, out, strings.Repeat("&amp;", 8))
}

func FuzzString(f *testing.F) {
	f.Add("The value p&amp;ss&lt;w&quot;ö&apos;rd&gt; is", `p&ss<w"ö'rd>`)
	f.Add("cut p%26ss%3", `p&ss<`)
	f.Add(`q \"x\u00f6\ud834\udd1e`, `"xö𝄞`)
	f.Fuzz(func(t *testing.T, text, secret string) {
		if strings.Contains(secret, "\x00") {
			return
		}
		set := scrub.New(secret)
		out := set.String(text)
		// The marker itself may complete a secret that ends like it starts ("000[" after
		// "000"): look with the marker taken out.
		if len(secret) >= scrub.MinLen && strings.Contains(strings.ReplaceAll(out, scrub.Redacted, "\x00"), secret) {
			t.Fatalf("%q still in %q", secret, out)
		}
		if len(secret) >= scrub.MinLen && !strings.Contains(secret, scrub.Redacted) && set.Contains(strings.ReplaceAll(out, scrub.Redacted, "\x00")) {
			t.Fatalf("Contains(%q) after String", out)
		}
	})
}

// The configured credentials stay however many values are added later; the added ones keep
// the newest.
func TestAddKeepsPinnedAndNewest(t *testing.T) {
	set := scrub.New("configured-password")
	for i := range 200 {
		set.Add(fmt.Sprintf("ticket-%04d", i))
	}
	assert.Equal(t, "[REDACTED] [REDACTED]", set.String("configured-password ticket-0199"))
	assert.Equal(t, "ticket-0000", set.String("ticket-0000"), "the oldest added value was dropped")
	assert.Equal(t, 65, set.Len())
}

// Printing a struct that holds a Set, with any verb (a bad one included, which makes fmt
// dereference unexported pointer fields once), shows none of its values.
func TestSetNeverPrintsItsValues(t *testing.T) {
	set := scrub.New("configured-password")
	set.Add("issued-token-1234")
	type client struct {
		name    string
		secrets *scrub.Set
	}
	c := client{name: "c", secrets: set}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{c, &c, set} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "configured-password", verb)
			assert.NotContains(t, out, "issued-token-1234", verb)
		}
	}
	assert.Equal(t, "scrub.Set(2 values)", fmt.Sprint(set))
	var zero scrub.Set
	zero.Add("late-value-1")
	assert.Equal(t, "[REDACTED]", zero.String("late-value-1"))
}

func TestValueRemovesOnlyWholeSecrets(t *testing.T) {
	s := scrub.New("123456789")
	tests := []struct{ in, want string }{
		{"7000123", "7000123"},                            // ends like the start of the secret: a value, not a cut secret
		{"x123456789", "x" + scrub.Redacted},              // the whole secret
		{"a%31%32%33456789b", "a" + scrub.Redacted + "b"}, // encoded, whole
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, s.Value(tt.in), tt.in)
	}
	assert.Equal(t, "7000"+scrub.Redacted, s.String("7000123"), "String still removes a secret cut at the end of an excerpt")
}

// A text crafted to spend the matcher's work budget (runs of backslashes or ampersands that
// open escapes which then fail) cannot hide a secret in its common forms: raw, XML-escaped,
// URL-encoded or quoted. Found by FuzzString: eleven backslashes stayed in the text.
func TestBudgetCannotHideCommonForms(t *testing.T) {
	for _, tc := range []struct{ name, secret, text string }{
		{"raw backslashes", strings.Repeat(`\`, 11), strings.Repeat(`\`, 11) + "0"},
		{"raw backslashes, longer", strings.Repeat(`\`, 40), "x" + strings.Repeat(`\`, 41)},
		{"quoted backslashes", strings.Repeat(`\`, 20), `"` + strings.Repeat(`\\`, 20) + `"`},
		{"xml-escaped ampersands", strings.Repeat("&", 30), "<a>" + strings.Repeat("&amp;", 30) + "</a>"},
		{"url-encoded ampersands", strings.Repeat("&", 30), "?p=" + strings.Repeat("%26", 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := scrub.New(tc.secret).String(tc.text)
			assert.Contains(t, out, scrub.Redacted)
			assert.NotContains(t, strings.ReplaceAll(out, scrub.Redacted, "\x00"), tc.secret)
		})
	}
}
