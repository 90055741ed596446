package e2e

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestSlowClientsDoNotStarveOthers opens many connections that send a
// request header byte by byte, slower than any real client, and checks the
// server keeps answering everyone else promptly.
func TestSlowClientsDoNotStarveOthers(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const slow = 300
	opened := 0
	for i := 0; i < slow; i++ {
		conn, err := net.Dial("tcp", s.Addr)
		if err != nil {
			break
		}
		opened++
		go func() {
			defer conn.Close()
			_, _ = conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\n"))
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("X")); err != nil {
						return // the server hung up on us: fine
					}
				}
			}
		}()
	}
	if opened < slow {
		t.Fatalf("opened only %d slow connections", opened)
	}
	c := s.STS(e2etest.Root)
	for i := 0; i < 20; i++ {
		// A liveness bound, not a speed figure: the request must not hang.
		rctx, rcancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, err := c.GetCallerIdentity(rctx, &sts.GetCallerIdentityInput{})
		rcancel()
		if err != nil {
			t.Fatalf("with %d slow clients connected: %v", slow, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
