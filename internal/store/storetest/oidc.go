package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// OpenID Connect providers: named by account and URL (host and path, no
// scheme), compared exactly; client ids and thumbprints are sets in the
// order given; AWS's quotas hold under concurrency.

// thumb is a 40-character thumbprint made of one hex digit repeated.
func thumb(c string) string { return strings.Repeat(c, 40) }

// newOIDCProvider is the provider of acct at url, without client ids,
// thumbprints or tags.
func newOIDCProvider(url string) store.OpenIDConnectProvider {
	return store.OpenIDConnectProvider{AccountID: acct, URL: url, CreatedAt: epoch}
}

func mustOIDCProvider(t *testing.T, s store.Store, p store.OpenIDConnectProvider) store.OpenIDConnectProvider {
	t.Helper()
	if err := s.CreateOpenIDConnectProvider(t.Context(), p); err != nil {
		t.Fatalf("CreateOpenIDConnectProvider(%s): %v", p.URL, err)
	}
	return p
}

func getOIDCProvider(t *testing.T, s store.Store, account, url string) store.OpenIDConnectProvider {
	t.Helper()
	p, err := s.GetOpenIDConnectProvider(t.Context(), account, url)
	mustOK(t, "GetOpenIDConnectProvider("+url+")", err)
	return p
}

// wantOIDCProvider compares every field; an empty list and nil are equal.
func wantOIDCProvider(t *testing.T, what string, got, want store.OpenIDConnectProvider) {
	t.Helper()
	if got.AccountID != want.AccountID || got.URL != want.URL || !got.CreatedAt.Equal(want.CreatedAt) ||
		!slices.Equal(got.ClientIDs, want.ClientIDs) || !slices.Equal(got.Thumbprints, want.Thumbprints) || !slices.Equal(got.Tags, want.Tags) {
		t.Fatalf("%s =\n\t%+v\nwant\n\t%+v", what, got, want)
	}
}

func oidcURL(p store.OpenIDConnectProvider) string { return p.URL }

func testOIDCProviderLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := store.OpenIDConnectProvider{AccountID: acct, URL: "server.example.com/oidc", CreatedAt: epoch,
		ClientIDs:   []string{"my-app", "sts.amazonaws.com"},
		Thumbprints: []string{thumb("b"), thumb("a")},
		Tags:        []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}
	mustOK(t, "CreateOpenIDConnectProvider", s.CreateOpenIDConnectProvider(ctx, p))
	wantOIDCProvider(t, "GetOpenIDConnectProvider", getOIDCProvider(t, s, acct, p.URL), p)

	dup := newOIDCProvider(p.URL)
	dup.ClientIDs = []string{"other"}
	wantErr(t, "create the same URL again", s.CreateOpenIDConnectProvider(ctx, dup), store.ErrAlreadyExists)
	wantOIDCProvider(t, "after a refused duplicate", getOIDCProvider(t, s, acct, p.URL), p)

	// URLs are compared exactly: another case, a trailing slash or another
	// path is another provider.
	for _, url := range []string{"SERVER.example.com/oidc", "server.example.com/oidc/", "server.example.com", "server.example.com:8443/oidc"} {
		_, err := s.GetOpenIDConnectProvider(ctx, acct, url)
		wantNotFound(t, "get "+url, err, store.EntityOpenIDConnectProvider)
	}
	mustOIDCProvider(t, s, newOIDCProvider("SERVER.example.com/oidc"))
	wantOIDCProvider(t, "the first provider after another case's", getOIDCProvider(t, s, acct, p.URL), p)

	// Another account is isolated and may have the same URL.
	mustAccount(t, s, otherAcct)
	_, err := s.GetOpenIDConnectProvider(ctx, otherAcct, p.URL)
	wantNotFound(t, "provider seen from another account", err, store.EntityOpenIDConnectProvider)
	other := newOIDCProvider(p.URL)
	other.AccountID, other.ClientIDs = otherAcct, []string{"theirs"}
	mustOIDCProvider(t, s, other)
	wantOIDCProvider(t, "other account's provider", getOIDCProvider(t, s, otherAcct, p.URL), other)
	wantNotFound(t, "create in a missing account", s.CreateOpenIDConnectProvider(ctx, store.OpenIDConnectProvider{AccountID: "999999999999", URL: "x.example.com", CreatedAt: epoch}), store.EntityAccount)

	mustOK(t, "DeleteOpenIDConnectProvider", s.DeleteOpenIDConnectProvider(ctx, acct, p.URL))
	_, err = s.GetOpenIDConnectProvider(ctx, acct, p.URL)
	wantNotFound(t, "deleted provider", err, store.EntityOpenIDConnectProvider)
	wantNotFound(t, "delete twice", s.DeleteOpenIDConnectProvider(ctx, acct, p.URL), store.EntityOpenIDConnectProvider)
	wantOIDCProvider(t, "other account's provider after the delete", getOIDCProvider(t, s, otherAcct, p.URL), other)
	getOIDCProvider(t, s, acct, "SERVER.example.com/oidc")
	mustOK(t, "re-create the provider", s.CreateOpenIDConnectProvider(ctx, p))
	wantOIDCProvider(t, "re-created provider", getOIDCProvider(t, s, acct, p.URL), p)
}

