package projector

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/offboard-go/offboard/internal/soapx"
)

// trustedDomain is where Projector hosts accounts; RedirectUrl targets under it are followed
// over https without configuration.
const trustedDomain = "projectorpsa.com"

// allowedHost is one WithAllowedRedirectHosts entry.
type allowedHost struct {
	host      string // lower-case host name or IP, without brackets
	port      string // "" for any port
	allowHTTP bool   // the entry was written as an http:// URL
}

func parseAllowedHosts(entries []string) ([]allowedHost, error) {
	var out []allowedHost
	for _, e := range entries {
		e = strings.TrimSpace(e)
		bad := func(reason string) error {
			return &soapx.InputError{Field: "WithAllowedRedirectHosts", Reason: fmt.Sprintf("%q: %s", e, reason)}
		}
		var a allowedHost
		if strings.Contains(e, "://") {
			u, err := url.Parse(e)
			if err != nil {
				return nil, bad("not a URL")
			}
			switch strings.ToLower(u.Scheme) {
			case "http":
				a.allowHTTP = true
			case "https":
			default:
				return nil, bad("scheme must be http or https")
			}
			if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
				return nil, bad("give only scheme, host and port")
			}
			a.host, a.port = u.Hostname(), u.Port()
		} else if h, p, err := net.SplitHostPort(e); err == nil {
			a.host, a.port = h, p
		} else {
			a.host = strings.TrimSuffix(strings.TrimPrefix(e, "["), "]")
		}
		if a.host == "" || strings.ContainsAny(a.host, "/*?#@ ") {
			return nil, bad("not a host name")
		}
		a.host = strings.ToLower(a.host)
		out = append(out, a)
	}
	return out, nil
}

// redirectTarget checks a RedirectUrl and returns the URL to re-send PwsAuthenticate to:
// the RedirectUrl's scheme and host with the configured endpoint's path (Projector's own
// sample rebuilds it as RedirectUrl + LocalPath). hops is the number of redirects already
// followed; tried holds the URLs already sent to.
func (c *client) redirectTarget(raw string, hops int, tried map[string]bool) (string, error) {
	shown := raw
	u, err := url.Parse(strings.TrimSpace(raw))
	if err == nil {
		shown = u.Redacted()
	}
	refuse := func(reason string) error { return &RedirectError{URL: shown, Reason: reason} }
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "", refuse("not an absolute URL")
	case u.User != nil:
		return "", refuse("carries user info")
	case hops >= maxRedirects:
		return "", refuse(fmt.Sprintf("more than %d redirects", maxRedirects))
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if scheme != "https" && scheme != "http" {
		return "", refuse("scheme must be https")
	}
	if reason := c.allowRedirect(scheme, host, u.Port()); reason != "" {
		return "", refuse(reason)
	}
	ep, err := url.Parse(c.endpoint)
	if err != nil {
		return "", refuse("endpoint does not parse")
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if epPath := ep.EscapedPath(); !strings.HasSuffix(path, epPath) {
		path += epPath
	}
	target := scheme + "://" + u.Host + path
	if ep.RawQuery != "" {
		target += "?" + ep.RawQuery
	}
	if tried[urlKey(target)] {
		return "", refuse("redirect loop: " + target + " was already tried")
	}
	return target, nil
}

// allowRedirect returns why a target is refused, or "" when credentials may go there:
// https under projectorpsa.com, or a host the caller allowed (plain http only when allowed as
// an http:// URL).
func (c *client) allowRedirect(scheme, host, port string) string {
	if scheme == "https" && (host == trustedDomain || strings.HasSuffix(host, "."+trustedDomain)) {
		return ""
	}
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[scheme]
	}
	for _, a := range c.allowed {
		if a.host != host || (a.port != "" && a.port != port) {
			continue
		}
		if scheme == "http" && !a.allowHTTP {
			return "plain http to " + host + " (allow it explicitly as an http:// URL with WithAllowedRedirectHosts)"
		}
		return ""
	}
	if scheme == "http" {
		return "plain http to a host that is not allowed"
	}
	return "host " + host + " is neither under " + trustedDomain + " nor allowed with WithAllowedRedirectHosts"
}

// urlKey normalises a URL for the loop check: scheme and host are case-insensitive, default
// ports are implied.
func urlKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Scheme, u.Host, u.User, u.Fragment = scheme, host, nil, ""
	return u.String()
}
