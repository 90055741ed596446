// sigv4.js: AWS Signature Version 4 with WebCrypto, as a pipeline of small
// named stages (canonical request → string to sign → signing key →
// signature), each exported so that testdata/sigv4_vectors.mjs checks it on
// its own against AWS's test suite. Pure: no DOM, no state, no storage; the
// same module runs in the browser and in Node 20.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//
// Derived signing keys are not cached: a cache would keep key material alive
// after sign-out, and deriving one costs four HMACs.

export const ALGORITHM = 'AWS4-HMAC-SHA256';

const subtle = globalThis.crypto.subtle;
const utf8 = new TextEncoder();

const HEX = '0123456789ABCDEF';

/** The bytes of s: UTF-8 for a string, as is for bytes. */
function bytesOf(s) {
  return typeof s === 'string' ? utf8.encode(s) : s;
}

function toHex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

function isUnreserved(b) {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

/**
 * uriEncode percent-encodes every byte outside RFC 3986's unreserved set
 * (A-Z a-z 0-9 - . _ ~) as %XX, upper case; '/' is kept when keepSlash.
 * Takes a string (encoded as UTF-8) or bytes.
 */
export function uriEncode(s, keepSlash = false) {
  let out = '';
  for (const b of bytesOf(s)) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** formDecode decodes a query name or value to bytes: '+' is a space, %XX a byte. */
function formDecode(s) {
  const src = utf8.encode(s);
  const out = [];
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x2b) {
      out.push(0x20);
    } else if (b === 0x25 && /^[0-9a-fA-F]{2}$/.test(String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0))) {
      out.push(parseInt(String.fromCharCode(src[i + 1], src[i + 2]), 16));
      i += 2;
    } else {
      out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/**
 * removeDotSegments normalizes a path as IAM and STS do (botocore's
 * remove_dot_segments): "." and empty segments dropped, ".." removes the
 * segment before it, the leading and a trailing '/' kept.
 */
export function removeDotSegments(path) {
  if (path === '') return '/';
  const out = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const first = path.startsWith('/') ? '/' : '';
  const last = path.endsWith('/') && out.length > 0 ? '/' : '';
  return first + out.join('/') + last;
}

/**
 * canonicalUri is the canonical URI of rawPath, the path as sent on the wire:
 * normalized, then every byte outside the unreserved set and '/' encoded
 * (again: for services other than S3, "%20" on the wire signs as "%2520").
 */
export function canonicalUri(rawPath) {
  return uriEncode(removeDotSegments(rawPath), true);
}

/**
 * canonicalQuery is the canonical query string of rawQuery (without '?'):
 * each name and value decoded then encoded again, pairs sorted by name then
 * value, a name without '=' signed as "name=".
 */
export function canonicalQuery(rawQuery) {
  if (!rawQuery) return '';
  const pairs = rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? '' : p.slice(eq + 1);
    return [uriEncode(formDecode(name)), uriEncode(formDecode(value))];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => n + '=' + v).join('&');
}

/** headerValue trims a value and collapses its runs of spaces to one. */
function headerValue(v) {
  return v.replace(/^[ \t]+|[ \t]+$/g, '').replace(/ +/g, ' ');
}

/**
 * canonicalHeaders renders the signed headers' lines. headers is a list of
 * [name, value] pairs; names match without regard to case, and the values
 * of a repeated header are joined by ',' in the order given. signedHeaders
 * are lower-case names, sorted.
 */
export function canonicalHeaders(headers, signedHeaders) {
  return signedHeaders.map((name) => {
    const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => headerValue(v));
    return name + ':' + values.join(',') + '\n';
  }).join('');
}

/**
 * canonicalRequest builds
 *   Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
 */
export function canonicalRequest({ method, path, query, headers, signedHeaders, payloadHash }) {
  return [
    method,
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders(headers, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** sha256Hex is the lower-case hex SHA-256 of a string (as UTF-8) or bytes. */
export async function sha256Hex(data) {
  return toHex(await subtle.digest('SHA-256', bytesOf(data)));
}

async function hmac(key, data) {
  const k = await subtle.importKey('raw', bytesOf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, bytesOf(data)));
}

/** amzDate formats a Date as X-Amz-Date wants it: 20150830T123600Z. */
export function amzDate(date) {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** credentialScope is date/region/service/aws4_request; date is yyyymmdd. */
export function credentialScope(date, region, service) {
  return `${date}/${region}/${service}/aws4_request`;
}

/** stringToSign builds AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(sha256(creq)). */
export async function stringToSign(amzDateValue, scope, creq) {
  return [ALGORITHM, amzDateValue, scope, await sha256Hex(creq)].join('\n');
}

/**
 * signingKey derives
 *   HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request")
 */
export async function signingKey(secret, date, region, service) {
  let k = await hmac('AWS4' + secret, date);
  k = await hmac(k, region);
  k = await hmac(k, service);
  return hmac(k, 'aws4_request');
}

/** signature is hex(HMAC-SHA256(signingKey, stringToSign)). */
export async function signature(key, sts) {
  return toHex(await hmac(key, sts));
}

/** authorization renders the Authorization header's value. */
export function authorization(accessKeyId, scope, signedHeaders, sig) {
  return `${ALGORITHM} Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`;
}

/**
 * signRequest signs a request with every header in headers ([name, value]
 * pairs, which must include host): it adds x-amz-date (from now; a given
 * one is used as the signing time), and
 * x-amz-security-token when the credentials carry a session token, unless
 * present, and x-amz-content-sha256 when contentSha256 is set. It returns
 * the headers to send: the given ones, the added ones and authorization.
 */
export async function signRequest({
  method, path = '/', query = '', headers, body = '', credentials, region, service,
  now = new Date(), contentSha256 = false,
}) {
  const out = headers.slice();
  const find = (name) => out.find(([n]) => n.toLowerCase() === name);
  const has = (name) => find(name) !== undefined;
  const payloadHash = await sha256Hex(body);
  const dateTime = has('x-amz-date') ? headerValue(find('x-amz-date')[1]) : amzDate(now);
  if (!has('x-amz-date')) out.push(['x-amz-date', dateTime]);
  if (contentSha256 && !has('x-amz-content-sha256')) out.push(['x-amz-content-sha256', payloadHash]);
  if (credentials.sessionToken && !has('x-amz-security-token')) out.push(['x-amz-security-token', credentials.sessionToken]);

  const signedHeaders = [...new Set(out.map(([n]) => n.toLowerCase()))].sort();
  const creq = canonicalRequest({ method, path, query, headers: out, signedHeaders, payloadHash });
  const date = dateTime.slice(0, 8);
  const scope = credentialScope(date, region, service);
  const sts = await stringToSign(dateTime, scope, creq);
  const key = await signingKey(credentials.secretAccessKey, date, region, service);
  const sig = await signature(key, sts);
  out.push(['authorization', authorization(credentials.accessKeyId, scope, signedHeaders, sig)]);
  return out;
}