// testOIDCProviderSets: duplicate client ids (compared exactly) and
// thumbprints (ignoring case) are dropped, the first kept, the order kept;
// quotas count what remains.
func testOIDCProviderSets(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := newOIDCProvider("idp.example.com")
	p.ClientIDs = []string{"b", "a", "b", "A", "a"}
	p.Thumbprints = []string{thumb("c"), thumb("a"), thumb("C"), thumb("a")}
	mustOIDCProvider(t, s, p)
	want := newOIDCProvider("idp.example.com")
	want.ClientIDs = []string{"b", "a", "A"}
	want.Thumbprints = []string{thumb("c"), thumb("a")}
	wantOIDCProvider(t, "provider with duplicates", getOIDCProvider(t, s, acct, p.URL), want)

	got, err := s.UpdateOpenIDConnectProvider(ctx, acct, p.URL, func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		p.ClientIDs = append(p.ClientIDs, "a", "c", "b")
		p.Thumbprints = []string{thumb("A"), thumb("a")}
		return p, nil
	})
	mustOK(t, "UpdateOpenIDConnectProvider", err)
	want.ClientIDs = []string{"b", "a", "A", "c"}
	want.Thumbprints = []string{thumb("A")}
	wantOIDCProvider(t, "UpdateOpenIDConnectProvider's result", got, want)
	wantOIDCProvider(t, "after an update with duplicates", getOIDCProvider(t, s, acct, p.URL), want)

	// 150 client ids naming 100 distinct ones fit.
	many := newOIDCProvider("many.example.com")
	ids := numbered("client", store.MaxClientIDsPerOpenIDConnectProvider)
	many.ClientIDs = append(append([]string(nil), ids...), ids[:50]...)
	mustOIDCProvider(t, s, many)
	wantNames(t, "client ids of a provider created with duplicates", getOIDCProvider(t, s, acct, many.URL).ClientIDs, ids)
}

func testListOIDCProviders(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	if list, err := s.ListOpenIDConnectProviders(ctx, acct); err != nil || len(list) != 0 {
		t.Fatalf("providers of an account without any = %+v, %v", list, err)
	}
	byURL := map[string]store.OpenIDConnectProvider{}
	for i, url := range []string{"zeta.example.com", "alpha.example.com/b", "alpha.example.com", "Beta.example.com", "alpha.example.com/a"} {
		p := newOIDCProvider(url)
		p.ClientIDs = []string{fmt.Sprint("client", i)}
		p.Thumbprints = []string{thumb(fmt.Sprint(i))}
		p.Tags = []store.Tag{{Key: "n", Value: fmt.Sprint(i)}}
		mustOIDCProvider(t, s, p)
		byURL[url] = p
	}
	o := newOIDCProvider("theirs.example.com")
	o.AccountID = otherAcct
	mustOIDCProvider(t, s, o)
	list, err := s.ListOpenIDConnectProviders(ctx, acct)
	mustOK(t, "ListOpenIDConnectProviders", err)
	// Ordered by URL, byte by byte.
	wantNames(t, "providers", namesOf(list, oidcURL), []string{"Beta.example.com", "alpha.example.com", "alpha.example.com/a", "alpha.example.com/b", "zeta.example.com"})
	for _, p := range list {
		wantOIDCProvider(t, "listed "+p.URL, p, byURL[p.URL])
	}
	list, err = s.ListOpenIDConnectProviders(ctx, otherAcct)
	mustOK(t, "ListOpenIDConnectProviders", err)
	wantNames(t, "the other account's providers", namesOf(list, oidcURL), []string{"theirs.example.com"})
}

