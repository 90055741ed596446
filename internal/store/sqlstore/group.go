package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Group commit. Every write transaction goes through one committer per
// store, which runs the writes waiting when it is free together in one
// database transaction, each inside a savepoint of its own, and commits
// them with one commit (one fsync): a write that fails is rolled back to
// its savepoint alone, and every write is acknowledged only after the
// commit that holds it, so nothing acknowledged is lost and invariants see
// the writes before them as a serial order would. Concurrent writers thus
// share commits instead of queueing one fsync each, while a lone writer
// waits for nothing.

// maxBatch bounds the writes one commit carries.
const maxBatch = 64

// job is one write transaction waiting for the committer.
type job struct {
	ctx context.Context // the writer's: its statements run under it
	fn  func(*txn) error
	// counted: the write can change what authenticates or what is
	// allowed, so it goes into the change log (at least one entry).
	counted bool
	changes []store.Change // noted by fn as it ran (txn.changed)
	err     error
	done    chan struct{}
}

type committer struct {
	jobs     chan *job
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// startCommitter starts the store's committer. One suffices on either
// backend: on SQLite the one write connection runs one transaction at a
// time; on PostgreSQL batches in flight together were measured slower than
// one (smaller batches, more commits waiting on the change counter's row),
// and would deadlock each other as writes of different servers can.
func (s *Store) startCommitter() {
	c := &committer{jobs: make(chan *job, maxBatch), stop: make(chan struct{}), done: make(chan struct{})}
	s.commits = c
	go func() {
		defer close(c.done)
		s.commitLoop(c)
	}()
}

// commitLoop takes the writes waiting, runs them together, and again.
func (s *Store) commitLoop(c *committer) {
	for {
		var first *job
		select {
		case first = <-c.jobs:
		case <-c.stop:
			// Writes handed over but not begun fail: none of them ran.
			for {
				select {
				case j := <-c.jobs:
					j.err = errClosed
					close(j.done)
				default:
					return
				}
			}
		}
		batch := []*job{first}
	take:
		for len(batch) < maxBatch {
			select {
			case j := <-c.jobs:
				batch = append(batch, j)
			default:
				break take
			}
		}
		s.commitBatch(batch)
	}
}

func (s *Store) stopCommitter() {
	if s.commits != nil {
		s.commits.stopOnce.Do(func() { close(s.commits.stop) })
		<-s.commits.done
	}
}

// submit hands a write to the committer and waits for its outcome (also
// when ctx ends meanwhile: a write once handed over may commit, and the
// caller must not be told otherwise).
func (s *Store) submit(ctx context.Context, fn func(*txn) error, counted bool) error {
	j := &job{ctx: ctx, fn: fn, counted: counted, done: make(chan struct{})}
	select {
	case s.commits.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.commits.stop:
		return errClosed
	}
	select {
	case <-j.done:
	case <-s.commits.done:
		select {
		case <-j.done:
		default:
			return errClosed // handed over as the store closed: never run
		}
	}
	return j.err
}

var errClosed = fmt.Errorf("sqlstore: the store is closed")

// ObserveCommits sets fn to be told of every group commit once its writers
// are woken: how many writes it carried and how long it took from the
// batch taken (retries included). fn runs on the committer: it must be
// cheap. nil stops the observing.
func (s *Store) ObserveCommits(fn func(writes int, took time.Duration)) {
	if fn == nil {
		s.commitObserver.Store(nil)
		return
	}
	s.commitObserver.Store(&fn)
}

// commitBatch runs a batch, again (whole) when it met another
// transaction, and wakes its writers.
func (s *Store) commitBatch(batch []*job) {
	// Last, once the connection is free again: prepare the statements the
	// batch met for the first time.
	defer s.prepared.prepareMet(context.Background())
	start := time.Now()
	defer func() {
		for _, j := range batch {
			close(j.done)
		}
		if fn := s.commitObserver.Load(); fn != nil {
			(*fn)(len(batch), time.Since(start))
		}
	}()
	active := batch
	savepoints := false
	for attempt := 1; ; attempt++ {
		err := s.runBatch(active, savepoints)
		if err == nil {
			return
		}
		if errors.Is(err, errNeedSavepoints) {
			// A write failed in a batch run without savepoints: the batch
			// runs again, each write in a savepoint of its own. Not a
			// meeting with another transaction: no attempt counted.
			savepoints = true
			attempt--
			continue
		}
		// A writer that gave up (its context ended) can break the whole
		// transaction (a driver closes the connection of a cancelled
		// statement): it fails alone, and the others run again.
		kept := active[:0:0]
		for _, j := range active {
			if j.ctx.Err() != nil {
				j.err = j.ctx.Err()
			} else {
				kept = append(kept, j)
			}
		}
		if len(kept) > 0 && len(kept) < len(active) {
			active = kept
			continue
		}
		if s.d.retryable == nil || !s.d.retryable(err) || attempt == maxTxAttempts {
			for _, j := range active {
				if j.err == nil {
					j.err = err
				}
			}
			return
		}
	}
}

// errNeedSavepoints says a write of a batch run without savepoints failed
// and the transaction was rolled back: the batch must run with them.
var errNeedSavepoints = errors.New("sqlstore: a write failed in a batch without savepoints")

// runBatch runs the batch's writes in one transaction. It returns an
// error only when the whole transaction failed (each job's own failure is
// in its err).
//
// A batch of several writes runs first without savepoints (two statements
// fewer a write, and on PostgreSQL two round trips fewer): writes rarely
// fail, and when one does the transaction is rolled back whole and the
// batch runs again with a savepoint around each write, so that the write
// fails alone. Writes are run again anyway when a transaction meets
// another, so they are written to be.
func (s *Store) runBatch(batch []*job, savepoints bool) error {
	ctx := context.Background()
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &txn{Tx: sqlTx, cache: s.prepared}
	several := len(batch) > 1
	savepoints = savepoints && several
	exec := func(stmt string) error {
		_, err := tx.ExecContext(ctx, stmt)
		return err
	}
	committing := 0
	var changes []store.Change
	for _, j := range batch {
		j.err = nil
		j.changes = j.changes[:0]
		tx.job = j
		if err := j.ctx.Err(); err != nil {
			j.err = err // given up before it began
			continue
		}
		if savepoints {
			if err := exec(`SAVEPOINT w`); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if err := j.fn(tx); err != nil {
			if s.d.retryable != nil && s.d.retryable(err) {
				_ = tx.Rollback()
				return err
			}
			if several && !savepoints {
				_ = tx.Rollback()
				return errNeedSavepoints
			}
			j.err = err
			if !savepoints {
				_ = tx.Rollback()
				return nil
			}
			if rerr := exec(`ROLLBACK TO SAVEPOINT w`); rerr != nil {
				_ = tx.Rollback()
				return rerr
			}
		}
		if savepoints {
			if err := exec(`RELEASE SAVEPOINT w`); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if j.err == nil {
			committing++
			if j.counted {
				if len(j.changes) == 0 {
					j.changes = append(j.changes, store.Change{Kind: store.ChangeStore})
				}
				changes = append(changes, j.changes...)
			}
		}
	}
	tx.job = nil
	if committing == 0 {
		_ = tx.Rollback()
		return nil
	}
	var last int64
	if len(changes) > 0 {
		if last, err = s.appendChanges(ctx, tx, changes); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(changes) > 0 && s.feed != nil {
		// This server's own changes: the sync need not take them for
		// another's.
		s.feed.committed(last-int64(len(changes))+1, last)
	}
	return nil
}
