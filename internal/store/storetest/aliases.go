package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

// Account aliases: one per account, replaced by the next; unique across
// accounts.

func wantAliases(t *testing.T, s store.Store, account string, want ...string) {
	t.Helper()
	got, err := s.ListAccountAliases(t.Context(), account)
	mustOK(t, "ListAccountAliases", err)
	if !slices.Equal(got, want) {
		t.Fatalf("aliases of %s = %q, want %q", account, got, want)
	}
}

func wantAliasOwner(t *testing.T, s store.Store, alias, want string) {
	t.Helper()
	got, err := s.AccountByAlias(t.Context(), alias)
	mustOK(t, "AccountByAlias", err)
	if got != want {
		t.Fatalf("AccountByAlias(%q) = %q, want %q", alias, got, want)
	}
}

func testAccountAliases(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	wantAliases(t, s, acct)
	mustOK(t, "CreateAccountAlias", s.CreateAccountAlias(ctx, acct, "example-corp"))
	wantAliases(t, s, acct, "example-corp")
	wantAliases(t, s, otherAcct)
	wantErr(t, "create the alias the account holds", s.CreateAccountAlias(ctx, acct, "example-corp"), store.ErrAlreadyExists)
	wantErr(t, "create another account's alias", s.CreateAccountAlias(ctx, otherAcct, "example-corp"), store.ErrAlreadyExists)
	wantAliases(t, s, otherAcct)

	// A second alias replaces the first, which is free again.
	mustOK(t, "replace the alias", s.CreateAccountAlias(ctx, acct, "example-2"))
	wantAliases(t, s, acct, "example-2")
	mustOK(t, "take the replaced alias", s.CreateAccountAlias(ctx, otherAcct, "example-corp"))
	wantAliases(t, s, otherAcct, "example-corp")
	wantAliasOwner(t, s, "example-corp", otherAcct)
	wantAliasOwner(t, s, "example-2", acct)
	_, err := s.AccountByAlias(ctx, "nobody-has-it")
	wantNotFound(t, "the account of an alias nobody holds", err, store.EntityAccountAlias)

	// Deleting names the alias held.
	wantNotFound(t, "delete an alias the account does not hold", s.DeleteAccountAlias(ctx, acct, "example-corp"), store.EntityAccountAlias)
	wantNotFound(t, "delete an alias nobody holds", s.DeleteAccountAlias(ctx, acct, "nobody-has-it"), store.EntityAccountAlias)
	wantAliases(t, s, otherAcct, "example-corp")
	mustOK(t, "DeleteAccountAlias", s.DeleteAccountAlias(ctx, acct, "example-2"))
	wantAliases(t, s, acct)
	_, err = s.AccountByAlias(ctx, "example-2")
	wantNotFound(t, "the account of a deleted alias", err, store.EntityAccountAlias)
	wantNotFound(t, "delete twice", s.DeleteAccountAlias(ctx, acct, "example-2"), store.EntityAccountAlias)
	mustOK(t, "re-create after the delete", s.CreateAccountAlias(ctx, acct, "example-2"))
	wantAliases(t, s, acct, "example-2")

	wantNotFound(t, "alias of a missing account", s.CreateAccountAlias(ctx, "999999999999", "ghost"), store.EntityAccount)
	wantAliases(t, s, "999999999999")
}

// testConcurrentAccountAliases races one alias into 20 accounts (exactly
// one gets it, the others ErrAlreadyExists), 20 aliases into one account
// (each replaces the last: the account ends with one of them, the others
// free), and, round after round, an account giving up an alias for
// another against a second account taking it: the taker wins exactly when
// the release committed first, and both orders must be seen.
func testConcurrentAccountAliases(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 20
	accounts := make([]string, n)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("5000000000%02d", i)
		mustAccount(t, s, accounts[i])
	}
	var ok, exists atomic.Int32
	race(n, func(i int) {
		err := s.CreateAccountAlias(ctx, accounts[i], "contested")
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, store.ErrAlreadyExists):
			exists.Add(1)
		default:
			t.Errorf("CreateAccountAlias(%s): %v", accounts[i], err)
		}
	})
	if ok.Load() != 1 || exists.Load() != n-1 {
		t.Fatalf("%d created, %d refused, want 1 and %d", ok.Load(), exists.Load(), n-1)
	}
	holders := 0
	for _, a := range accounts {
		list, err := s.ListAccountAliases(ctx, a)
		mustOK(t, "ListAccountAliases", err)
		if len(list) == 1 && list[0] == "contested" {
			holders++
		} else if len(list) != 0 {
			t.Fatalf("account %s holds %q", a, list)
		}
	}
	if holders != 1 {
		t.Fatalf("%d accounts hold the contested alias", holders)
	}

	mustAccount(t, s, acct)
	names := numbered("alias", n)
	race(n, func(i int) {
		if err := s.CreateAccountAlias(ctx, acct, names[i]); err != nil {
			t.Errorf("CreateAccountAlias(%s): %v", names[i], err)
		}
	})
	list, err := s.ListAccountAliases(ctx, acct)
	mustOK(t, "ListAccountAliases", err)
	if len(list) != 1 || !slices.Contains(names, list[0]) {
		t.Fatalf("after 20 replacements the account holds %q", list)
	}
	for _, name := range names {
		if name != list[0] {
			mustOK(t, "take a replaced alias", s.CreateAccountAlias(ctx, accounts[1], name))
		}
	}

	mustAccount(t, s, otherAcct)
	const minRounds, maxRounds = 20, 500
	var takerWon, takerLost int
	for round := 0; round < maxRounds && (round < minRounds || takerWon == 0 || takerLost == 0); round++ {
		old, next := fmt.Sprintf("old%03d", round), fmt.Sprintf("new%03d", round)
		mustOK(t, "CreateAccountAlias", s.CreateAccountAlias(ctx, acct, old))
		var releaseErr, takeErr error
		race(2, func(i int) {
			if (i+round)%2 == 0 {
				releaseErr = s.CreateAccountAlias(ctx, acct, next)
			} else {
				takeErr = s.CreateAccountAlias(ctx, otherAcct, old)
			}
		})
		mustOK(t, fmt.Sprintf("round %d: replace", round), releaseErr)
		wantAliases(t, s, acct, next)
		switch {
		case takeErr == nil:
			takerWon++
			wantAliases(t, s, otherAcct, old)
		case errors.Is(takeErr, store.ErrAlreadyExists):
			takerLost++
		default:
			t.Fatalf("round %d: take: %v", round, takeErr)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if takerWon == 0 || takerLost == 0 {
		t.Fatalf("the race never went both ways in %d rounds (taker won %d, lost %d)", maxRounds, takerWon, takerLost)
	}
	t.Logf("taker won %d rounds, lost %d", takerWon, takerLost)
}
