// session.js: the signed-in session. Its credentials live only in this
// module's variable (never in storage, cookies or the URL: a reload signs
// out). It signs in (a user's password, or the root's key pair, used to
// sign that one request and then dropped), refreshes the credentials while
// the person is active (click, key press, navigation) once half their
// lifetime has passed, and forgets them after IdleTimeoutSeconds without
// activity, on a refused refresh, on ExpiredToken and on "Sign out".

import { ApiError, postJson } from './http.js';

const SIGN_IN = '/latchkey/v1/console/sign-in';
const REFRESH = '/latchkey/v1/console/refresh';

let current = null; // {credentials, info, receivedAt, lastActivity}
let refreshing = null; // the refresh in flight, if any
let idleTimer = 0;
const listeners = new Set();

/** onChange registers fn({signedIn, message}), called on sign-in and sign-out. */
export function onChange(fn) {
  listeners.add(fn);
}

function emit(event) {
  for (const fn of listeners) fn(event);
}

/** identity is what the sign-in answered, without the credentials, or null. */
export function identity() {
  if (!current) return null;
  const { Arn, AccountId, UserName, AccountAlias, PasswordResetRequired, IdleTimeoutSeconds, SessionEndsAt } = current.info;
  return {
    Arn, AccountId, UserName, AccountAlias, PasswordResetRequired, IdleTimeoutSeconds, SessionEndsAt,
    isRoot: /^arn:[^:]+:iam::\d+:root$/.test(Arn ?? ''),
  };
}

function accept(answer) {
  const c = answer.Credentials ?? {};
  if (!c.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new ApiError('InvalidResponse', 'The sign-in answer holds no credentials.');
  }
  const now = Date.now();
  const info = { ...answer };
  delete info.Credentials;
  current = {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    info: { ...info, IdleTimeoutSeconds: Number(info.IdleTimeoutSeconds) || 900 },
    receivedAt: now,
    lastActivity: now,
  };
  startIdleTimer();
}

/** signInUser signs an IAM user in with a password (unsigned request). */
export async function signInUser(account, userName, password) {
  accept(await postJson(SIGN_IN, { Account: account, UserName: userName, Password: password }));
  emit({ signedIn: true });
}

/**
 * signInRoot signs the root in: {"Root": true} signed with the key pair
 * typed in, which is used for this one request only and not kept.
 */
export async function signInRoot(accessKeyId, secretAccessKey) {
  accept(await postJson(SIGN_IN, { Root: true }, { accessKeyId, secretAccessKey }));
  emit({ signedIn: true });
}

/** signOut forgets the credentials; message says why, for the sign-in form. */
export function signOut(message = '') {
  const was = current !== null;
  current = null;
  refreshing = null;
  clearInterval(idleTimer);
  if (was) emit({ signedIn: false, message });
}

/** expired signs out after the server refused the credentials (ExpiredToken). */
export function expired(message) {
  signOut(`Your session ended: ${message} Sign in again.`);
}

function idleMs() {
  return current.info.IdleTimeoutSeconds * 1000;
}

function startIdleTimer() {
  clearInterval(idleTimer);
  idleTimer = setInterval(() => {
    // The credentials live IdleTimeoutSeconds from their issue; activity in
    // their second half refreshes them. Idle that long since the last
    // activity, or since they were issued (no activity in the second half), the
    // session is over.
    const now = Date.now();
    if (current && (now - current.lastActivity >= idleMs() || now - current.receivedAt >= idleMs())) {
      signOut(`You were signed out after ${duration(current.info.IdleTimeoutSeconds)} without activity.`);
    }
  }, 1000);
}

function duration(seconds) {
  if (seconds % 60 === 0) {
    const m = seconds / 60;
    return m === 1 ? '1 minute' : `${m} minutes`;
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** refresh trades the session's credentials for new ones; a refusal signs out. */
function refresh() {
  if (refreshing) return refreshing;
  const session = current;
  refreshing = postJson(REFRESH, {}, session.credentials).then((answer) => {
    if (current !== session) return; // signed out meanwhile
    const activity = current.lastActivity;
    accept(answer);
    current.lastActivity = activity;
  }, (err) => {
    if (current !== session) return;
    if (err.status === 401 || err.status === 403 || err.code === 'ExpiredToken') {
      const ends = Date.parse(session.info.SessionEndsAt);
      signOut(Date.now() >= ends
        ? 'Your session reached its maximum length. Sign in again.'
        : `You were signed out: ${err.message}`);
    }
    // Anything else (the network): keep the credentials until they expire.
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function needsRefresh() {
  return current && Date.now() - current.receivedAt >= idleMs() / 2;
}

/** touch records activity and refreshes the credentials when half their life has passed. */
function touch() {
  if (!current) return;
  if (Date.now() - current.lastActivity >= idleMs() || Date.now() - current.receivedAt >= idleMs()) return; // the idle timer signs out
  current.lastActivity = Date.now();
  if (needsRefresh()) refresh();
}

for (const type of ['click', 'keydown']) document.addEventListener(type, touch, { capture: true, passive: true });
window.addEventListener('hashchange', touch);

/**
 * credentialsForCall returns the credentials to sign one call with, after
 * any refresh in flight (or due) has finished. Not signed in: ApiError.
 */
export async function credentialsForCall() {
  if (needsRefresh()) await refresh();
  else if (refreshing) await refreshing;
  if (!current) throw new ApiError('NotSignedIn', 'You are not signed in.');
  return { ...current.credentials };
}
