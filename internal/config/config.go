// Package config is the server's configuration: one struct, filled from
// CRESCENT_* environment variables and overridden by command-line flags,
// validated once and passed down (never a global).
package config

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is everything the binary can be told.
type Config struct {
	Addr        string
	MetricsAddr string
	DataDir     string
	DatabaseURL string
	BlobURL     string
	LogLevel    string

	KeyRate       float64
	KeyBurst      int
	AuthFailRate  float64
	AuthFailBurst int
	MaxBodyBytes  int64

	// BodyIdleTimeout ends (408) a request body that brings less than 1 KiB
	// in this much time spent waiting for it; 0 disables it.
	BodyIdleTimeout time.Duration
	// TrustedProxies are the CIDRs (or single addresses) given; Resolve
	// parses them into TrustedProxyPrefixes.
	TrustedProxies       []string
	TrustedProxyPrefixes []netip.Prefix

	MaxFileBytes int64
	MaxFiles     int
	MaxPages     int

	AllowPrivateDestinations  bool
	AllowAmbientS3Credentials bool
	DirectoryRoots            []string

	Workers    int
	JobTimeout time.Duration
	// ReconcileInterval is how often collections whose job is gone are
	// looked for, and how long one must be unchanged to be ended.
	ReconcileInterval time.Duration

	ShutdownTimeout time.Duration
}

// Bind registers the flags on fs with defaults taken from getenv
// (CRESCENT_ADDR, CRESCENT_DATA_DIR, …), so that a flag given on the command
// line overrides the environment, which overrides the built-in default.
func (c *Config) Bind(fs *pflag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	num := func(p *float64, name, env string, def float64, usage string) {
		if v, err := strconv.ParseFloat(getenv(env), 64); err == nil {
			def = v
		}
		fs.Float64Var(p, name, def, usage+" (env "+env+")")
	}
	integer := func(p *int, name, env string, def int, usage string) {
		if v, err := strconv.Atoi(getenv(env)); err == nil {
			def = v
		}
		fs.IntVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "CRESCENT_ADDR", "127.0.0.1:8080", "address to listen on")
	str(&c.MetricsAddr, "metrics-addr", "CRESCENT_METRICS_ADDR", "127.0.0.1:9090", "address serving /metrics, apart from the API (\"\" or off: no metrics listener)")
	str(&c.DataDir, "data-dir", "CRESCENT_DATA_DIR", "./data", "folder for the embedded database and files")
	str(&c.DatabaseURL, "database-url", "CRESCENT_DATABASE_URL", "", "postgres://… or sqlite:PATH (default: SQLite in the data dir)")
	str(&c.BlobURL, "blob-url", "CRESCENT_BLOB_URL", "", "file:///path or s3://bucket?… (default: file://DATA/blobs)")
	str(&c.LogLevel, "log-level", "CRESCENT_LOG_LEVEL", "info", "debug, info, warn or error")
	num(&c.KeyRate, "rate-limit", "CRESCENT_RATE_LIMIT", 1000, "requests per second allowed per API key (0: no limit)")
	integer(&c.KeyBurst, "rate-burst", "CRESCENT_RATE_BURST", 2000, "burst of requests allowed per API key")
	num(&c.AuthFailRate, "auth-fail-rate", "CRESCENT_AUTH_FAIL_RATE", 1, "failed authentications per second tolerated per client address")
	integer(&c.AuthFailBurst, "auth-fail-burst", "CRESCENT_AUTH_FAIL_BURST", 30, "failed authentications tolerated in a burst per client address")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest JSON request body accepted")
	idle := 30 * time.Second
	if v, err := time.ParseDuration(getenv("CRESCENT_BODY_IDLE_TIMEOUT")); err == nil {
		idle = v
	}
	fs.DurationVar(&c.BodyIdleTimeout, "body-idle-timeout", idle, "how long a request body may be waited for without bringing 1 KiB before it is closed with 408 (0: never; env CRESCENT_BODY_IDLE_TIMEOUT)")
	var proxies []string
	if v := getenv("CRESCENT_TRUSTED_PROXIES"); v != "" {
		proxies = strings.Split(v, ",")
	}
	fs.StringSliceVar(&c.TrustedProxies, "trusted-proxies", proxies, "CIDRs of reverse proxies whose X-Forwarded-For and Forwarded headers name the client (env CRESCENT_TRUSTED_PROXIES, comma-separated; default: none, the peer address is the client)")
	fs.Int64Var(&c.MaxFileBytes, "max-file-bytes", 256<<20, "largest uploaded file accepted")
	integer(&c.MaxFiles, "max-files", "CRESCENT_MAX_FILES", 50, "most files in one collection")
	integer(&c.MaxPages, "max-pages", "CRESCENT_MAX_PAGES", 500, "most pages in one uploaded file")
	fs.BoolVar(&c.AllowPrivateDestinations, "allow-private-destinations", getenv("CRESCENT_ALLOW_PRIVATE_DESTINATIONS") == "true",
		"let webhooks and S3 endpoints reach loopback, private and link-local addresses (env CRESCENT_ALLOW_PRIVATE_DESTINATIONS)")
	fs.BoolVar(&c.AllowAmbientS3Credentials, "allow-ambient-s3-credentials", getenv("CRESCENT_ALLOW_AMBIENT_S3_CREDENTIALS") == "true",
		"let S3 destinations without credentials use the server's own (environment, shared files, instance role) (env CRESCENT_ALLOW_AMBIENT_S3_CREDENTIALS)")
	var roots []string
	if v := getenv("CRESCENT_DIRECTORY_ROOTS"); v != "" {
		roots = strings.Split(v, ",")
	}
	fs.StringSliceVar(&c.DirectoryRoots, "directory-root", roots, "folder that directory destinations may write under, repeatable (env CRESCENT_DIRECTORY_ROOTS, comma-separated)")
	integer(&c.Workers, "workers", "CRESCENT_WORKERS", 2, "documents processed at once by this process (0: API only)")
	fs.DurationVar(&c.JobTimeout, "job-timeout", 10*time.Minute, "longest one processing attempt of a collection may run")
	fs.DurationVar(&c.ReconcileInterval, "reconcile-interval", time.Minute, "how often collections left Queued or Processing without a job are ended as Failed")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish on SIGTERM")
}