// testUpdateOIDCProvider: client ids, thumbprints and tags change; the
// URL, account and creation date do not.
func testUpdateOIDCProvider(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	p := newOIDCProvider("idp.example.com")
	p.ClientIDs, p.Thumbprints, p.Tags = []string{"a"}, []string{thumb("a")}, []store.Tag{{Key: "k", Value: "v"}}
	mustOIDCProvider(t, s, p)

	var given store.OpenIDConnectProvider
	got, err := s.UpdateOpenIDConnectProvider(ctx, acct, p.URL, func(old store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		given = old
		old.ClientIDs = []string{"b", "c"}
		old.Thumbprints = []string{thumb("d"), thumb("e")}
		old.Tags = []store.Tag{{Key: "z", Value: "26"}}
		old.URL, old.AccountID, old.CreatedAt = "evil.example.com", otherAcct, epoch.Add(time.Hour)
		return old, nil
	})
	mustOK(t, "UpdateOpenIDConnectProvider", err)
	wantOIDCProvider(t, "the provider the update func was given", given, p)
	want := p
	want.ClientIDs, want.Thumbprints, want.Tags = []string{"b", "c"}, []string{thumb("d"), thumb("e")}, []store.Tag{{Key: "z", Value: "26"}}
	wantOIDCProvider(t, "UpdateOpenIDConnectProvider's result", got, want)
	wantOIDCProvider(t, "after UpdateOpenIDConnectProvider", getOIDCProvider(t, s, acct, p.URL), want)
	for _, where := range []struct{ account, url string }{{acct, "evil.example.com"}, {otherAcct, "evil.example.com"}, {otherAcct, p.URL}} {
		_, err := s.GetOpenIDConnectProvider(ctx, where.account, where.url)
		wantNotFound(t, "what the update func tried", err, store.EntityOpenIDConnectProvider)
	}

	// Emptied lists read back empty.
	want.ClientIDs, want.Thumbprints, want.Tags = nil, nil, nil
	_, err = s.UpdateOpenIDConnectProvider(ctx, acct, p.URL, func(old store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		old.ClientIDs, old.Thumbprints, old.Tags = []string{}, nil, []store.Tag{}
		return old, nil
	})
	mustOK(t, "empty the lists", err)
	wantOIDCProvider(t, "after emptying the lists", getOIDCProvider(t, s, acct, p.URL), want)

	boom := errors.New("boom")
	_, err = s.UpdateOpenIDConnectProvider(ctx, acct, p.URL, func(old store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		old.ClientIDs = []string{"x"}
		return old, boom
	})
	wantErr(t, "update func error", err, boom)
	wantOIDCProvider(t, "after a failed update", getOIDCProvider(t, s, acct, p.URL), want)

	called := false
	_, err = s.UpdateOpenIDConnectProvider(ctx, acct, "nope.example.com", func(old store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		called = true
		return old, nil
	})
	wantNotFound(t, "update a missing provider", err, store.EntityOpenIDConnectProvider)
	if called {
		t.Fatal("UpdateOpenIDConnectProvider of a missing provider called the update func")
	}
	_, err = s.UpdateOpenIDConnectProvider(ctx, otherAcct, p.URL, func(old store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) { return old, nil })
	wantNotFound(t, "update from another account", err, store.EntityOpenIDConnectProvider)
}

