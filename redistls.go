package main

import (
	"context"
	"crypto/tls"
	"net"
	"syscall"
	"time"
)

// tlsDialer dials Redis over TLS as go-redis's own dialer does (its
// NewDialer: the dial timeout, TCP keep-alives, the server name taken from
// the address when the configuration names none), but hands go-redis a
// connection whose TCP socket it can see. go-redis checks an idle
// connection before it uses it (a peek at its socket: closed, or bytes
// nobody asked for) only where the connection exposes its socket, which a
// *tls.Conn does not: over TLS, after Redis restarted, each connection
// idle in the pool was used once, dead, and a Send's claim, sent once
// (a lost reply may be a claim that ran), failed on it (EOF): the reporter
// told it could not be done right now. Seen through its socket, a dead
// connection is dropped before use, and a new one dialled. A connection
// whose socket holds bytes when idle (a TLS record not read yet) is
// dropped too, a dial's cost: with RESP2 (redisClient) go-redis does not
// try to read them. Nothing is ever sent twice: a connection that dies
// after the check fails as before.
func tlsDialer(cfg *tls.Config, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if timeout == 0 {
		timeout = 5 * time.Second // go-redis's default DialTimeout
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &tls.Dialer{
			NetDialer: &net.Dialer{Timeout: timeout, KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 30 * time.Second, Interval: 5 * time.Second, Count: 3}},
			Config:    cfg,
		}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc, ok := c.(*tls.Conn)
		if !ok {
			return c, nil
		}
		raw, ok := tc.NetConn().(syscall.Conn)
		if !ok {
			return c, nil
		}
		return socketTLS{tc, raw}, nil
	}
}

// socketTLS is a TLS connection that shows go-redis's idle check its TCP
// socket (syscall.Conn), which the check only peeks at: reads and writes
// go through TLS.
type socketTLS struct {
	*tls.Conn
	raw syscall.Conn
}

// SyscallConn is the TCP socket's.
func (c socketTLS) SyscallConn() (syscall.RawConn, error) { return c.raw.SyscallConn() }
