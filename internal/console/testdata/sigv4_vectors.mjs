// sigv4_vectors.mjs checks the console's SigV4 signer (assets/sigv4.js)
// against AWS's Signature Version 4 test suite, stage by stage: for every
// vector the canonical request, the string to sign, the signature and the
// Authorization header, then signRequest end to end, then one-byte changes
// to every signed part (each must change the signature) and to an unsigned
// header (which must not). It reads the repository's copy of the suite,
// internal/sigv4/testdata/vectors (checked against its SHA256SUMS by the
// sigv4 package's tests), so it runs from a clean clone.
//
// Run: node internal/console/testdata/sigv4_vectors.mjs (Node 20: WebCrypto
// is globalThis.crypto). Exits 1 with one line per failure.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as sigv4 from '../assets/sigv4.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const vectorDir = path.join(here, '..', '..', 'sigv4', 'testdata', 'vectors');
const wantVectors = 28;

// The date every vector is signed at.
const vectorTime = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));

// authzDiscrepancies are the vectors whose .authz file disagrees with their
// .sreq and .creq (the suite's README tells how it was repaired; the sigv4
// package's TestVectors keeps the same list). The signature is still checked.
const authzDiscrepancies = {
  'post-x-www-form-urlencoded-parameters': 'content-length;content-type;host;x-amz-date',
};

const failures = [];
function check(name, what, got, want) {
  if (got !== want) failures.push(`${name}: ${what}:\n--- got\n${got}\n--- want\n${want}`);
}

/** parseRequest splits a .req or .sreq file (LF line ends, no final newline). */
function parseRequest(text) {
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const [first, ...lines] = head.split('\n');
  const sp1 = first.indexOf(' ');
  const sp2 = first.lastIndexOf(' ');
  const target = first.slice(sp1 + 1, sp2);
  const q = target.indexOf('?');
  return {
    method: first.slice(0, sp1),
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers: lines.map((l) => {
      const c = l.indexOf(':');
      if (c < 0) throw new Error(`bad header line ${JSON.stringify(l)}`);
      return [l.slice(0, c), l.slice(c + 1)];
    }),
    body,
  };
}

