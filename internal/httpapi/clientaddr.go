package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address of the client that sent r, without a port.
// It is the peer address, unless the peer is one of the trusted proxies:
// then X-Forwarded-For or Forwarded is read from the right, skipping the
// addresses of trusted proxies, and the first other address is the client.
// Entries left of it may be forged by the client and are never looked at.
// When both headers are present and name different clients, or the entry
// is not an address, the nearest trusted proxy is taken as the client
// rather than trusting something it may not have written.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	peer = peer.Unmap()
	xff, hasXFF := s.fromChain(r.Header.Values("X-Forwarded-For"), peer, xffEntry)
	fwd, hasFwd := s.fromChain(r.Header.Values("Forwarded"), peer, forwardedFor)
	switch {
	case hasXFF && hasFwd && xff != fwd:
		return peer.String()
	case hasXFF:
		return xff.String()
	case hasFwd:
		return fwd.String()
	}
	return peer.String()
}

// trusted reports whether a is within the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// fromChain walks the comma-separated hops of a proxy header from the
// right and returns the first address that is not a trusted proxy (or the
// left-most hop when all are trusted). An entry that is not an address
// ends the walk at the last trusted hop seen. ok is false when the header
// is absent.
func (s *Server) fromChain(values []string, peer netip.Addr, parse func(string) (netip.Addr, bool)) (client netip.Addr, ok bool) {
	if len(values) == 0 {
		return netip.Addr{}, false
	}
	chain := strings.Join(values, ",")
	last := peer
	for chain != "" {
		entry := chain
		if i := strings.LastIndexByte(chain, ','); i >= 0 {
			entry, chain = chain[i+1:], chain[:i]
		} else {
			chain = ""
		}
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		a, valid := parse(entry)
		if !valid {
			return last, true
		}
		if !s.trusted(a) {
			return a, true
		}
		last = a
	}
	return last, true
}

// xffEntry parses one X-Forwarded-For hop: an address, possibly with a
// port or in brackets.
func xffEntry(e string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(e); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// forwardedFor parses the for= parameter of one Forwarded element
// (RFC 7239): for=192.0.2.1, for="[2001:db8::1]:4711". Obfuscated or
// "unknown" identifiers are not addresses.
func forwardedFor(e string) (netip.Addr, bool) {
	for _, pair := range strings.Split(e, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(pair), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "for") {
			continue
		}
		return xffEntry(strings.Trim(strings.TrimSpace(v), `"`))
	}
	return netip.Addr{}, false
}

// failureKey is the failed-authentication limiter's key for a client
// address: an IPv6 client counts by its /64, which one host usually holds
// whole and could otherwise walk through to escape the limit.
func failureKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Is4In6() {
		return addr
	}
	p, _ := a.Prefix(64)
	return p.String()
}
