package config

import (
	"net/netip"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func bind(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	var c Config
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	c.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(append([]string{"--data-dir", t.TempDir()}, args...)); err != nil {
		return nil, err
	}
	return &c, c.Resolve()
}

// TestSecurityFlags covers the metrics listener, the body idle timeout and
// the trusted proxies: defaults, environment, flags and refusals.
func TestSecurityFlags(t *testing.T) {
	c, err := bind(t, nil)
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" || c.BodyIdleTimeout != 30*time.Second || len(c.TrustedProxyPrefixes) != 0 {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = bind(t, map[string]string{
		"CRESCENT_METRICS_ADDR": "off", "CRESCENT_BODY_IDLE_TIMEOUT": "5s", "CRESCENT_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,fd00::/8",
	})
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("fd00::/8")}
	if err != nil || c.MetricsAddr != "" || c.BodyIdleTimeout != 5*time.Second || len(c.TrustedProxyPrefixes) != 3 {
		t.Fatalf("environment: %+v %v", c, err)
	}
	for i, p := range want {
		if c.TrustedProxyPrefixes[i] != p {
			t.Fatalf("prefix %d: %v, want %v", i, c.TrustedProxyPrefixes[i], p)
		}
	}
	c, err = bind(t, map[string]string{"CRESCENT_METRICS_ADDR": "off"}, "--metrics-addr", "127.0.0.1:0", "--trusted-proxies", "10.1.2.3/8")
	if err != nil || c.MetricsAddr != "127.0.0.1:0" || c.TrustedProxyPrefixes[0] != netip.MustParsePrefix("10.0.0.0/8") {
		t.Fatalf("flags: %+v %v", c, err)
	}
	for _, args := range [][]string{
		{"--metrics-addr", "nonsense"}, {"--trusted-proxies", "10.0.0.0/40"}, {"--trusted-proxies", "proxy.local"},
		{"--body-idle-timeout", "-1s"},
	} {
		if _, err := bind(t, nil, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
