// Package redistest starts a private Redis for tests: a real redis-server on
// a free loopback port in a temporary directory, which a test may stop and
// restart. Where no redis-server binary is installed it falls back to the
// embedded miniredis, unless VIGIA_REQUIRE_REDIS=1 (as CI sets).
package redistest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Server is a Redis started for one test.
type Server struct {
	// Addr is host:port to connect to.
	Addr string
	// Real is true for a real redis-server, false for miniredis.
	Real bool

	t    testing.TB
	dir  string
	cmd  *exec.Cmd
	mini *miniredis.Miniredis
}

// Start starts a Redis for t and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatalf("VIGIA_REQUIRE_REDIS=1 but redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or unset VIGIA_REQUIRE_REDIS to use the embedded miniredis")
		}
		m := miniredis.RunT(t)
		return &Server{Addr: m.Addr(), t: t, mini: m}
	}
	s := &Server{t: t, dir: dataDir(t), Real: true}
	t.Cleanup(s.Stop)
	onFreePort(t, func(port string) error {
		s.Addr = net.JoinHostPort("127.0.0.1", port)
		return s.start(bin)
	})
	return s
}

// memDir is a tmpfs where a test Redis keeps its append-only file: an
// fsync there costs nothing, where on a disk each write waits for one
// (appendfsync always, as Vigía requires). A killed redis-server's
// writes stay in memory as they stay in the page cache on a disk, so
// Stop and Restart mean the same.
var memDir = "/dev/shm"

// memDirRoom is the free space memDir must have to be used: a small
// /dev/shm (Docker's default is 64 MB) filled by a test's append-only
// file would fail that test's writes.
var memDirRoom uint64 = 256 << 20

