package storage

import (
	"context"
	"net"
	"time"
)

// DefaultRoundTrip bounds one exchange with a shared database server (a
// command written and its answer read) when Options.RoundTrip is zero; the
// embedded store, in process, gets 30 s.
//
// Server selection (serverSelection) already gives up after 2 s when the
// server refuses connections. A server that accepts and then says nothing
// (a frozen process, a network partition, PostgreSQL hung under FerretDB)
// is another matter: the driver waits as long as the request's context
// lets it, and requests had 10 s. Bounding each exchange at the socket
// brings that 503 in the same time as a refused one. A write that timed
// out may still have been applied; the app sends it again with the same
// opId, and operations are idempotent by opId, so that is safe.
const DefaultRoundTrip = 2 * time.Second

// boundedDialer dials as the driver would and bounds every read and write
// on the connection at roundTrip from when the driver starts it, or the
// driver's own deadline when that is sooner. It needs the driver's
// monitoring in poll mode: a streaming monitor's awaitable hello waits
// longer than any round trip on purpose.
type boundedDialer struct {
	net.Dialer
	roundTrip time.Duration
}

func (d *boundedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &boundedConn{Conn: c, roundTrip: d.roundTrip}, nil
}

// boundedConn clamps the deadlines the driver sets before each read and
// write (zero, "none", when the context has no deadline).
type boundedConn struct {
	net.Conn
	roundTrip time.Duration
}

func (c *boundedConn) clamp(t time.Time) time.Time {
	limit := time.Now().Add(c.roundTrip)
	if t.IsZero() || t.After(limit) {
		return limit
	}
	return t
}

func (c *boundedConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *boundedConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }
func (c *boundedConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
