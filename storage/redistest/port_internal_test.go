package redistest

import (
	"context"
	"net"
	"testing"
)

// A port picked free and taken by another process before redis-server
// binds it (another test process's server) is given up for another: the
// server started is the test's own, not whatever answers on the taken port.
func TestStartRetriesOnAPortTakenMeanwhile(t *testing.T) {
	if !Start(t).Real { // (with VIGIA_REQUIRE_REDIS=1, Start fails instead)
		t.Skip("it retries redis-server's own start; the embedded miniredis picks its port itself")
	}
	for _, taker := range []struct {
		name string
		take func(t *testing.T) string // the taken address
	}{
		{"listener", func(t *testing.T) string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return l.Addr().String()
		}},
		{"another redis-server", func(t *testing.T) string { return Start(t).Addr }},
	} {
		t.Run(taker.name, func(t *testing.T) {
			taken := taker.take(t)
			_, port, _ := net.SplitHostPort(taken)
			pick, picked := pickPort, 0
			pickPort = func(t testing.TB) int {
				if picked++; picked == 1 {
					p, _ := net.LookupPort("tcp", port)
					return p
				}
				return pick(t)
			}
			t.Cleanup(func() { pickPort = pick })
			s := Start(t)
			if s.Addr == taken || picked != 2 {
				t.Fatalf("started at %s after %d picks; %s was taken", s.Addr, picked, taken)
			}
			c := s.Client()
			if err := c.Set(context.Background(), "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
