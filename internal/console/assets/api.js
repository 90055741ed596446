// api.js: the page's one way to call the IAM and STS APIs: AWS query
// encoding of the parameters, signed with the session's credentials, the
// XML answer turned into plain objects, and AWS errors as ApiError.
//
// Shapes (parameter and result names) follow botocore's model of IAM
// 2010-05-08 and STS 2011-06-15.

import { ApiError, signedFetch, signedGet } from './http.js';
import { credentialsForCall, expired } from './session.js';

export { ApiError };

/** awsEncode is encodeURIComponent plus the characters RFC 3986 reserves. */
function awsEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * flatten renders params as the query protocol wants: scalars as Name=v,
 * lists as Name.member.N, structures in lists as Name.member.N.Field.
 * undefined and null are left out.
 */
function flatten(prefix, value, out) {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(`${prefix}.member.${i + 1}`, v, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.push(awsEncode(prefix) + '=' + awsEncode(String(value)));
  }
}

/** encodeQuery is the form body of one query-protocol call. */
export function encodeQuery(action, version, params) {
  const out = [`Action=${awsEncode(action)}`, `Version=${version}`];
  flatten('', params, out);
  return out.join('&');
}

const VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' };

// XML → objects, namespace-agnostic (localName only). An element whose
// children are all <member> is a list; one with element children an object;
// any other its text. An empty element is '' (use list() for lists).
function toValue(el) {
  const kids = Array.from(el.children);
  if (kids.length === 0) return el.textContent;
  if (kids.every((k) => k.localName === 'member')) return kids.map(toValue);
  const obj = {};
  for (const k of kids) obj[k.localName] = toValue(k);
  return obj;
}

/** list is v as an array: a parsed list, or [] for an empty or absent one. */
export function list(v) {
  if (Array.isArray(v)) return v;
  return v === undefined || v === '' ? [] : [v];
}

function parseXml(text) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0) return null;
  return doc.documentElement;
}

function xmlError(root, status) {
  const err = root.getElementsByTagNameNS('*', 'Error')[0];
  const pick = (el, name) => el?.getElementsByTagNameNS('*', name)[0]?.textContent ?? '';
  return new ApiError(pick(err, 'Code') || `HTTP${status}`, pick(err, 'Message') || `HTTP status ${status}`,
    status, pick(root, 'RequestId'));
}

/**
 * call runs one IAM or STS action with the signed-in session and returns
 * its <ActionResult> as an object ({} for actions without one). Errors are
 * ApiError; ExpiredToken signs the session out.
 */
async function call(service, action, params = {}) {
  const credentials = await credentialsForCall();
  const body = encodeQuery(action, VERSIONS[service], params);
  const res = await signedFetch('/', body, 'application/x-www-form-urlencoded; charset=utf-8', credentials, service);
  const text = await res.text();
  const root = parseXml(text);
  if (!res.ok || root?.localName === 'ErrorResponse') {
    const err = root ? xmlError(root, res.status) : new ApiError(`HTTP${res.status}`, text.slice(0, 200) || res.statusText, res.status);
    if (err.code === 'ExpiredToken') expired(err.message);
    throw err;
  }
  if (!root) throw new ApiError('InvalidResponse', 'The server answered something that is not XML.', res.status);
  const result = Array.from(root.children).find((k) => k.localName === `${action}Result`);
  return result ? toValue(result) || {} : {};
}

export const iam = (action, params) => call('iam', action, params);
export const sts = (action, params) => call('sts', action, params);

/**
 * quarantinedKeys is the account's quarantined keys (Latchkey's
 * GET /latchkey/v1/quarantined-keys, allowed latchkey:ListQuarantinedKeys)
 * by access key id: {reason, quarantined_at}.
 */
export async function quarantinedKeys() {
  const data = await signedGet('/latchkey/v1/quarantined-keys', await credentialsForCall());
  return new Map((data.keys ?? []).map((k) => [k.access_key_id, k]));
}

/**
 * allPages calls a paged IAM list action until IsTruncated is false and
 * returns the concatenated lists under key.
 */
export async function allPages(action, params, key) {
  const items = [];
  let marker;
  do {
    const r = await iam(action, { ...params, Marker: marker });
    items.push(...list(r[key]));
    marker = r.IsTruncated === 'true' ? r.Marker : undefined;
  } while (marker);
  return items;
}

/** decodeDocument turns a policy document as IAM returns it (URL-encoded) into its JSON text. */
export function decodeDocument(doc) {
  try {
    return decodeURIComponent(doc);
  } catch {
    return doc;
  }
}