// testOIDCProviderQuotas: client ids, thumbprints and tags per provider,
// on creation and on update; a refused write changes nothing.
func testOIDCProviderQuotas(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	quotas := []struct {
		quota string
		max   int
		fill  func(p *store.OpenIDConnectProvider, n int)
	}{
		{"ClientIdsPerOpenIdConnectProvider", store.MaxClientIDsPerOpenIDConnectProvider, func(p *store.OpenIDConnectProvider, n int) {
			p.ClientIDs = numbered("client", n)
		}},
		{"ThumbprintsPerOpenIdConnectProvider", store.MaxThumbprintsPerOpenIDConnectProvider, func(p *store.OpenIDConnectProvider, n int) {
			p.Thumbprints = nil
			for i := range n {
				p.Thumbprints = append(p.Thumbprints, thumb(fmt.Sprintf("%x", i)))
			}
		}},
		{"TagsPerOpenIdConnectProvider", store.MaxTagsPerOpenIDConnectProvider, func(p *store.OpenIDConnectProvider, n int) {
			p.Tags = nil
			for _, k := range numbered("tag", n) {
				p.Tags = append(p.Tags, store.Tag{Key: k, Value: "v"})
			}
		}},
	}
	for _, q := range quotas {
		t.Run(q.quota, func(t *testing.T) {
			url := strings.ToLower(q.quota) + ".example.com"
			over := newOIDCProvider(url)
			q.fill(&over, q.max+1)
			wantLimit(t, "create one over", s.CreateOpenIDConnectProvider(ctx, over), q.quota, q.max)
			_, err := s.GetOpenIDConnectProvider(ctx, acct, url)
			wantNotFound(t, "the refused provider", err, store.EntityOpenIDConnectProvider)

			full := newOIDCProvider(url)
			q.fill(&full, q.max)
			mustOIDCProvider(t, s, full)
			_, err = s.UpdateOpenIDConnectProvider(ctx, acct, url, func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
				q.fill(&p, q.max+1)
				return p, nil
			})
			wantLimit(t, "update one over", err, q.quota, q.max)
			wantOIDCProvider(t, "after the refused update", getOIDCProvider(t, s, acct, url), full)
		})
	}
}

func testOIDCProvidersPerAccountQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	urls := numbered("idp", store.MaxOpenIDConnectProvidersPerAccount+1)
	for _, u := range urls[:store.MaxOpenIDConnectProvidersPerAccount] {
		mustOIDCProvider(t, s, newOIDCProvider(u+".example.com"))
	}
	extra := newOIDCProvider(urls[store.MaxOpenIDConnectProvidersPerAccount] + ".example.com")
	wantLimit(t, "one provider too many", s.CreateOpenIDConnectProvider(ctx, extra), "OpenIdConnectProvidersPerAccount", store.MaxOpenIDConnectProvidersPerAccount)
	_, err := s.GetOpenIDConnectProvider(ctx, acct, extra.URL)
	wantNotFound(t, "the refused provider", err, store.EntityOpenIDConnectProvider)
	if list, err := s.ListOpenIDConnectProviders(ctx, acct); err != nil || len(list) != store.MaxOpenIDConnectProvidersPerAccount {
		t.Fatalf("%d providers, %v", len(list), err)
	}
	other := extra
	other.AccountID = otherAcct
	mustOK(t, "provider in another account", s.CreateOpenIDConnectProvider(ctx, other))
	mustOK(t, "DeleteOpenIDConnectProvider", s.DeleteOpenIDConnectProvider(ctx, acct, urls[0]+".example.com"))
	mustOK(t, "create after freeing a slot", s.CreateOpenIDConnectProvider(ctx, extra))
}

// testOIDCProviderChangeFeed: provider writes advance Generation (STS's
// view of the providers may be cached against it).
func testOIDCProviderChangeFeed(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"CreateOpenIDConnectProvider", func() error { return s.CreateOpenIDConnectProvider(ctx, newOIDCProvider("idp.example.com")) }},
		{"UpdateOpenIDConnectProvider", func() error {
			_, err := s.UpdateOpenIDConnectProvider(ctx, acct, "idp.example.com", func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
				p.ClientIDs = []string{"a"}
				return p, nil
			})
			return err
		}},
		{"DeleteOpenIDConnectProvider", func() error { return s.DeleteOpenIDConnectProvider(ctx, acct, "idp.example.com") }},
	} {
		before := s.Generation()
		mustOK(t, w.name, w.write())
		if after := s.Generation(); after <= before {
			t.Fatalf("%s returned with the generation at %d, where it was before: not advanced", w.name, after)
		}
	}
}

