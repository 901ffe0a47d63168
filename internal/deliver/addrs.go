package deliver

import (
	"net/netip"
)

// Address ranges netip has no predicate for.
var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")  // RFC 6598 shared address space
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")      // RFC 1122 "this network"
	reserved4   = netip.MustParsePrefix("240.0.0.0/4")    // RFC 1112 reserved, includes broadcast
	ietf4       = netip.MustParsePrefix("192.0.0.0/24")   // RFC 6890 IETF protocol assignments
	benchmark4  = netip.MustParsePrefix("198.18.0.0/15")  // RFC 2544 benchmarking
	siteLocal6  = netip.MustParsePrefix("fec0::/10")      // RFC 3879 deprecated site-local
	nat64       = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052 well-known NAT64 prefix
	nat64Local  = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215 local-use NAT64
	sixToFour   = netip.MustParsePrefix("2002::/16")      // RFC 3056 6to4
	ipv4Compat  = netip.MustParsePrefix("::/96")          // RFC 4291 deprecated IPv4-compatible
	broadcast4  = netip.AddrFrom4([4]byte{255, 255, 255, 255})
)

// classify returns why a may not be a webhook destination, or "" if it
// may. always reports that the reason holds even with AllowPrivate:
// nothing listens for HTTP there.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged by their IPv4
// address, and so are the IPv4 addresses embedded in well-known NAT64,
// 6to4 and IPv4-compatible IPv6 addresses, which can route to them.
func classify(a netip.Addr) (reason string, always bool) {
	a = a.WithZone("")
	if a.Is4In6() {
		if r, al := classify(a.Unmap()); r != "" {
			return r + " (IPv4-mapped " + a.Unmap().String() + ")", al
		}
		return "", false
	}
	switch {
	case a.IsUnspecified():
		return "the unspecified address", true
	case a == broadcast4:
		return "the broadcast address", true
	case a.IsMulticast():
		return "a multicast address", true
	case thisNetwork.Contains(a):
		return "a \"this network\" address (0.0.0.0/8)", true
	case reserved4.Contains(a):
		return "a reserved address (240.0.0.0/4)", true
	case a.IsLoopback():
		return "a loopback address", false
	case a.IsLinkLocalUnicast():
		return "a link-local address", false
	case a.IsPrivate():
		if a.Is4() {
			return "a private address (RFC 1918)", false
		}
		return "a private address (fc00::/7)", false
	case cgnat.Contains(a):
		return "a shared CGNAT address (100.64.0.0/10)", false
	case ietf4.Contains(a), benchmark4.Contains(a):
		return "a special-purpose address", false
	case siteLocal6.Contains(a):
		return "a site-local address", false
	case nat64Local.Contains(a):
		return "a local-use NAT64 address", false
	}
	if v4, ok := embeddedIPv4(a); ok {
		if r, al := classify(v4); r != "" {
			return r + " (embedded IPv4 " + v4.String() + ")", al
		}
	}
	return "", false
}

// embeddedIPv4 returns the IPv4 address inside a well-known-prefix NAT64,
// 6to4 or IPv4-compatible IPv6 address.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	b := a.As16()
	switch {
	case nat64.Contains(a), ipv4Compat.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}
