package discord

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// Every call on a gateway connection cut by a cancel fails as a dial cut
// (*dialCutError), its deadlines' too: the websocket dialer sets the
// upgrade's deadline first, and a stop cutting just before made that
// call's error, not a read's, discordgo's "error connecting to gateway"
// line, logged as a WARN on a clean stop (TestDiscordCleanStopLogsNoWarning
// "upgrade", seen failing once in CI). A cut for time is no dial cut.
// Mutation: gatewayConn without its own SetDeadline (net.Conn's, as
// before) -> "SetDeadline after a cancel's cut: io: read/write on closed
// pipe, not a dial cut".
func TestGatewayConnCutByACancelFailsEveryCallAsACut(t *testing.T) {
	for _, cancelled := range []bool{true, false} {
		client, server := net.Pipe()
		t.Cleanup(func() { server.Close() })
		c := &gatewayConn{Conn: client}
		hs, cancel := context.WithTimeout(context.Background(), time.Hour)
		if cancelled {
			cancel()
		} else {
			defer cancel()
			var over context.CancelFunc
			hs, over = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer over()
		}
		c.cutOff(hs)
		calls := map[string]error{
			"SetDeadline":      c.SetDeadline(time.Now().Add(time.Minute)),
			"SetReadDeadline":  c.SetReadDeadline(time.Now().Add(time.Minute)),
			"SetWriteDeadline": c.SetWriteDeadline(time.Now().Add(time.Minute)),
		}
		_, calls["Read"] = c.Read(make([]byte, 1))
		_, calls["Write"] = c.Write([]byte("x"))
		for name, err := range calls {
			cut := (*dialCutError)(nil)
			switch {
			case err == nil:
				t.Errorf("%s after a cut: no error", name)
			case cancelled && !errors.As(err, &cut):
				t.Errorf("%s after a cancel's cut: %v, not a dial cut", name, err)
			case !cancelled && errors.As(err, &cut):
				t.Errorf("%s after a cut for time: %v, a dial cut", name, err)
			}
		}
	}
}