/** parseAuthorization splits an Authorization value into its three parts. */
function parseAuthorization(v) {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(v.trim());
  if (!m) throw new Error(`bad Authorization ${JSON.stringify(v)}`);
  return { credential: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}

/** flip returns s with the character at i replaced by a different unreserved letter. */
function flip(s, i) {
  return s.slice(0, i) + (s[i] === 'Z' ? 'Y' : 'Z') + s.slice(i + 1);
}

async function signatureOf(req, signedHeaders, cfg) {
  const creq = sigv4.canonicalRequest({ ...req, signedHeaders, payloadHash: await sigv4.sha256Hex(req.body) });
  const scope = sigv4.credentialScope('20150830', cfg.region, cfg.service);
  const sts = await sigv4.stringToSign(sigv4.amzDate(vectorTime), scope, creq);
  return sigv4.signature(await sigv4.signingKey(cfg.secretAccessKey, '20150830', cfg.region, cfg.service), sts);
}

async function main() {
  const cfg = JSON.parse(readFileSync(path.join(vectorDir, 'config.json'), 'utf8')).config;
  const names = readdirSync(vectorDir).filter((n) => statSync(path.join(vectorDir, n)).isDirectory()).sort();
  if (names.length !== wantVectors) {
    failures.push(`found ${names.length} vectors in ${vectorDir}, want the suite's ${wantVectors}`);
  }
  const date = '20150830';
  const scope = sigv4.credentialScope(date, cfg.region, cfg.service);
  check('amzDate', 'amzDate(2015-08-30T12:36:00Z)', sigv4.amzDate(vectorTime), '20150830T123600Z');

  for (const name of names) {
    const read = (ext) => readFileSync(path.join(vectorDir, name, name + ext), 'utf8');
    const req = parseRequest(read('.req'));
    const sreq = parseRequest(read('.sreq'));
    const authzHeader = sreq.headers.find(([n]) => n.toLowerCase() === 'authorization');
    if (!authzHeader) {
      failures.push(`${name}: the .sreq has no Authorization header`);
      continue;
    }
    const fromSreq = parseAuthorization(authzHeader[1]);
    const signedHeaders = fromSreq.signedHeaders;

    // Stage 1: the canonical request.
    const payloadHash = await sigv4.sha256Hex(req.body);
    const creq = sigv4.canonicalRequest({ ...req, signedHeaders, payloadHash });
    check(name, 'canonical request', creq, read('.creq'));
    // Stage 2: the string to sign.
    const sts = await sigv4.stringToSign(sigv4.amzDate(vectorTime), scope, read('.creq'));
    check(name, 'string to sign', sts, read('.sts'));
    // Stages 3 and 4: the signing key and the signature.
    const key = await sigv4.signingKey(cfg.secretAccessKey, date, cfg.region, cfg.service);
    const sig = await sigv4.signature(key, read('.sts'));
    check(name, 'signature', sig, fromSreq.signature);
    const authz = sigv4.authorization(cfg.accessKeyId, scope, signedHeaders, sig);
    check(name, 'Authorization (the .sreq\'s)', authz, authzHeader[1].trim());
    const fromFile = parseAuthorization(read('.authz'));
    check(name, '.authz signature', fromFile.signature, sig);
    const wantSigned = authzDiscrepancies[name] ?? signedHeaders.join(';');
    check(name, '.authz SignedHeaders', fromFile.signedHeaders.join(';'), wantSigned);

    // End to end: signRequest with the signed headers of the request.
    const toSign = req.headers.filter(([n]) => signedHeaders.includes(n.toLowerCase()));
    const signed = await sigv4.signRequest({
      method: req.method, path: req.path, query: req.query, headers: toSign, body: req.body,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      region: cfg.region, service: cfg.service, now: new Date(0),
    });
    check(name, 'signRequest Authorization', signed.find(([n]) => n === 'authorization')?.[1], authzHeader[1].trim());

    // One-byte changes: every signed part must change the signature.
    const changed = async (what, r) => {
      if (await signatureOf(r, signedHeaders, cfg) === sig) failures.push(`${name}: changing ${what} kept the signature`);
    };
    await changed('the method', { ...req, method: flip(req.method, req.method.length - 1) });
    await changed('the path', { ...req, path: flip(req.path, req.path.length - 1) });
    for (let i = 0; i < req.query.length; i++) {
      if (req.query[i] === '=' || req.query[i] === '&') continue;
      await changed(`query byte ${i}`, { ...req, query: flip(req.query, i) });
    }
    for (let h = 0; h < req.headers.length; h++) {
      const [n, v] = req.headers[h];
      const headers = req.headers.slice();
      const last = v.trimEnd().length - 1;
      headers[h] = [n, flip(v, last)];
      if (signedHeaders.includes(n.toLowerCase())) await changed(`header ${n}`, { ...req, headers });
      else if (await signatureOf({ ...req, headers }, signedHeaders, cfg) !== sig) {
        failures.push(`${name}: changing the unsigned header ${n} changed the signature`);
      }
    }
    if (req.body !== '') await changed('the body', { ...req, body: flip(req.body, 0) });
  }

  // The token rule of post-sts-header-before, through signRequest: a session
  // token in the credentials is added and signed.
  const before = parseRequest(readFileSync(path.join(vectorDir, 'post-sts-header-before', 'post-sts-header-before.sreq'), 'utf8'));
  const withToken = await sigv4.signRequest({
    method: 'POST', headers: [['Host', 'example.amazonaws.com']], now: vectorTime,
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, sessionToken: JSON.parse(readFileSync(path.join(vectorDir, 'config.json'), 'utf8')).stsToken },
    region: cfg.region, service: cfg.service,
  });
  check('post-sts-header-before', 'signRequest with a session token',
    withToken.find(([n]) => n === 'authorization')[1], before.headers.find(([n]) => n === 'Authorization')[1].trim());

  if (failures.length > 0) {
    console.error(failures.join('\n\n'));
    console.error(`\n${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log(`ok: ${names.length} SigV4 vectors, stage by stage, end to end and with one-byte changes`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
