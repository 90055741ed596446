package console

import (
	"sync"
	"time"
)

// replays remembers the signatures of the signed calls the console has
// answered (a root's sign-in, a refresh), so that a captured request
// cannot be sent again for new credentials while its signature is still
// within the verifier's 15 minutes of clock skew. Only verified requests
// are remembered, so the table grows with real sign-ins alone; when it is
// full of live entries a call is refused rather than an entry forgotten.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time // signature → when it can no longer verify
}

// maxReplays bounds the remembered signatures: far more signed sign-ins
// and refreshes than 16 minutes bring.
const maxReplays = 100_000

// signatureLife is how long a request signed at t verifies: the
// verifier's skew either side, and a margin.
const signatureLife = 15*time.Minute + time.Minute

// first reports whether signature, of a request signed at signedAt, is
// answered for the first time at now, and remembers it.
func (r *replays) first(signature string, signedAt, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = make(map[string]time.Time)
	}
	if until, ok := r.seen[signature]; ok && now.Before(until) {
		return false
	}
	if len(r.seen) >= maxReplays {
		for sig, until := range r.seen {
			if !now.Before(until) {
				delete(r.seen, sig)
			}
		}
		if len(r.seen) >= maxReplays {
			return false
		}
	}
	r.seen[signature] = signedAt.Add(signatureLife)
	return true
}
