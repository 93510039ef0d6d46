package projector

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
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
		a.host = normalHost(a.host)
		if a.port != "" {
			n, err := strconv.Atoi(a.port)
			if err != nil || n < 1 || n > 65535 {
				return nil, bad("invalid port")
			}
			a.port = strconv.Itoa(n)
		}
		out = append(out, a)
	}
	return out, nil
}

// redirectTarget checks a RedirectUrl and returns the URL to re-send PwsAuthenticate to:
// the RedirectUrl's scheme and host with the configured endpoint's path (Projector's own
// sample rebuilds it as RedirectUrl + LocalPath). hops is the number of redirects already
// followed; tried holds the URLs already sent to.
//
// The checks run on the parsed URL exactly as the dialer will use it, and the target is
// rebuilt from the checked parts only: scheme, host name (lower-cased, one trailing dot
// dropped) and port. User info, IP literals of any form (dotted, integer, hex, octal, IPv6,
// with or without a zone), percent-encoded hosts, and host names that are not plain ASCII
// letters, digits and hyphens (IDN and its xn-- look-alikes included) are refused unless the
// caller allowed that exact host; the projectorpsa.com rule matches on a dot boundary only.
func (c *client) redirectTarget(raw string, hops int, tried map[string]bool) (string, error) {
	raw = strings.TrimSpace(raw)
	shown := raw
	u, err := url.Parse(raw)
	if err == nil {
		shown = u.Redacted()
	} else {
		shown = "(unparsable URL)"
	}
	shown = c.secrets.String(shown) // the server's text: it may echo the password or the ticket
	refuse := func(reason string) error { return &RedirectError{URL: shown, Reason: reason} }
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return "", refuse("not an absolute URL")
	case u.User != nil:
		return "", refuse("carries user info")
	case hops >= maxRedirects:
		return "", refuse(fmt.Sprintf("more than %d redirects", maxRedirects))
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return "", refuse("scheme must be https")
	}
	host, port, suspect, reason := dialHost(raw, u)
	if reason != "" {
		return "", refuse(reason)
	}
	if reason := c.allowRedirect(scheme, host, port, suspect); reason != "" {
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
	authority := host
	if strings.Contains(host, ":") {
		authority = "[" + host + "]"
	}
	if port != "" {
		authority += ":" + port
	}
	target := scheme + "://" + authority + path
	if ep.RawQuery != "" {
		target += "?" + ep.RawQuery
	}
	// What is sent to must be what was checked.
	if tu, err := url.Parse(target); err != nil || tu.User != nil || normalHost(tu.Hostname()) != host || tu.Port() != port {
		return "", refuse("does not rebuild to the checked host")
	}
	if tried[urlKey(target)] {
		return "", refuse("redirect loop: " + target + " was already tried")
	}
	return target, nil
}

// dialHost returns the host name and port the dialer would use for u, normalised (lower
// case, no trailing dot, decimal port without leading zeros), or why the authority is refused
// outright. suspect says why the host may only be used when allowed exactly (percent-encoded,
// non-ASCII). raw is the URL as received: url.Parse decodes %XX in a host, so only the raw text
// shows an encoded one.
func dialHost(raw string, u *url.URL) (host, port, suspect, reason string) {
	authority := raw
	if i := strings.Index(authority, "//"); i >= 0 {
		authority = authority[i+2:]
	}
	if i := strings.IndexAny(authority, "/?#\\"); i >= 0 {
		authority = authority[:i]
	}
	for i := 0; i < len(authority); i++ {
		switch c := authority[i]; {
		case c <= ' ' || c == 0x7f:
			return "", "", "", "host has a control character or a space"
		case c >= 0x80 && suspect == "":
			suspect = "non-ASCII host"
		case c == '%':
			suspect = "percent-encoded host"
		}
	}
	host = normalHost(u.Hostname())
	if host == "" {
		return "", "", "", "no host"
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", "", "", "invalid port"
		}
		port = strconv.Itoa(n)
	} else if strings.HasSuffix(u.Host, ":") {
		return "", "", "", "empty port"
	}
	return host, port, suspect, ""
}

// normalHost lower-cases a host name and drops one trailing dot (the absolute form of the
// same name).
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// plainHostName reports whether host is a DNS name of ASCII letters, digits and hyphens in
// non-empty labels, none of them an IDN (xn--) label, and not something a resolver would
// take for an IPv4 address (a last label of digits, or 0x…).
func plainHostName(host string) bool {
	if len(host) > 253 {
		return false
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.HasPrefix(l, "xn--") {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	if strings.HasPrefix(last, "0x") {
		return false
	}
	if strings.Trim(last, "0123456789") == "" {
		return false
	}
	return true
}

// allowRedirect returns why a target is refused, or "" when credentials may go there:
// https under projectorpsa.com (a plain host name), or a host the caller allowed exactly
// (plain http only when allowed as an http:// URL). suspect (from dialHost) refuses any host
// that is not allowed exactly.
func (c *client) allowRedirect(scheme, host, port, suspect string) string {
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
	switch {
	case suspect != "":
		return suspect + " " + strconv.Quote(host) + " is neither under " + trustedDomain + " nor allowed with WithAllowedRedirectHosts"
	case net.ParseIP(host) != nil || strings.Contains(host, ":") || strings.Contains(host, "%"):
		return "IP address " + host + " is neither under " + trustedDomain + " nor allowed with WithAllowedRedirectHosts"
	case !plainHostName(host):
		return "host " + strconv.Quote(host) + " is not a plain ASCII host name, so neither under " + trustedDomain + " nor allowed with WithAllowedRedirectHosts"
	case scheme == "http":
		return "plain http to a host that is not allowed"
	case host == trustedDomain || strings.HasSuffix(host, "."+trustedDomain):
		return ""
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
