package soapx

import "net/http"

// CloseIdleConnections closes the idle keep-alive connections of the transport the client
// made for itself. A transport of the caller's (WithHTTPClient) is the caller's to manage and
// is left alone: other clients may share it.
func (c *Client) CloseIdleConnections() {
	if t, ok := c.hc.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}