// dataDir is a fresh directory for a test Redis, on memDir if it is
// usable and has memDirRoom free, removed when t ends.
func dataDir(t testing.TB) string {
	var st syscall.Statfs_t
	if syscall.Statfs(memDir, &st) == nil && uint64(st.Bavail)*uint64(st.Bsize) >= memDirRoom {
		if dir, err := os.MkdirTemp(memDir, "vigia-redistest-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// pickPort returns a loopback port that was free when asked; a test
// replaces it to hand out a taken one.
var pickPort = func(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// errAddrInUse is a redis-server's refusal to listen on a port another
// process took.
var errAddrInUse = errors.New("address already in use")

// onFreePort calls start with a free port, and again with another while
// it returns errAddrInUse: a port is free when picked, but another test
// process may take it before redis-server binds it.
func onFreePort(t testing.TB, start func(port string) error) {
	t.Helper()
	for range 10 {
		err := start(strconv.Itoa(pickPort(t)))
		if err == nil {
			return
		}
		if !errors.Is(err, errAddrInUse) {
			t.Fatal(err)
		}
	}
	t.Fatal("redis-server: every port tried was taken before it could listen")
}

// listenFailed reports whether the redis-server logging to dir could not
// listen because the address was taken.
func listenFailed(dir string) bool { return logSays(dir, "Address already in use") }

// listening reports whether the redis-server logging to dir says it took
// its address and accepts connections: only then is what answers there
// its own, not another test process's server on a port it could not take.
// (A sentinel logs its id once it listens, and no "Ready to accept".)
func listening(dir string) bool {
	return logSays(dir, "Ready to accept connections") || logSays(dir, "# Sentinel ID is")
}

// logSays reports whether the log of the redis-server of dir holds text.
func logSays(dir, text string) bool {
	log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
	return bytes.Contains(log, []byte(text))
}

// start starts redis-server on s.Addr and waits until it is ready; an
// error wrapping errAddrInUse if another process holds the address.
func (s *Server) start(bin string) error {
	_, port, _ := net.SplitHostPort(s.Addr)
	_ = os.Remove(filepath.Join(s.dir, "redis.log")) // a failed attempt's
	s.cmd = exec.Command(bin,
		"--port", port, "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always",
		"--logfile", filepath.Join(s.dir, "redis.log"), "--daemonize", "no")
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	if err := s.waitReady(s.cmd.Process.Pid); err != nil {
		s.Stop()
		return err
	}
	return nil
}

// waitReady waits, with a deadline, until the redis-server of process pid
// answers at s.Addr: not merely something there, which may be another
// test's server on a port pid could not take (errAddrInUse then). Nothing
// is sent there, not even a connection, before the server's own log says
// it listens: a probe must not reach another test's server (a test
// counting its connections, or watching its commands, would see it); and
// the server that answers must say it is process pid.
func (s *Server) waitReady(pid int) error {
	// One dial per attempt, its outcome waited for (timeouts on the
	// connection, not the call's context): go-redis dials in a goroutine
	// of its own that outlives a call whose context ended, and retries
	// (five times by default) even once the client is closed. Such a dial
	// reached the server once it listened, after Start returned: a
	// connection no test made (TestDemoNeverTouchesAConfiguredRedis
	// counts them).
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialerRetries: 1,
		DialTimeout: 200 * time.Millisecond, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if listenFailed(s.dir) {
			return fmt.Errorf("redis-server at %s: %w", s.Addr, errAddrInUse)
		}
		// Listening yet? A plain dial tells first: go-redis logs each dial
		// it fails ("failed to dial"), noise in a failing test's output.
		var info string
		err := errors.New("its log does not say it listens yet")
		if listening(s.dir) {
			var conn net.Conn
			if conn, err = net.DialTimeout("tcp", s.Addr, 200*time.Millisecond); err == nil {
				conn.Close()
				info, err = c.Info(context.Background(), "server").Result()
			}
		}
		if err == nil && strings.Contains(info, "process_id:"+strconv.Itoa(pid)+"\r\n") {
			return nil
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server at %s not ready: %v\n%s", s.Addr, err, log)
		}
		pollWait()
	}
}

// pollWait is waitReady's pause between two probes (a poll interval, not
// a wait for an event); a test replaces it to act once a probe failed.
var pollWait = func() { time.Sleep(20 * time.Millisecond) }

// LeastPrivilegeURL creates an ACL user allowed only the keys under prefix
// (prefix + ":*") and no command of the @dangerous category (FLUSHALL,
// KEYS, CONFIG, DEBUG, ...) but CONFIG GET, with which Vigía checks that
// Redis fsyncs every write: the user README and docker-compose.yml tell
// operators to give Vigía. It returns a URL logged in as that user; the
// test's own Client stays the unrestricted default user. With the embedded
// miniredis, which has no ACLs, it returns URL().
func (s *Server) LeastPrivilegeURL(prefix string) string {
	s.t.Helper()
	if !s.Real {
		return s.URL()
	}
	c := s.Client()
	defer c.Close()
	err := c.Do(context.Background(), "ACL", "SETUSER", "vigia", "reset", "on", ">least-privilege-test", "~"+prefix+":*", "+@all", "-@dangerous", "+config|get").Err()
	if err != nil {
		s.t.Fatalf("create ACL user: %v", err)
	}
	return "redis://vigia:least-privilege-test@" + s.Addr + "/0"
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Client returns a client for the server, closed when the test ends. On
// a stopped server its calls fail at once: one dial per attempt, no pause
// between attempts (go-redis's defaults spend about two seconds a call
// there, which changes nothing but how long an outage test takes).
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialerRetries: 1, MinRetryBackoff: -1, MaxRetryBackoff: -1})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Stop stops the server; its append-only file stays for Restart.
func (s *Server) Stop() {
	if s.mini != nil {
		s.mini.Close()
		return
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Pause stops a real server's process (SIGSTOP), as a hung Redis: it
// takes connections and commands and answers nothing. It resumes when the
// test ends, or when resume is called.
func (s *Server) Pause() (resume func()) {
	s.t.Helper()
	if s.cmd == nil || s.cmd.Process == nil {
		s.t.Skip("needs a real redis-server to pause")
	}
	p := s.cmd.Process
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatalf("pause redis: %v", err)
	}
	var once sync.Once
	resume = func() { once.Do(func() { _ = p.Signal(syscall.SIGCONT) }) }
	s.t.Cleanup(resume)
	return resume
}

// Restart starts the server again on the same address and data.
func (s *Server) Restart() {
	s.t.Helper()
	if s.mini != nil {
		if err := s.mini.Restart(); err != nil {
			s.t.Fatalf("restart miniredis: %v", err)
		}
		return
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		s.t.Fatalf("redis-server: %v", err)
	}
	if err := s.start(bin); err != nil {
		s.t.Fatal(err)
	}
}

// Dump returns every key in the server with its value rendered as bytes, for
// privacy checks: strings, hash fields and values, list, set, sorted-set and
// stream contents.
func (s *Server) Dump(ctx context.Context) (map[string][]byte, error) {
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, k := range keys {
		typ, err := c.Type(ctx, k).Result()
		if err != nil {
			return nil, err
		}
		var b []byte
		add := func(v ...string) {
			for _, x := range v {
				b = append(b, x...)
				b = append(b, 0)
			}
		}
		switch typ {
		case "string":
			v, _ := c.Get(ctx, k).Result()
			add(v)
		case "hash":
			for f, v := range c.HGetAll(ctx, k).Val() {
				add(f, v)
			}
		case "list":
			add(c.LRange(ctx, k, 0, -1).Val()...)
		case "set":
			add(c.SMembers(ctx, k).Val()...)
		case "zset":
			add(c.ZRange(ctx, k, 0, -1).Val()...)
		case "stream":
			for _, m := range c.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					add(f, fmt.Sprint(v))
				}
			}
		}
		out[k] = b
	}
	return out, nil
}

// StartSentinel starts a redis-server in sentinel mode monitoring primary
// under the name "mymaster", stopped when t ends; it skips the test where
// primary is miniredis (no sentinel), unless VIGIA_REQUIRE_REDIS=1.
func StartSentinel(t testing.TB, primary *Server) *Server {
	t.Helper()
	if !primary.Real {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatalf("VIGIA_REQUIRE_REDIS=1 but the primary is not a real redis-server")
		}
		t.Skip("a sentinel needs redis-server")
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(primary.Addr)
	s := &Server{t: t, dir: dataDir(t), Real: true}
	t.Cleanup(s.Stop)
	onFreePort(t, func(p string) error {
		s.Addr = net.JoinHostPort("127.0.0.1", p)
		// A sentinel rewrites its configuration file: one of its own.
		conf := filepath.Join(s.dir, "sentinel.conf")
		if err := os.WriteFile(conf, []byte("sentinel monitor mymaster "+host+" "+port+" 1\n"), 0o600); err != nil {
			return err
		}
		_ = os.Remove(filepath.Join(s.dir, "redis.log")) // a failed attempt's
		s.cmd = exec.Command(bin, conf, "--sentinel",
			"--port", p, "--bind", "127.0.0.1", "--dir", s.dir,
			"--logfile", filepath.Join(s.dir, "redis.log"), "--daemonize", "no")
		if err := s.cmd.Start(); err != nil {
			return fmt.Errorf("start redis-server --sentinel: %w", err)
		}
		if err := s.waitReady(s.cmd.Process.Pid); err != nil {
			s.Stop()
			return err
		}
		return nil
	})
	return s
}

// Cluster is a three-master Redis Cluster on loopback ports, for tests.
type Cluster struct {
	Addrs []string
	t     testing.TB
	cmds  []*exec.Cmd
}

// StartCluster starts three cluster-enabled redis-servers and joins them
// with redis-cli --cluster create; it skips the test where the binaries are
// missing, unless VIGIA_REQUIRE_REDIS=1.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if err1 != nil || err2 != nil {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatalf("VIGIA_REQUIRE_REDIS=1 but redis-server or redis-cli is missing: apt-get install redis-server")
		}
		t.Skip("a Redis Cluster needs redis-server and redis-cli")
	}
	c := &Cluster{t: t}
	t.Cleanup(c.stop)
	for range 3 {
		onFreePort(t, func(port string) error {
			dir := t.TempDir()
			cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--dir", dir,
				"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--appendonly", "yes",
				"--save", "", "--logfile", filepath.Join(dir, "redis.log"))
			if err := cmd.Start(); err != nil {
				return fmt.Errorf("start cluster node: %w", err)
			}
			node := &Server{t: t, Addr: net.JoinHostPort("127.0.0.1", port), dir: dir, cmd: cmd}
			if err := node.waitReady(cmd.Process.Pid); err != nil {
				node.Stop()
				return err
			}
			c.cmds = append(c.cmds, cmd)
			c.Addrs = append(c.Addrs, node.Addr)
			return nil
		})
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Wait (with a deadline) until every node says the cluster is ok.
	deadline := time.Now().Add(20 * time.Second)
	for _, a := range c.Addrs {
		cl := redis.NewClient(&redis.Options{Addr: a})
		for {
			info, _ := cl.ClusterInfo(context.Background()).Result()
			if strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				cl.Close()
				t.Fatalf("cluster not ok at %s: %s", a, info)
			}
			time.Sleep(50 * time.Millisecond) // poll interval
		}
		cl.Close()
	}
	return c
}

