package soapx_test

import (
	"context"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/internal/soapx"
)

// Found by FuzzHeaders (testdata/fuzz/FuzzHeaders/undeclared_prefix_digit_local): a header
// block that is not namespace-well-formed (undeclared prefixes, a prefix bound to "", a
// local name "0" that is no NCName). encoding/xml reads it, so the call succeeds and the
// block is captured with the names encoding/xml gives; its Inner cannot be a standalone
// fragment resolving the same way (the local name alone is no XML Name), which is why the
// fuzz property holds Inner to that only for namespace-well-formed documents.
func TestHeaderNotNamespaceWellFormed(t *testing.T) {
	header := `<tx:info xmlns:0="" xmlns:1=""><A:0 A=""/><b A="">0000</b></tx:info>`
	c := answerWith(t, soapx.SOAP11, 200, ct11, env11(header, echoBody))
	ctx, resp := soapx.CaptureResponse(context.Background())
	var out echoResp
	require.NoError(t, c.Call(ctx, action, &echoReq{Text: "x"}, &out))
	assert.Equal(t, "pong", out.Text)
	h, ok := resp.Header("tx", "info")
	require.True(t, ok)
	assert.Equal(t, xml.Name{Space: "tx", Local: "info"}, h.XMLName)
	assert.Contains(t, string(h.Inner), ">0000</b>")
}
