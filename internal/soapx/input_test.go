package soapx_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		in     string
		reason string // "" when accepted
	}{
		{"", ""},
		{"jdoe", ""},
		{"tab\tcr\rlf\n", ""},
		{"Zoë Ñandú 日本 𝄞", ""},
		{"\u00a0nbsp \ufffd replacement", ""},
		{"nul\x00", "control character U+0000 at byte 3"},
		{"bell\a", "control character U+0007"},
		{"esc\x1b[0m", "control character U+001B"},
		{"del\x7f", "control character U+007F"},
		{"c1\u0085", "control character U+0085"},
		{"bad\xff", "invalid UTF-8 at byte 3"},
		{"cut\xc3", "invalid UTF-8"},
		{"surrogate\xed\xa0\x80", "invalid UTF-8"},
		{"nonchar\ufffe", "U+FFFE (not allowed in XML)"},
		{"nonchar\uffff", "U+FFFF (not allowed in XML)"},
	} {
		err := soapx.CheckText("user.UserName", tc.in)
		if tc.reason == "" {
			assert.NoError(t, err, "%q", tc.in)
			continue
		}
		var ie *soapx.InputError
		require.ErrorAs(t, err, &ie, "%q", tc.in)
		assert.Equal(t, "user.UserName", ie.Field)
		assert.Contains(t, ie.Reason, tc.reason)
		assert.ErrorIs(t, err, soapx.ErrInvalidInput)
	}
	require.NoError(t, soapx.CheckTexts("a", "x", "b", "y"))
	var ie *soapx.InputError
	require.ErrorAs(t, soapx.CheckTexts("a", "x", "b", "y\x00"), &ie)
	assert.Equal(t, "b", ie.Field)
}

func TestCheckDateTime(t *testing.T) {
	for _, tc := range []struct {
		t  time.Time
		ok bool
	}{
		{time.Time{}, true},
		{time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), true},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)), true},
		{time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(10000, 1, 1, 0, 30, 0, 0, time.FixedZone("east", 3600)), true}, // 9999-12-31T23:30Z
		{time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("west", -3600)), false},
	} {
		err := soapx.CheckDateTime("opts.EndLockTime", tc.t)
		if tc.ok {
			assert.NoError(t, err, "%v", tc.t)
		} else {
			assert.ErrorIs(t, err, soapx.ErrInvalidInput, "%v", tc.t)
			assert.ErrorContains(t, err, "opts.EndLockTime")
		}
	}
}
