package relying

import (
	"context"
	"errors"
	"strings"
	"time"
)

// The revocation feed. Once a signing key is cached, a goroutine long-polls
// /revocations from the key's revocation_seq and drops what each
// revocation may take back, before it asks again from the answer's
// position. Local verification is on only while the feed is heard: its
// last poll answered, less than 2×FeedWait + feedMargin ago. A poll that
// fails, or silence, drops every cached key and decision, and requests
// are verified by Latchkey (/verify) until a poll answers again; with
// Latchkey unreachable they fail closed (503).
//
// The bound: Latchkey answers a waiting poll within its change-log poll
// interval (100 ms) of a committed change, and the drop is applied when
// the answer arrives, before the next poll. A revocation therefore stops
// local verification one poll interval plus one round trip after it is
// committed (well under 1 s on a LAN); FeedWait (≤ 20 s) only sets how
// often a quiet feed answers its heartbeat, not how late a revocation
// arrives. If the connection is lost the bound is how long losing it takes
// to notice: at once for a refused or reset connection, FeedWait +
// feedMargin for a silent one, 2×FeedWait + feedMargin at most.

// feedMargin is how much later than FeedWait a poll may answer.
const feedMargin = 5 * time.Second

type feedState struct {
	running    bool
	failing    bool      // the last poll failed
	lastAnswer time.Time // of the last poll that answered, or the start
}

// feedUsableLocked reports whether cached keys may be used: the feed is
// not started yet (the next key fetched starts it) or it is heard. v.mu
// is held.
func (v *Verifier) feedUsableLocked(now time.Time) bool {
	if v.ctx.Err() != nil {
		return false
	}
	if !v.feed.running {
		return true
	}
	return !v.feed.failing && now.Sub(v.feed.lastAnswer) <= 2*v.opts.FeedWait+feedMargin
}

// startFeedLocked starts the feed from position after unless it runs.
// v.mu is held.
func (v *Verifier) startFeedLocked(after int64, now time.Time) {
	if v.feed.running || v.ctx.Err() != nil {
		return
	}
	v.feed = feedState{running: true, lastAnswer: now}
	v.wg.Add(1)
	go v.follow(after)
}

// follow polls the feed from after until the verifier is closed or the
// position expires.
func (v *Verifier) follow(after int64) {
	defer v.wg.Done()
	backoff := 100 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(v.ctx, v.opts.FeedWait+feedMargin)
		res, err := v.client.Revocations(ctx, after, v.opts.FeedWait)
		cancel()
		if v.ctx.Err() != nil {
			return
		}
		now := v.now()
		if errors.Is(err, ErrRevocationsExpired) {
			v.mu.Lock()
			v.dropAllLocked()
			v.feed = feedState{}
			v.mu.Unlock()
			v.log.Warn("relying: the revocation feed's position expired; cache dropped", "after", after)
			return
		}
		if err != nil {
			v.mu.Lock()
			was := v.feed.failing
			v.feed.failing = true
			v.dropAllLocked()
			v.mu.Unlock()
			if !was {
				v.log.Warn("relying: the revocation feed is not heard; verifying through Latchkey", "error", err)
			}
			select {
			case <-v.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		v.mu.Lock()
		v.applyLocked(res.Revocations)
		was := v.feed.failing || now.Sub(v.feed.lastAnswer) > 2*v.opts.FeedWait+feedMargin
		v.feed.failing = false
		v.feed.lastAnswer = now
		v.mu.Unlock()
		if was {
			v.log.Info("relying: the revocation feed is heard again", "last", res.Last)
		}
		if res.Last > after {
			after = res.Last
		}
	}
}

// dropAllLocked forgets every key and decision. v.mu is held.
func (v *Verifier) dropAllLocked() {
	v.epoch++
	if v.keys != nil {
		v.keys.clear()
	}
	if v.decisions != nil {
		v.decisions.clear()
	}
}

// applyLocked drops what each revocation may take back. A fetch in flight
// sees the epoch move and does not use its answer. v.mu is held.
func (v *Verifier) applyLocked(revs []Revocation) {
	if len(revs) == 0 {
		return
	}
	v.epoch++
	for _, rev := range revs {
		inAccount := func(p Principal) bool { return rev.Account == "" || p.Account == rev.Account }
		dropKeys := func(match func(id keyID, p Principal) bool) {
			if v.keys != nil {
				v.keys.removeIf(func(id keyID, e *keyEntry) bool { return inAccount(e.principal) && match(id, e.principal) })
			}
		}
		dropDecisions := func(match func(id decisionID, p Principal) bool) {
			if v.decisions != nil {
				v.decisions.removeIf(func(id decisionID, e *decisionEntry) bool { return inAccount(e.principal) && match(id, e.principal) })
			}
		}
		all := func(decisionID, Principal) bool { return true }
		switch rev.Kind {
		case AccessKeyDeactivated, AccessKeyDeleted, AccessKeyExpired:
			dropKeys(func(id keyID, p Principal) bool { return id.accessKeyID == rev.Subject || p.AccessKeyID == rev.Subject })
			dropDecisions(func(id decisionID, _ Principal) bool { return id.accessKeyID == rev.Subject })
		case UserDeleted, UserUpdated:
			// The user's keys, and federated sessions, whose principal does
			// not name the user they came from.
			user := func(p Principal) bool { return userName(p) == rev.Subject || p.Type == "federated-user" }
			dropKeys(func(_ keyID, p Principal) bool { return user(p) })
			dropDecisions(func(_ decisionID, p Principal) bool { return user(p) })
		case RoleDeleted, RoleUpdated:
			session := func(p Principal) bool { return p.Type == "assumed-role" }
			dropKeys(func(_ keyID, p Principal) bool { return session(p) })
			dropDecisions(all)
		case PolicyChanged, GroupMembershipChanged, GroupDeleted, GroupUpdated:
			dropDecisions(all)
		default: // RelyingServiceChanged, StoreChanged, and kinds unknown here
			dropKeys(func(keyID, Principal) bool { return true })
			dropDecisions(all)
		}
	}
}

// userName is the name of a user principal (the last part of its ARN's
// user/PATH/NAME), else "".
func userName(p Principal) string {
	if p.Type != "user" {
		return ""
	}
	_, res, ok := strings.Cut(p.ARN, ":user/")
	if !ok {
		return ""
	}
	return res[strings.LastIndexByte(res, '/')+1:]
}
