package condition

import (
	"net/netip"
	"strings"
)

// ipMatcher is IpAddress and NotIpAddress: the policy's values are IPv4 or
// IPv6 CIDR blocks (RFC 4632), or single addresses; the request's value
// (aws:SourceIp) is an address. IPv4-mapped IPv6 addresses match as IPv4.
type ipMatcher struct {
	prefixes []netip.Prefix
}

func newIP(values []string, _ bool) (matcher, error) {
	m := &ipMatcher{prefixes: make([]netip.Prefix, len(values))}
	for i, v := range values {
		p, ok := parsePrefix(v)
		if !ok {
			return nil, badValue(v)
		}
		m.prefixes[i] = p
	}
	return m, nil
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			if p.Bits() < 96 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func (m *ipMatcher) match(value string, _ map[string][]string) bool {
	a, err := netip.ParseAddr(value)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range m.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
