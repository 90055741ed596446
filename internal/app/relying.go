package app

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/store"
)

// AddRelyingService registers a relying service (relying.NewRecord says
// what it takes).
func (d *Data) AddRelyingService(ctx context.Context, account, name, principalARN string, scopes, hosts []string) (store.RelyingService, error) {
	rs, err := relying.NewRecord(account, name, principalARN, scopes, hosts, time.Now())
	if err != nil {
		return rs, err
	}
	return rs, d.Store.CreateRelyingService(ctx, rs)
}