// testConcurrentCreateOIDCProviders races 20 creations of distinct URLs
// into an account one provider short of its quota (exactly one is
// created, the others refused with the quota's LimitError), then 20 of one
// URL into an account with room (one created, the others ErrAlreadyExists).
func testConcurrentCreateOIDCProviders(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	for _, u := range numbered("idp", store.MaxOpenIDConnectProvidersPerAccount-1) {
		mustOIDCProvider(t, s, newOIDCProvider(u+".example.com"))
	}
	const n = 20
	racers := numbered("racer", n)
	var ok, limited atomic.Int32
	race(n, func(i int) {
		err := s.CreateOpenIDConnectProvider(ctx, newOIDCProvider(racers[i]+".example.com"))
		var le *store.LimitError
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &le) && le.Quota == "OpenIdConnectProvidersPerAccount" && le.Max == store.MaxOpenIDConnectProvidersPerAccount:
			limited.Add(1)
		default:
			t.Errorf("CreateOpenIDConnectProvider(%s): %v", racers[i], err)
		}
	})
	if ok.Load() != 1 || limited.Load() != n-1 {
		t.Fatalf("%d created, %d limited, want 1 and %d", ok.Load(), limited.Load(), n-1)
	}
	if list, err := s.ListOpenIDConnectProviders(ctx, acct); err != nil || len(list) != store.MaxOpenIDConnectProvidersPerAccount {
		t.Fatalf("%d providers after the race, %v", len(list), err)
	}

	ok.Store(0)
	var exists atomic.Int32
	race(n, func(i int) {
		p := newOIDCProvider("same.example.com")
		p.AccountID, p.ClientIDs = otherAcct, []string{racers[i]}
		err := s.CreateOpenIDConnectProvider(ctx, p)
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, store.ErrAlreadyExists) && !errors.Is(err, store.ErrLimitExceeded):
			exists.Add(1)
		default:
			t.Errorf("CreateOpenIDConnectProvider: %v", err)
		}
	})
	if ok.Load() != 1 || exists.Load() != n-1 {
		t.Fatalf("%d created, %d already there, want 1 and %d", ok.Load(), exists.Load(), n-1)
	}
	if ids := getOIDCProvider(t, s, otherAcct, "same.example.com").ClientIDs; len(ids) != 1 {
		t.Fatalf("the raced provider's client ids %q", ids)
	}
}

