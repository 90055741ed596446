// Package relying is the Go client of Latchkey's relying-service API, for
// services that accept requests signed with Latchkey credentials (SigV4,
// as AWS services do) and let Latchkey say who signed them and what they
// may do.
//
// The service is registered first, with the principal it calls as and the
// region/service scopes (and hosts) its clients sign for:
//
//	latchkey relying-service add --account 123456789012 --name objects \
//	    --principal arn:aws:iam::123456789012:user/objects \
//	    --scope objects-1/s3 --host objects.example
//
// Client makes the four calls (Verify, Authorize, SigningKey,
// Revocations), signed with the service's own credentials. Verifier is
// net/http middleware on top of it: it verifies each request, asks the
// questions Options.Authorize builds from it, answers refusals with the
// AWS error in S3's XML, and hands the principal to the next handler
// (PrincipalFrom).
//
// # Local verification
//
// A SigV4 signature covers one request, so a verdict is worth nothing to
// the next request; the signing key of the request's scope (access key,
// session, day, region, service) serves every request of that key in that
// scope for the day. Verifier fetches it once (/signing-keys, one fetch
// per key at a time), keeps it in a bounded LRU cache for a jittered TTL
// (refreshed ahead of its end, never past its NotAfter), and verifies
// locally: it rebuilds the canonical request and string to sign from the
// request as received (the same code as Latchkey's own verifier, S3's
// x-amz-content-sha256 and UNSIGNED-PAYLOAD included) and compares the
// signature in constant time. Decisions are cached for DecisionTTL per
// credentials and questions.
//
// # Revocations
//
// The first key fetched starts the revocation feed: a long poll of
// /revocations from the key's revocation_seq. Each revocation drops what
// it may take back: a deactivated or deleted access key's signing keys, a
// deleted or changed user's, the sessions of a changed role; every cached
// decision on a policy, group or role change; everything on
// RelyingServiceChanged, StoreChanged, a kind it does not know, and an
// expired position (410).
//
// While the feed is heard, a revocation committed in Latchkey stops local
// verification within Latchkey's change-log poll interval (100 ms) plus
// one round trip: a waiting poll is answered as soon as the change is
// seen, and the drop is applied on arrival. The feed's wait (at most 20 s)
// only paces the heartbeats of a quiet feed. The documented bound is 1 s.
//
// When the feed is not heard (a poll failed, or nothing came for
// 2×FeedWait + 5 s) the cache is dropped and every request is verified by
// Latchkey (/verify) until the feed answers again. When Latchkey cannot be
// reached at all, requests fail closed: 503 ServiceUnavailable, never a
// cached Allow.
//
// # Limits
//
// A request signed for the service s3 is canonicalized as S3's clients
// sign it: the path as sent (the object key URI-encoded once), not
// normalized; any other service's path is normalized and encoded once
// more, as SigV4 specifies. Chunked uploads (aws-chunked, STREAMING-*
// payloads) are refused with 501.
package relying