// Client returns a cluster client, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	c.t.Cleanup(func() { cl.Close() })
	return cl
}

func (c *Cluster) stop() {
	for _, cmd := range c.cmds {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
}

// TLSServer is a redis-server that accepts only TLS connections and only
// the ACL user User, whose keys are limited to Prefix.
type TLSServer struct {
	Addr     string
	User     string
	Password string
	CA       *x509.CertPool
	t        testing.TB
	cmd      *exec.Cmd
	dir      string
}

// StartTLS starts a TLS-only redis-server with a fresh CA and server
// certificate, the default user disabled, and an ACL user allowed only the
// keys under prefix (prefix + ":*").
func StartTLS(t testing.TB, prefix string) *TLSServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatalf("VIGIA_REQUIRE_REDIS=1 but redis-server is missing: apt-get install redis-server")
		}
		t.Skip("TLS needs a real redis-server")
	}
	dir := t.TempDir()
	caPEM, certPEM, keyPEM := selfSigned(t)
	for name, b := range map[string][]byte{"ca.pem": caPEM, "cert.pem": certPEM, "key.pem": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := &TLSServer{t: t, User: "vigia", Password: "acl-password-for-tests", CA: x509.NewCertPool(), dir: dir}
	s.CA.AppendCertsFromPEM(caPEM)
	acl := "user default off\nuser " + s.User + " on >" + s.Password + " ~" + prefix + ":* +@all -@dangerous +config|get\n"
	if err := os.WriteFile(filepath.Join(dir, "users.acl"), []byte(acl), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		if s.cmd != nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
			s.cmd = nil
		}
	}
	t.Cleanup(stop)
	onFreePort(t, func(port string) error {
		_ = os.Remove(filepath.Join(dir, "redis.log")) // a failed attempt's
		s.Addr = net.JoinHostPort("127.0.0.1", port)
		s.cmd = exec.Command(bin, "--port", "0", "--tls-port", port, "--bind", "127.0.0.1", "--dir", dir,
			"--tls-cert-file", filepath.Join(dir, "cert.pem"), "--tls-key-file", filepath.Join(dir, "key.pem"),
			"--tls-ca-cert-file", filepath.Join(dir, "ca.pem"), "--tls-auth-clients", "no",
			"--save", "", "--appendonly", "yes", "--logfile", filepath.Join(dir, "redis.log"),
			"--aclfile", filepath.Join(dir, "users.acl"))
		if err := s.cmd.Start(); err != nil {
			return fmt.Errorf("start TLS redis-server: %w", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if listenFailed(dir) {
				stop()
				return fmt.Errorf("TLS redis-server at %s: %w", s.Addr, errAddrInUse)
			}
			// Only this server has this CA's certificate: a PING
			// answered is its own. None is sent before its log says it
			// listens (waitReady).
			err := errors.New("its log does not say it listens yet")
			if listening(dir) {
				c := s.Client()
				err = c.Ping(context.Background()).Err()
				c.Close()
			}
			if err == nil {
				return nil
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
				return fmt.Errorf("TLS redis not ready: %v\n%s", err, log)
			}
			time.Sleep(20 * time.Millisecond) // poll interval
		}
	})
	return s
}

// Restart kills the server (its connections cut, as a crash or a
// restart cuts them) and starts it again on the same address, with the
// same data (its append-only file), waiting until it answers.
func (s *TLSServer) Restart() {
	s.t.Helper()
	args := s.cmd.Args
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	_ = os.Remove(filepath.Join(s.dir, "redis.log"))
	s.cmd = exec.Command(args[0], args[1:]...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("restart TLS redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := errors.New("its log does not say it listens yet")
		if listening(s.dir) {
			c := s.Client()
			err = c.Ping(context.Background()).Err()
			c.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("TLS redis not ready after a restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// Client returns a TLS client logged in as the ACL user.
func (s *TLSServer) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, Username: s.User, Password: s.Password,
		TLSConfig: &tls.Config{RootCAs: s.CA, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}})
}

// selfSigned makes a CA and a server certificate for 127.0.0.1.
func selfSigned(t testing.TB) (caPEM, certPEM, keyPEM []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vigia test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}
