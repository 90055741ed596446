// http.js: signed POSTs to the server, the layer under session.js and
// api.js: SigV4 over content-type, host, x-amz-content-sha256, x-amz-date
// (and x-amz-security-token with session credentials), and ApiError, the
// one error type every failed call becomes.

import { signRequest } from './sigv4.js';

const REGION = 'us-east-1';

/** ApiError is a failed call: AWS's code and message, and the HTTP status. */
export class ApiError extends Error {
  constructor(code, message, status = 0, requestId = '') {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/**
 * signedFetch POSTs body to path, signed for service (region us-east-1)
 * with credentials ({accessKeyId, secretAccessKey, sessionToken?}), and
 * returns the Response. A network failure is ApiError NetworkError.
 */
export async function signedFetch(path, body, contentType, credentials, service) {
  const headers = await signRequest({
    method: 'POST', path, body, service, region: REGION, credentials, contentSha256: true,
    headers: [['content-type', contentType], ['host', location.host]],
  });
  return send(path, body, headers.filter(([n]) => n !== 'host'));
}

/**
 * signedGet GETs path (no query) from Latchkey's own API, signed for the
 * service latchkey with credentials, and returns the parsed JSON; its
 * errors ({"error": {code, message}}) are thrown as ApiError.
 */
export async function signedGet(path, credentials) {
  const headers = await signRequest({
    method: 'GET', path, service: 'latchkey', region: REGION, credentials, contentSha256: true,
    headers: [['host', location.host]],
  });
  let res;
  try {
    res = await fetch(path, {
      method: 'GET', headers: headers.filter(([n]) => n !== 'host'), credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError('NetworkError', `The server could not be reached: ${err.message}`);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: reported below from the status
  }
  if (!res.ok) throw new ApiError(data?.error?.code || `HTTP${res.status}`, data?.error?.message || `HTTP status ${res.status}`, res.status);
  if (!data) throw new ApiError('InvalidResponse', 'The server answered something that is not JSON.', res.status);
  return data;
}

/** postJson POSTs value as JSON to path, signed when credentials are given, and returns the parsed answer; errors ({Code, Message}) are thrown as ApiError. */
export async function postJson(path, value, credentials) {
  const body = JSON.stringify(value);
  const res = credentials
    ? await signedFetch(path, body, 'application/json', credentials, 'latchkey')
    : await send(path, body, [['content-type', 'application/json']]);
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: reported below from the status
  }
  if (!res.ok) {
    const err = new ApiError(data?.Code || `HTTP${res.status}`, data?.Message || `HTTP status ${res.status}`, res.status, data?.RequestId ?? '');
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
    throw err;
  }
  if (!data) throw new ApiError('InvalidResponse', 'The server answered something that is not JSON.', res.status);
  return data;
}

async function send(path, body, headers) {
  try {
    return await fetch(path, {
      method: 'POST', body, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError('NetworkError', `The server could not be reached: ${err.message}`);
  }
}