// testConcurrentOIDCProviderUpdates races read-modify-write updates of one
// provider near its quotas: 30 distinct client ids into room for 10, the
// same client id 20 times, and 20 distinct tags into room for 5. Exactly
// as many as fit are written, the others refused with the quota's
// LimitError; none is lost.
func testConcurrentOIDCProviderUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	const url = "idp.example.com"
	p := newOIDCProvider(url)
	const roomIDs, roomTags = 10, 5
	p.ClientIDs = numbered("base", store.MaxClientIDsPerOpenIDConnectProvider-roomIDs)
	for _, k := range numbered("base", store.MaxTagsPerOpenIDConnectProvider-roomTags) {
		p.Tags = append(p.Tags, store.Tag{Key: k, Value: "v"})
	}
	mustOIDCProvider(t, s, p)
	update := func(change func(*store.OpenIDConnectProvider)) error {
		_, err := s.UpdateOpenIDConnectProvider(ctx, acct, url, func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
			change(&p)
			return p, nil
		})
		return err
	}
	// count races n updates and checks that exactly fit succeed.
	count := func(what string, n, fit int, quota string, max int, change func(i int) func(*store.OpenIDConnectProvider)) {
		t.Helper()
		var ok, limited atomic.Int32
		race(n, func(i int) {
			err := update(change(i))
			var le *store.LimitError
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &le) && le.Quota == quota && le.Max == max:
				limited.Add(1)
			default:
				t.Errorf("%s %d: %v", what, i, err)
			}
		})
		if int(ok.Load()) != fit || int(limited.Load()) != n-fit {
			t.Fatalf("%s: %d written, %d limited, want %d and %d", what, ok.Load(), limited.Load(), fit, n-fit)
		}
	}

	racers := numbered("racer", 30)
	count("add client id", 30, roomIDs, "ClientIdsPerOpenIdConnectProvider", store.MaxClientIDsPerOpenIDConnectProvider, func(i int) func(*store.OpenIDConnectProvider) {
		return func(p *store.OpenIDConnectProvider) { p.ClientIDs = append(p.ClientIDs, racers[i]) }
	})
	got := getOIDCProvider(t, s, acct, url)
	if len(got.ClientIDs) != store.MaxClientIDsPerOpenIDConnectProvider || !slices.Equal(got.ClientIDs[:len(p.ClientIDs)], p.ClientIDs) {
		t.Fatalf("client ids after the race: %d, the first %q", len(got.ClientIDs), got.ClientIDs[:min(3, len(got.ClientIDs))])
	}

	// The same client id added by 20 at once: all succeed (it is there
	// once), once there is room for it.
	mustOK(t, "make room", update(func(p *store.OpenIDConnectProvider) { p.ClientIDs = p.ClientIDs[1:] }))
	count("add the same client id", 20, 20, "", 0, func(int) func(*store.OpenIDConnectProvider) {
		return func(p *store.OpenIDConnectProvider) { p.ClientIDs = append(p.ClientIDs, "shared") }
	})
	ids := getOIDCProvider(t, s, acct, url).ClientIDs
	if n := len(ids); n != store.MaxClientIDsPerOpenIDConnectProvider || ids[n-1] != "shared" || slices.Index(ids, "shared") != n-1 {
		t.Fatalf("after adding one client id 20 times: %d client ids, last %q", n, ids[n-1])
	}

	count("add tag", 20, roomTags, "TagsPerOpenIdConnectProvider", store.MaxTagsPerOpenIDConnectProvider, func(i int) func(*store.OpenIDConnectProvider) {
		return func(p *store.OpenIDConnectProvider) {
			p.Tags = append(slices.Clone(p.Tags), store.Tag{Key: racers[i], Value: "raced"})
		}
	})
	if tags := getOIDCProvider(t, s, acct, url).Tags; len(tags) != store.MaxTagsPerOpenIDConnectProvider {
		t.Fatalf("%d tags after the race", len(tags))
	}
}

// testConcurrentUpdateDeleteOIDCProvider races an update of a provider
// against its deletion: the update either lands first (and the delete
// removes it) or finds no provider; it never brings a deleted one back.
func testConcurrentUpdateDeleteOIDCProvider(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	const minRounds, maxRounds = 20, 500
	var updateFirst, deleteFirst int
	for round := 0; round < maxRounds && (round < minRounds || updateFirst == 0 || deleteFirst == 0); round++ {
		url := fmt.Sprintf("idp%03d.example.com", round)
		mustOIDCProvider(t, s, newOIDCProvider(url))
		var updErr, delErr error
		race(2, func(i int) {
			if (i+round)%2 == 0 {
				_, updErr = s.UpdateOpenIDConnectProvider(ctx, acct, url, func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
					p.ClientIDs = append(p.ClientIDs, "late")
					return p, nil
				})
			} else {
				delErr = s.DeleteOpenIDConnectProvider(ctx, acct, url)
			}
		})
		mustOK(t, fmt.Sprintf("round %d: delete", round), delErr)
		switch {
		case updErr == nil:
			updateFirst++
		default:
			wantNotFound(t, fmt.Sprintf("round %d: update after the delete", round), updErr, store.EntityOpenIDConnectProvider)
			deleteFirst++
		}
		_, err := s.GetOpenIDConnectProvider(ctx, acct, url)
		wantNotFound(t, fmt.Sprintf("round %d: the deleted provider", round), err, store.EntityOpenIDConnectProvider)
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if updateFirst == 0 || deleteFirst == 0 {
		t.Fatalf("the race never went both ways in %d rounds (update first %d, delete first %d)", maxRounds, updateFirst, deleteFirst)
	}
	t.Logf("update first %d rounds, delete first %d", updateFirst, deleteFirst)
}
