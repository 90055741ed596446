// helpers.mjs: what the console's browser tests (console.test.mjs) share:
// Debian's Chromium launched through playwright-core with a fresh profile,
// the watch on every page (console errors, uncaught exceptions, CSP
// violations, requests the page made), the JSON-lines protocol with the Go
// test (e2e/console_browser_test.go), and small assertions. The page is
// driven by accessible names only (labels, roles), never CSS classes.

import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';

/** env is a required environment variable. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this script from e2e/console_browser_test.go`);
  return v;
}

// The flags the Go test's contract names: headless, no sandbox (containers),
// and nothing that reaches out to the network on its own.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

/**
 * launch starts the Chromium of $CHROMIUM with a fresh profile in a temp
 * dir (removed by close), never a downloaded browser.
 */
export async function launch({ bypassCSP = false } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'latchkey-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: env('CHROMIUM'),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: WIDE,
    acceptDownloads: true,
    bypassCSP,
  });
  context.setDefaultTimeout(10_000);
  // Report every CSP violation the document sees, besides Chromium's own
  // console line, so a violation cannot pass unnoticed.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Chromium logs every HTTP error answer of a fetch as a console error; the
// page cannot prevent that line, and it expects some (NoSuchEntity of
// GetLoginProfile, AccessDenied, MalformedPolicyDocument). Those are the
// only console errors allowed: a 4xx answer of the server itself (a 5xx is
// a problem like any other).
const HTTP_ERROR_LINE = /^Failed to load resource: the server responded with a status of (\d{3})/;

/**
 * watch follows page: problems (console errors and CSP warnings, uncaught
 * exceptions, blocked requests) and what the page sent (URLs, headers and
 * bodies), for the secrecy checks.
 */
export function watch(page, origin) {
  const w = { problems: [], urls: [], sent: [], httpErrors: [] };
  page.on('console', (msg) => {
    const text = msg.text();
    const m = HTTP_ERROR_LINE.exec(text);
    if (msg.type() === 'error' && m && Number(m[1]) < 500 && (msg.location().url ?? '').startsWith(origin)) {
      w.httpErrors.push(Number(m[1]));
      return;
    }
    if (msg.type() === 'error' || /Content[- ]Security[- ]Policy|securitypolicyviolation/i.test(text)) {
      w.problems.push(`console ${msg.type()} on ${page.url()}: ${text}`);
    }
  });
  page.on('pageerror', (err) => w.problems.push(`uncaught exception on ${page.url()}: ${err.stack || err}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText ?? '';
    // A reload aborts the calls in flight (net::ERR_ABORTED): not a fault.
    if (!/ERR_ABORTED/.test(why)) w.problems.push(`request ${req.method()} ${req.url()} failed: ${why}`);
  });
  page.on('request', (req) => {
    w.urls.push(req.url());
    w.sent.push({ url: req.url(), headers: req.headers(), body: req.postData() ?? '' });
    if (!req.url().startsWith(origin) && !req.url().startsWith('blob:') && !req.url().startsWith('data:')) {
      w.problems.push(`request to another origin: ${req.method()} ${req.url()}`);
    }
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) w.urls.push(frame.url());
  });
  /** check throws when a problem was seen since the last check. */
  w.check = (where) => {
    if (w.problems.length > 0) {
      const all = w.problems.splice(0);
      throw new Error(`${where}: ${all.length} problem(s) on the page:\n  ${all.join('\n  ')}`);
    }
  };
  return w;
}

/** Protocol with the Go test: one JSON object a line on stdout. */
export function emit(event, data = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
}

let input = null;
let lines = null;

/**
 * handshake emits event and waits for the Go test's answer line ("continue"
 * once it has checked what it checks at that point).
 */
export async function handshake(event, data = {}) {
  input ??= readline.createInterface({ input: process.stdin });
  lines ??= input[Symbol.asyncIterator]();
  emit(event, data);
  const { value, done } = await lines.next();
  if (done || value.trim() !== 'continue') throw new Error(`the Go test answered ${JSON.stringify(value)} to ${event}`);
}

/** endInput stops reading the Go test's answers, so node can exit. */
export function endInput() {
  input?.close();
  process.stdin.destroy();
}

/** log is for people reading a failed run: standard error. */
export function log(...args) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${args.join(' ')}\n`);
}

/** fail is an assertion failure. */
export function fail(message) {
  throw new Error(message);
}

export function assert(cond, message) {
  if (!cond) fail(message);
}

/**
 * eventually retries fn (which throws while its condition does not hold)
 * until it passes or timeout ms have gone, then throws its last error.
 */
export async function eventually(fn, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
    }
    await new Promise((r) => { setTimeout(r, 100); });
  }
}

/** visible waits for locator to be visible, saying what was expected. */
export async function visible(locator, what, timeout) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    throw new Error(`expected ${what}, not shown: ${err.message.split('\n')[0]}`);
  }
  return locator;
}

/** gone waits for locator to match nothing visible. */
export async function gone(locator, what, timeout) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch (err) {
    throw new Error(`expected ${what} to go away, still shown: ${err.message.split('\n')[0]}`);
  }
}

/** hasText waits until locator's text holds want (a string or a RegExp). */
export async function hasText(locator, want, what, timeout) {
  let text = '';
  try {
    await eventually(async () => {
      text = (await locator.first().innerText({ timeout: 1000 })).replace(/\s+/g, ' ');
      const ok = typeof want === 'string' ? text.includes(want) : want.test(text);
      if (!ok) throw new Error('not yet');
    }, timeout);
  } catch {
    fail(`expected ${what} to read ${want}; it reads ${JSON.stringify(text.slice(0, 400))}`);
  }
}

/** focused reports whether locator is the focused element. */
export async function focused(locator) {
  return locator.evaluate((el) => el === document.activeElement).catch(() => false);
}

/** described names the focused element, for failure messages. */
export async function described(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return 'nothing';
    const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent?.slice(0, 40);
    return `<${el.localName}${el.id ? ` id=${el.id}` : ''}> ${JSON.stringify(label ?? '')}`;
  });
}