// Resolve fills derived defaults (database and blob URLs under the data
// dir) and validates the result. It fails on an unusable address, data dir
// or limit.
func (c *Config) Resolve() error {
	if c.DataDir == "" {
		return fmt.Errorf("--data-dir must not be empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}
	c.DataDir = abs
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(abs, "crescent.db")
	}
	if c.BlobURL == "" {
		c.BlobURL = "file://" + filepath.Join(abs, "blobs")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: %w", c.Addr, err)
	}
	if c.MetricsAddr == "off" {
		c.MetricsAddr = ""
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %q: %w", c.MetricsAddr, err)
		}
	}
	c.TrustedProxyPrefixes = nil
	for _, p := range c.TrustedProxies {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("--trusted-proxies %q: want a CIDR such as 10.0.0.0/8 or an address", p)
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedProxyPrefixes = append(c.TrustedProxyPrefixes, prefix.Masked())
	}
	if c.BodyIdleTimeout < 0 {
		return fmt.Errorf("--body-idle-timeout must not be negative")
	}
	if c.KeyRate < 0 || c.KeyBurst < 1 || c.AuthFailRate < 0 || c.AuthFailBurst < 1 {
		return fmt.Errorf("rate limits must be positive")
	}
	if c.MaxFileBytes < 1 || c.MaxFiles < 1 || c.MaxPages < 1 || c.Workers < 0 || c.JobTimeout <= 0 || c.ReconcileInterval <= 0 {
		return fmt.Errorf("upload limits, workers and job timeout must be positive")
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("--max-body-bytes must be at least 1024")
	}
	return os.MkdirAll(abs, 0o750)
}
