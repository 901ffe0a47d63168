package deliver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// Resolver looks up the IP addresses of a host name. *net.Resolver
// implements it; tests pass a fake.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Guard decides which network destinations may be reached. The zero value
// refuses loopback, private, shared (CGNAT) and link-local addresses and
// resolves names with net.DefaultResolver.
//
// Multicast, unspecified, broadcast and reserved addresses are refused
// even when AllowPrivate is set: no webhook receiver listens there.
type Guard struct {
	// AllowPrivate lifts the ban on loopback, private, shared and
	// link-local addresses (--allow-private-destinations).
	AllowPrivate bool
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
}

// maxURLLen bounds a webhook URL.
const maxURLLen = 2048

// CheckURL validates a webhook URL when a destination is created: the
// scheme is http or https, there is no userinfo, there is a host and, if
// any, a port from 1 to 65535. It then resolves the host and refuses it if
// any of its addresses is not allowed.
//
// CheckURL returns nil, ctx's error if ctx ends, or an error whose message,
// safe to show to the caller, starts with "webhook URL refused: " and names
// the reason and the address, as in "webhook URL refused:
// internal.example.com resolves to 10.0.0.1, a private address (RFC 1918)".
// Refusals because of an address also match ErrBlocked.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	if err := g.checkURL(ctx, raw); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return refuse(err, "webhook URL refused: "+err.Error())
	}
	return nil
}

// CheckBucketURL validates the bucket URL of an S3 destination, in the form
// internal/blob opens: see BucketURL. A custom endpoint, if any, must pass
// CheckURL. It returns errors as CheckURL does.
//
// The check at creation gives the caller an early answer; at delivery the
// S3 client dials through the Guard (see HTTPClient), so an endpoint that
// rebinds to a refused address is not reached either.
func (g Guard) CheckBucketURL(ctx context.Context, raw string) error {
	u, err := BucketURL(raw)
	if err != nil {
		return err
	}
	ep := u.Query().Get("endpoint")
	if ep == "" {
		return nil
	}
	if err := g.checkURL(ctx, ep); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return refuse(err, "bucket endpoint refused: "+err.Error())
	}
	return nil
}

// checkURL is CheckURL with plain errors.
func (g Guard) checkURL(ctx context.Context, raw string) error {
	u, err := parseURL(raw)
	if err != nil {
		return err
	}
	_, err = g.resolve(ctx, u.Hostname())
	return err
}

// parseURL checks the form of a webhook URL, without resolving it.
func parseURL(raw string) (*url.URL, error) {
	if len(raw) > maxURLLen {
		return nil, fmt.Errorf("URL is longer than %d bytes", maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("URL cannot be parsed: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("scheme %q is not allowed (want http or https)", u.Scheme)
	case u.User != nil:
		return nil, errors.New("URL must not contain a user name or password")
	case u.Opaque != "" || u.Hostname() == "":
		return nil, errors.New("URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %s is out of range", p)
		}
	}
	return u, nil
}

// resolve returns the addresses of host, or an error if it cannot be
// resolved or if any of its addresses is refused (a *blockedError).
func (g Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return nil, &blockedError{host: host, reason: "an address with an IPv6 zone"}
		}
		if err := g.check("", a); err != nil {
			return nil, err
		}
		return []netip.Addr{a}, nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if err := checkName(name); err != nil {
		return nil, err
	}
	if !g.AllowPrivate && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		return nil, &blockedError{host: host, reason: "a loopback name"}
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ipas, err := r.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, &resolveError{host: host, err: err}
	}
	if len(ipas) == 0 {
		return nil, &resolveError{host: host, err: errors.New("no addresses")}
	}
	addrs := make([]netip.Addr, 0, len(ipas))
	for _, ipa := range ipas {
		a, ok := netip.AddrFromSlice(ipa.IP)
		a = a.Unmap() // net.IP holds IPv4 addresses in 16 bytes
		if !ok {
			return nil, &resolveError{host: host, err: fmt.Errorf("invalid address %v", ipa.IP)}
		}
		if err := g.check(host, a); err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// checkName refuses host names that are not plain ASCII DNS names, and
// numeric forms of IPv4 addresses that netip does not parse but some
// resolvers do ("127.1", "2130706433", "0x7f000001", "0177.0.0.1"): no
// top-level domain is numeric.
func checkName(name string) error {
	if len(name) > 253 {
		return errors.New("host name is longer than 253 bytes")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return fmt.Errorf("host %q is not a valid DNS name (use punycode for international names)", name)
		}
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	numeric := last != ""
	for i := 0; i < len(last); i++ {
		numeric = numeric && last[i] >= '0' && last[i] <= '9'
	}
	if numeric || strings.HasPrefix(last, "0x") {
		return &blockedError{host: name, reason: "not a canonical IP address"}
	}
	return nil
}

// check returns a *blockedError if a may not be reached; host, if not
// empty, is the name a was resolved from.
func (g Guard) check(host string, a netip.Addr) error {
	reason, always := classify(a)
	if reason == "" || (g.AllowPrivate && !always) {
		return nil
	}
	return &blockedError{host: host, addr: a, reason: reason}
}

// control is the net.Dialer's Control hook: it runs after the address is
// chosen and before the connection is made, so a name that resolved to an
// allowed address while the URL was checked but rebinds to a refused one
// cannot be reached.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return &blockedError{host: address, reason: "not a TCP address"}
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{host: address, reason: "not an IP address"}
	}
	return g.check("", ap.Addr())
}

// dialContext returns a DialContext function for http.Transport that
// resolves with g's resolver, refuses the host if any address is refused,
// and dials the addresses in turn with d, whose Control hook re-checks
// each one.
func (g Guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		addrs, err := g.resolve(ctx, host)
		if err != nil {
			return nil, err
		}
		var first error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
			if ctx.Err() != nil || errors.Is(err, ErrBlocked) {
				break
			}
		}
		return nil, first
	}
}

// blockedError refuses an address or a host name.
type blockedError struct {
	host   string     // the name, if the address was resolved from one
	addr   netip.Addr // invalid when a name is refused without resolving
	reason string
}

func (e *blockedError) Error() string {
	switch {
	case !e.addr.IsValid():
		return fmt.Sprintf("%s is %s", e.host, e.reason)
	case e.host != "" && e.host != e.addr.String():
		return fmt.Sprintf("%s resolves to %s, %s", e.host, e.addr, e.reason)
	}
	return fmt.Sprintf("%s is %s", e.addr, e.reason)
}

// Is makes a *blockedError match ErrBlocked.
func (e *blockedError) Is(target error) bool { return target == ErrBlocked }

// resolveError is a failed lookup of a host name.
type resolveError struct {
	host string
	err  error
}

func (e *resolveError) Error() string {
	why := "lookup failed"
	var dnsErr *net.DNSError
	switch {
	case errors.As(e.err, &dnsErr) && dnsErr.IsNotFound:
		why = "no such host"
	case errors.As(e.err, &dnsErr) && dnsErr.IsTimeout:
		why = "DNS timeout"
	case errors.Is(e.err, context.DeadlineExceeded), errors.Is(e.err, context.Canceled):
		why = e.err.Error()
	}
	return fmt.Sprintf("cannot resolve host %q: %s", e.host, why)
}

func (e *resolveError) Unwrap() error { return e.err }
