// console.test.mjs: the web console driven in Chromium, for
// e2e/console_browser_test.go, which starts the real latchkey, runs this
// script with the environment below, and checks through the AWS CLI what
// the page did at each handshake. PHASE chooses the run:
//
//   flows: the root signs in, creates user alice, gives her a password and
//     an inline policy (after the editor showed the server's
//     MalformedPolicyDocument), creates a group and a managed policy, runs
//     the simulator and the credential report; alice signs in with the
//     keyboard only, creates a key (its secret shown once, gone after Done
//     and a reload) and deactivates it; viewer, who may do nothing, sees
//     AccessDenied; carol, whose password must be reset, chooses a new one.
//     Every page: no console error, no CSP violation, nothing
//     in storage, cookies or URLs.
//   idle: the root signs in to a server with a 10 s idle timeout, is active
//     once past half of it (the page refreshes the credentials), then
//     touches nothing, and is signed out by the page.
//
// Environment: PHASE, LATCHKEY_URL, CHROMIUM, ARTIFACTS (screenshots),
// ACCOUNT_ID, ROOT_KEY_ID, ROOT_SECRET, PASSWORD (alice's, viewer's and
// carol's first), VIEWER (a user with a password and no permissions),
// RESET_USER and NEW_PASSWORD (a user whose password must be reset, and the
// one to choose), IDLE_SECONDS.
//
// Standard output carries only the protocol's JSON lines (helpers.mjs);
// each soft failure (a check the later steps do not depend on) is an event
// "failure" and the run goes on; a hard one ends the run with status 1 and
// the error on standard error.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  env, launch, watch, emit, handshake, endInput, log, fail, assert, eventually, visible, gone, hasText, focused, described, NARROW, WIDE,
} from './helpers.mjs';

const BASE = env('LATCHKEY_URL');
const ORIGIN = new URL(BASE).origin;
const CONSOLE = `${BASE}/console/`;
const ARTIFACTS = env('ARTIFACTS');
const ACCOUNT = env('ACCOUNT_ID');
const ROOT = { id: env('ROOT_KEY_ID'), secret: env('ROOT_SECRET') };
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;

let failures = 0;

/** soft runs a check whose failure is reported without ending the run. */
async function soft(what, fn) {
  try {
    await fn();
  } catch (err) {
    failures += 1;
    log(`FAIL ${what}: ${err.message}`);
    emit('failure', { check: what, error: err.message });
  }
}

async function shot(page, name, opts = {}) {
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, ...opts });
  log(`screenshot ${name}`);
}

/** pageHeading waits for the page's <h1> named name. */
async function pageHeading(page, name) {
  const h1 = page.getByRole('heading', { level: 1, name, exact: true });
  await visible(h1, `the page heading "${name}"`);
  return h1;
}

/** signInForm waits for the sign-in page, optionally with its message. */
async function signInForm(page, message, timeout) {
  await visible(page.getByRole('heading', { level: 1, name: 'Sign in to Latchkey' }), 'the sign-in form', timeout);
  if (message) await visible(page.getByText(message, { exact: true }), `the sign-in message "${message}"`, 2000);
}

/**
 * signedIn waits for the console header of arn: who is signed in, the
 * navigation and "Sign out".
 */
async function signedIn(page, arn) {
  const banner = page.getByRole('banner');
  await visible(banner.getByRole('button', { name: 'Sign out' }), `the header after signing in as ${arn}`);
  await hasText(banner, arn, 'the header');
  const nav = banner.getByRole('navigation');
  for (const name of ['Users', 'Groups', 'Policies', 'Simulator', 'Credential report', 'My security credentials']) {
    await visible(nav.getByRole('link', { name, exact: true }), `the navigation link "${name}"`, 2000);
  }
}

/** signInAnswer clicks (or presses) through act and returns the sign-in call's answer. */
async function signInAnswer(page, act) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/latchkey/v1/console/sign-in'),
    act(),
  ]);
  const body = await resp.json();
  assert(resp.ok(), `sign-in answered HTTP ${resp.status()}: ${JSON.stringify(body)}`);
  return body;
}

async function signInRoot(page, w) {
  await signInForm(page);
  await page.getByRole('tab', { name: 'Root user' }).click();
  await page.getByLabel('Access key ID', { exact: true }).fill(ROOT.id);
  await page.getByLabel('Secret access key', { exact: true }).fill(ROOT.secret);
  const sentBefore = w.sent.length;
  const answer = await signInAnswer(page, () => page.getByRole('tabpanel', { name: 'Root user' })
    .getByRole('button', { name: 'Sign in', exact: true }).click());
  await signedIn(page, ROOT_ARN);
  // The key pair signed the one request and was never sent.
  const signIn = w.sent.slice(sentBefore).find((r) => new URL(r.url).pathname === '/latchkey/v1/console/sign-in');
  assert(signIn, 'no sign-in request seen');
  assert(JSON.parse(signIn.body).Root === true, `the root's sign-in sent ${signIn.body}`);
  assert(/Credential=\S+\/us-east-1\/latchkey\/aws4_request/.test(signIn.headers.authorization ?? ''),
    `the root's sign-in was not signed for latchkey: ${signIn.headers.authorization}`);
  return answer;
}

async function signInUser(page, user, password) {
  await signInForm(page);
  await page.getByRole('tab', { name: 'IAM user' }).click();
  await page.getByLabel('Account ID or alias', { exact: true }).fill(ACCOUNT);
  await page.getByLabel('User name', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const answer = await signInAnswer(page, () => page.getByRole('tabpanel', { name: 'IAM user' })
    .getByRole('button', { name: 'Sign in', exact: true }).click());
  await signedIn(page, `arn:aws:iam::${ACCOUNT}:user/${user}`);
  return answer;
}

/**
 * keyboardSignIn signs a user in with Tab, typing and Enter only, checking
 * where the focus goes at each step.
 */
async function keyboardSignIn(page, user, password) {
  await signInForm(page);
  const fields = [['Account ID or alias', ACCOUNT], ['User name', user], ['Password', password]];
  const first = page.getByLabel(fields[0][0], { exact: true });
  let tabs = 0;
  for (; !(await focused(first)); tabs++) {
    if (tabs >= 6) fail(`"${fields[0][0]}" not reached with ${tabs} Tab presses from the sign-in page; the focus is on ${await described(page)}`);
    await page.keyboard.press('Tab');
  }
  log(`"${fields[0][0]}" reached with ${tabs} Tab presses`);
  for (const [i, [label, value]] of fields.entries()) {
    if (i > 0) {
      await page.keyboard.press('Tab');
      if (!(await focused(page.getByLabel(label, { exact: true })))) {
        fail(`Tab after "${fields[i - 1][0]}" went to ${await described(page)}, not "${label}"`);
      }
    }
    await page.keyboard.type(value);
  }
  const answer = await signInAnswer(page, () => page.keyboard.press('Enter'));
  await signedIn(page, `arn:aws:iam::${ACCOUNT}:user/${user}`);
  return answer;
}

/**
 * noSecretsKept checks that the page keeps nothing in storage or cookies
 * and that no URL it loaded or showed holds a secret.
 */
async function noSecretsKept(page, w, secrets, where) {
  const state = await page.evaluate(async () => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookie: document.cookie,
    idb: (await indexedDB.databases()).map((d) => d.name),
    url: location.href,
  }));
  assert(state.local.length === 0, `${where}: localStorage holds ${state.local}`);
  assert(state.session.length === 0, `${where}: sessionStorage holds ${state.session}`);
  assert(state.cookie === '', `${where}: document.cookie is ${JSON.stringify(state.cookie)}`);
  assert(state.idb.length === 0, `${where}: IndexedDB databases ${state.idb}`);
  const cookies = await page.context().cookies();
  assert(cookies.length === 0, `${where}: the browser holds cookies ${cookies.map((c) => c.name)}`);
  for (const secret of secrets.filter(Boolean)) {
    for (const url of [state.url, ...w.urls]) {
      assert(!url.includes(secret) && !url.includes(encodeURIComponent(secret)), `${where}: a secret is in the URL ${url}`);
    }
  }
}

/**
 * neverSent checks that no request the page made carried one of secrets
 * (secret access keys: the page signs with them, never sends them).
 */
function neverSent(w, secrets, where) {
  for (const secret of secrets.filter(Boolean)) {
    for (const r of w.sent) {
      const inHeaders = Object.values(r.headers).some((v) => v.includes(secret));
      assert(!inHeaders && !r.body.includes(secret) && !r.body.includes(encodeURIComponent(secret)),
        `${where}: a secret access key was sent to ${r.url}`);
    }
  }
}

/** sessionSecrets are the secret parts of a sign-in answer. */
function sessionSecrets(answer) {
  return [answer.Credentials?.SecretAccessKey, answer.Credentials?.SessionToken];
}

/** nav follows a link of the header's navigation; the focus must move to the new page's <h1>. */
async function nav(page, name, heading = name) {
  const link = page.getByRole('banner').getByRole('navigation').getByRole('link', { name, exact: true });
  if (new URL(page.url()).hash === await link.getAttribute('href')) {
    // Already there (the page a sign-in lands on): a click would not navigate.
    await pageHeading(page, heading);
    return;
  }
  await link.click();
  const h1 = await pageHeading(page, heading);
  await soft(`the focus moves to the <h1> of "${heading}"`, () => eventually(async () => {
    assert(await focused(h1), `the focus is on ${await described(page)}`);
  }, 3000));
}

// Controls are found in <main> by the labels and names the spec (or the
// page) gives them, and rows by what they hold: not by sections, which the
// page is free to name or not.
const main = (page) => page.getByRole('main');
/** editorForm is the form holding the policy editor (its "Policy document"). */
const editorForm = (page) => main(page).getByLabel('Policy document', { exact: true }).locator('xpath=ancestor::form[1]');

const ALICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'OwnKeys',
    Effect: 'Allow',
    Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'],
    Resource: `arn:aws:iam::${ACCOUNT}:user/alice`,
  }],
}, null, 2);

const MALFORMED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Perhaps', Action: 'iam:ListUsers', Resource: '*' }],
}, null, 2);

async function flows() {
  const password = env('PASSWORD');
  const viewer = env('VIEWER');
  const browser = await launch();
  try {
    const page = await browser.context.pages()[0] ?? await browser.context.newPage();
    const w = watch(page, ORIGIN);
    const step = async (name, fn) => {
      log(`step ${name}`);
      try {
        await fn();
      } catch (err) {
        await shot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-')}.png`).catch(() => {});
        throw err;
      }
      w.check(name);
    };

    await step('sign-in page', async () => {
      await page.goto(CONSOLE);
      await signInForm(page);
      for (const label of ['Account ID or alias', 'User name', 'Password']) {
        await visible(page.getByLabel(label, { exact: true }), `the field "${label}"`);
      }
      await page.getByRole('tab', { name: 'Root user' }).click();
      for (const label of ['Access key ID', 'Secret access key']) {
        await visible(page.getByLabel(label, { exact: true }), `the field "${label}"`);
      }
      await page.getByRole('tab', { name: 'IAM user' }).click();
      await shot(page, 'signin.png');
    });

    await step('a refused sign-in shows the server\'s code and message', async () => {
      await page.getByLabel('Account ID or alias', { exact: true }).fill(ACCOUNT);
      await page.getByLabel('User name', { exact: true }).fill(viewer);
      await page.getByLabel('Password', { exact: true }).fill(`${password}-wrong`);
      const [resp] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/latchkey/v1/console/sign-in'),
        page.getByRole('tabpanel', { name: 'IAM user' }).getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      const body = await resp.json();
      assert(resp.status() === 401 && body.Code === 'InvalidSignIn', `a wrong password answered HTTP ${resp.status()} ${JSON.stringify(body)}`);
      const alert = main(page).getByRole('alert');
      await hasText(alert, 'InvalidSignIn', 'the sign-in form\'s alert');
      await hasText(alert, body.Message, 'the sign-in form\'s alert');
      await page.getByLabel('Password', { exact: true }).fill('');
    });

    await soft('plain HTTP on another host than localhost gets only the HTTPS message', async () => {
      // The same server under a name that is not loopback: no secure context.
      const other = await browser.context.newPage();
      const ow = watch(other, 'http://console.test');
      try {
        await other.route('http://console.test/**', async (route) => {
          const u = new URL(route.request().url());
          await route.fulfill({ response: await route.fetch({ url: `${BASE}${u.pathname}${u.search}` }) });
        });
        await other.goto('http://console.test/console/');
        assert(!(await other.evaluate(() => window.isSecureContext)), 'http://console.test is a secure context');
        const message = 'The console needs HTTPS, or localhost: the browser only offers its cryptography to secure pages.';
        await visible(other.getByText(message, { exact: true }), 'the HTTPS message');
        const text = (await other.getByRole('main').innerText()).trim();
        assert(text === message, `the page shows ${JSON.stringify(text)}, want only the HTTPS message`);
        assert(await other.getByLabel('Password', { exact: true }).count() === 0, 'a sign-in form on an insecure page');
        // Chromium says so of the server's COOP header on an untrustworthy
        // origin: the header's doing, and only on this made-up origin.
        ow.problems = ow.problems.filter((p) => !/The Cross-Origin-Opener-Policy header has been ignored/.test(p));
        ow.check('the insecure page');
      } finally {
        await other.close();
      }
    });

    let answer;
    await step('root signs in', async () => {
      answer = await signInRoot(page, w);
      await pageHeading(page, 'Users');
      await noSecretsKept(page, w, [ROOT.secret, ...sessionSecrets(answer)], 'after the root signed in');
      neverSent(w, [ROOT.secret, answer.Credentials.SecretAccessKey], 'as the root');
    });

    await step('create user alice', async () => {
      await page.getByLabel('User name', { exact: true }).fill('alice');
      await page.getByRole('button', { name: 'Create user', exact: true }).click();
      const users = main(page);
      await visible(users.getByRole('link', { name: 'alice', exact: true }), 'alice in the users table');
      await visible(users.getByRole('link', { name: viewer, exact: true }), `${viewer} in the users table`);
      await soft('the creation is announced in the status region', async () => {
        await visible(page.getByRole('status').getByText('User alice created.'), 'the status "User alice created."', 3000);
      });
      await shot(page, 'users.png');
      await soft('the users search filters by name', async () => {
        const search = page.getByLabel('Search users', { exact: true });
        const listed = async () => ({
          alice: await users.getByRole('link', { name: 'alice', exact: true }).count(),
          viewer: await users.getByRole('link', { name: viewer, exact: true }).count(),
        });
        await search.fill('ali');
        await eventually(async () => {
          const l = await listed();
          assert(l.alice === 1 && l.viewer === 0, `searching "ali" lists alice ${l.alice}, ${viewer} ${l.viewer} times`);
        });
        await search.fill('');
        await eventually(async () => {
          const l = await listed();
          assert(l.alice === 1 && l.viewer === 1, `an empty search lists alice ${l.alice}, ${viewer} ${l.viewer} times`);
        });
      });
    });

    await step('users page at 390x844', async () => {
      await page.setViewportSize(NARROW);
      await visible(main(page).getByRole('link', { name: 'alice', exact: true }), 'alice in the narrow users table');
      await shot(page, 'users-narrow.png');
      await soft('the users page fits a 390 px window (tables scroll inside their container)', async () => {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert(width <= NARROW.width, `the page is ${width} px wide in a ${NARROW.width} px window`);
      });
      await page.setViewportSize(WIDE);
    });

    await step('alice: password and inline policy', async () => {
      await main(page).getByRole('link', { name: 'alice', exact: true }).click();
      await pageHeading(page, 'alice');
      assert(new URL(page.url()).hash === '#/users/alice', `alice's page is at ${page.url()}`);
      await hasText(main(page), `arn:aws:iam::${ACCOUNT}:user/alice`, "alice's page");

      const m = main(page);
      await m.getByLabel('Password', { exact: true }).fill(password);
      await m.getByLabel('Require password reset', { exact: true }).uncheck();
      await m.getByRole('button', { name: 'Set password', exact: true }).click();
      await visible(m.getByRole('button', { name: 'Remove password', exact: true }), '"Remove password" once the password is set');

      await m.getByRole('button', { name: 'Add inline policy', exact: true }).click();
      const editor = editorForm(page);
      await editor.getByLabel('Policy name', { exact: true }).fill('own-keys');
      const doc = editor.getByLabel('Policy document', { exact: true });
      await soft('"Format" reports JSON that does not parse, locally', async () => {
        await doc.fill('{"Version": "2012-10-17", "Statement": [');
        await editor.getByRole('button', { name: 'Format', exact: true }).click();
        await visible(editor.getByRole('alert'), 'the editor\'s alert for invalid JSON', 3000);
        await hasText(editor.getByRole('alert'), 'not valid JSON', 'the editor\'s alert');
      });
      await doc.fill(MALFORMED_POLICY);
      await editor.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = editor.getByRole('alert');
      await visible(alert, 'the server\'s validation error next to the editor');
      await hasText(alert, 'MalformedPolicyDocument', 'the editor\'s alert');
      await shot(page, 'policy-error.png');
      await doc.fill(ALICE_POLICY);
      await editor.getByRole('button', { name: 'Save', exact: true }).click();
      await gone(editor, 'the editor after a good save');
      await visible(m.getByRole('row').filter({ hasText: 'own-keys' }), 'own-keys in the inline policies');
      await shot(page, 'user-detail.png');
    });

    await handshake('alice-made');

    await step('groups', async () => {
      await nav(page, 'Groups');
      await page.getByLabel('Group name', { exact: true }).fill('developers');
      await page.getByRole('button', { name: 'Create group', exact: true }).click();
      await visible(main(page).getByRole('link', { name: 'developers', exact: true }), 'developers in the groups table');
      await shot(page, 'groups.png');
    });

    await step('policies', async () => {
      await nav(page, 'Policies');
      const editor = editorForm(page);
      await editor.getByLabel('Policy name', { exact: true }).fill('list-users');
      await editor.getByLabel('Description', { exact: true }).fill('Lists the users of the account');
      await editor.getByLabel('Policy document', { exact: true }).fill(JSON.stringify({
        Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
      }, null, 2));
      await editor.getByRole('button', { name: 'Save', exact: true }).click();
      await pageHeading(page, 'list-users');
      await nav(page, 'Policies');
      await visible(main(page).getByRole('link', { name: 'list-users', exact: true }), 'list-users in the policies table');
      await shot(page, 'policies.png');
    });

    await step('simulator', async () => {
      await nav(page, 'Simulator', 'Policy simulator');
      // (The root is no principal IAM simulates: the field's default is
      // checked for a user, below.)
      const principal = page.getByLabel('Principal ARN', { exact: true });
      await principal.fill(`arn:aws:iam::${ACCOUNT}:user/alice`);
      await page.getByLabel('Actions', { exact: true }).fill('iam:CreateAccessKey, iam:ListUsers');
      await page.getByLabel('Resource ARNs', { exact: true }).fill(`arn:aws:iam::${ACCOUNT}:user/alice`);
      await page.getByRole('button', { name: 'Simulate', exact: true }).click();
      const results = main(page);
      const allowed = results.getByRole('row').filter({ hasText: 'iam:CreateAccessKey' });
      await hasText(allowed, 'allowed', 'the iam:CreateAccessKey result');
      await hasText(allowed, 'own-keys', 'the iam:CreateAccessKey result\'s matched statement');
      await hasText(results.getByRole('row').filter({ hasText: 'iam:ListUsers' }), 'implicitDeny', 'the iam:ListUsers result');
      await soft('the simulator shows the matched statement\'s text', async () => {
        await hasText(allowed, '"Sid": "OwnKeys"', 'the matched statement\'s text');
      });
      await shot(page, 'simulator.png');
    });

    await step('credential report', async () => {
      await nav(page, 'Credential report');
      const report = main(page);
      await visible(report.getByRole('row').filter({ hasText: `arn:aws:iam::${ACCOUNT}:user/alice` }), 'alice in the credential report', 20_000);
      await visible(report.getByRole('row').filter({ hasText: '<root_account>' }), 'the root in the credential report');
      await soft('"Download CSV" downloads the report', async () => {
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 5000 }),
          report.getByRole('button', { name: 'Download CSV', exact: true }).click(),
        ]);
        assert(download.suggestedFilename() === 'credential-report.csv', `downloaded ${download.suggestedFilename()}`);
        const csv = await readFile(await download.path(), 'utf8');
        assert(csv.startsWith('user,arn,') && csv.includes(`\nalice,arn:aws:iam::${ACCOUNT}:user/alice,`), `the CSV reads:\n${csv.slice(0, 300)}`);
      });
      await shot(page, 'credential-report.png');
    });

    await step('a quarantined key is marked', async () => {
      // The Go test quarantined the key of the user "stale" before the run.
      await nav(page, 'Users');
      await main(page).getByRole('link', { name: 'stale', exact: true }).click();
      await pageHeading(page, 'stale');
      const keys = page.getByRole('region', { name: 'Access keys', exact: true });
      const row = keys.getByRole('row').filter({ hasText: 'Inactive' });
      await hasText(row, 'Quarantined', 'the quarantined key\'s row');
      await hasText(row, 'unused for 1ms', 'the quarantine\'s reason');
      await shot(page, 'keys-quarantined.png');
    });

    await step('root signs out', async () => {
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await signInForm(page);
      await soft('the root key pair is not kept in the sign-in form', async () => {
        await page.getByRole('tab', { name: 'Root user' }).click();
        for (const label of ['Access key ID', 'Secret access key']) {
          const value = await page.getByLabel(label, { exact: true }).inputValue();
          assert(value === '', `"${label}" holds ${JSON.stringify(value)} after signing out`);
        }
        await page.getByRole('tab', { name: 'IAM user' }).click();
      });
      await noSecretsKept(page, w, [ROOT.secret, ...sessionSecrets(answer)], 'after the root signed out');
      neverSent(w, [ROOT.secret, answer.Credentials.SecretAccessKey], 'as the root');
    });

    let key;
    await step('alice signs in with the keyboard', async () => {
      answer = await keyboardSignIn(page, 'alice', password);
      await nav(page, 'My security credentials');
      await noSecretsKept(page, w, [password, ...sessionSecrets(answer)], 'after alice signed in');
    });

    await step('alice creates an access key', async () => {
      const keys = main(page);
      await visible(keys.getByText('No access keys.', { exact: true }), 'the empty state "No access keys."');
      await keys.getByRole('button', { name: 'Create access key', exact: true }).click();
      // The panel: its heading, the warning, the key id and secret, Copy and Done.
      const panel = keys;
      const panelHeading = keys.getByRole('heading', { name: 'Access key created' });
      await visible(panelHeading, 'the new key\'s panel');
      await visible(panel.getByText('This is the only time the secret access key can be viewed. Copy it now; it cannot be recovered.', { exact: true }),
        'the warning that the secret is shown once');
      const text = (await panel.innerText()).replace(/\s+/g, ' ');
      const id = /Access key ID (AKIA[A-Z2-7]{16})\b/.exec(text)?.[1];
      const secret = /Secret access key ([A-Za-z0-9/+]{40})\b/.exec(text)?.[1];
      assert(id && secret, `the panel shows no key id and secret: ${text}`);
      key = { AccessKeyId: id, SecretAccessKey: secret };
      assert((await panel.getByRole('button', { name: 'Copy', exact: true }).count()) === 2, 'want a "Copy" button for the key id and one for the secret');
      await visible(keys.getByRole('row').filter({ hasText: id }), 'the new key in the table');
      await shot(page, 'secret-once.png');
      await noSecretsKept(page, w, [secret, ...sessionSecrets(answer)], 'with the secret on screen');
      await soft('"Copy" puts the secret on the clipboard', async () => {
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
        await panel.getByRole('button', { name: 'Copy', exact: true }).nth(1).click();
        await eventually(async () => {
          const copied = await page.evaluate(() => navigator.clipboard.readText());
          assert(copied === secret, 'the clipboard does not hold the secret');
        }, 3000);
        await page.evaluate(() => navigator.clipboard.writeText(''));
      });
      await panel.getByRole('button', { name: 'Done', exact: true }).click();
      await gone(panelHeading, 'the secret\'s panel after Done');
      assert(!(await page.content()).includes(secret), 'the secret is still in the page after Done');
    });

    await handshake('key-created', key);

    await step('reload: signed out, the secret gone for good', async () => {
      await page.reload();
      await signInForm(page);
      assert(!(await page.content()).includes(key.SecretAccessKey), 'the secret is in the page after a reload');
      answer = await signInUser(page, 'alice', password);
      await nav(page, 'My security credentials');
      const row = main(page).getByRole('row').filter({ hasText: key.AccessKeyId });
      await visible(row.getByText('Active', { exact: true }), 'the key Active after the reload');
      assert(!(await page.content()).includes(key.SecretAccessKey), 'the secret is shown again after signing in again');
      await gone(page.getByRole('heading', { name: 'Access key created' }), 'the new key\'s panel after the reload', 1000);
      await noSecretsKept(page, w, [key.SecretAccessKey, password, ...sessionSecrets(answer)], 'after the reload');
      neverSent(w, [key.SecretAccessKey, answer.Credentials.SecretAccessKey], 'as alice');
    });

    await step('alice deactivates the key', async () => {
      const row = main(page).getByRole('row').filter({ hasText: key.AccessKeyId });
      await row.getByRole('button', { name: 'Deactivate', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Deactivate access key ${key.AccessKeyId}?` });
      await visible(dialog, 'the confirmation dialog');
      await soft('the dialog\'s focus starts on its first button', async () => {
        const first = dialog.getByRole('button').first();
        assert(await focused(first), `the focus is on ${await described(page)}, not the dialog's first button`);
      });
      await page.keyboard.press('Escape');
      await gone(dialog, 'the dialog after Escape');
      await visible(row.getByText('Active', { exact: true }), 'the key still Active after Escape');
      await row.getByRole('button', { name: 'Deactivate', exact: true }).click();
      await visible(dialog, 'the confirmation dialog');
      await dialog.getByRole('button', { name: 'Deactivate', exact: true }).click();
      await visible(row.getByText('Inactive', { exact: true }), 'the key Inactive');
      await visible(row.getByRole('button', { name: 'Activate', exact: true }), 'the "Activate" button of an inactive key');
      await soft('the deactivation is announced in the status region', async () => {
        await visible(page.getByRole('status').getByText(`Access key ${key.AccessKeyId} is now inactive.`), 'the status message', 3000);
      });
      await shot(page, 'keys-deactivated.png');
    });

    await handshake('key-deactivated', key);

    await step('a user without permissions sees AccessDenied', async () => {
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await signInForm(page);
      answer = await signInUser(page, viewer, password);
      await nav(page, 'My security credentials');
      const denied = (action) => `Access denied: User: arn:aws:iam::${ACCOUNT}:user/${viewer} is not authorized to perform: ${action}`;
      await hasText(main(page).getByRole('alert').filter({ hasText: 'iam:ListAccessKeys' }), denied('iam:ListAccessKeys'), 'the access keys\' alert');
      await nav(page, 'Users');
      const alert = main(page).getByRole('alert').filter({ hasText: 'iam:ListUsers' });
      await hasText(alert, denied('iam:ListUsers'), 'the users\' alert');
      await shot(page, 'access-denied.png');
      await soft('AccessDenied is shown under an "Access denied" heading', async () => {
        await visible(alert.getByRole('heading', { name: 'Access denied', exact: true }), 'an "Access denied" heading in the alert', 1000);
      });
      await soft('the simulator\'s "Principal ARN" defaults to the signed-in user\'s', async () => {
        await nav(page, 'Simulator', 'Policy simulator');
        const value = await page.getByLabel('Principal ARN', { exact: true }).inputValue();
        assert(value === `arn:aws:iam::${ACCOUNT}:user/${viewer}`, `"Principal ARN" starts as ${JSON.stringify(value)}`);
      });
      await noSecretsKept(page, w, [password, ...sessionSecrets(answer)], 'as the viewer');
    });

    await step('a password to reset: "Choose a new password", then signed in', async () => {
      const resetUser = env('RESET_USER');
      const newPassword = env('NEW_PASSWORD');
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await signInForm(page);
      await page.getByLabel('Account ID or alias', { exact: true }).fill(ACCOUNT);
      await page.getByLabel('User name', { exact: true }).fill(resetUser);
      await page.getByLabel('Password', { exact: true }).fill(password);
      answer = await signInAnswer(page, () => page.getByRole('tabpanel', { name: 'IAM user' })
        .getByRole('button', { name: 'Sign in', exact: true }).click());
      assert(answer.PasswordResetRequired === true, `the sign-in answered PasswordResetRequired ${answer.PasswordResetRequired}`);
      await pageHeading(page, 'Choose a new password');
      assert(await page.getByLabel('Current password', { exact: true }).count() === 0,
        'the new password form asks for the current password, known from the sign-in form');
      await page.getByLabel('New password', { exact: true }).fill('Short-1');
      await page.getByLabel(/^Confirm/).fill('Short-1');
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await hasText(main(page).getByRole('alert'), 'PasswordPolicyViolation', 'the alert for a too short password');
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel(/^Confirm/).fill(newPassword);
      await page.getByRole('button', { name: 'Change password', exact: true }).click();
      await signedIn(page, `arn:aws:iam::${ACCOUNT}:user/${resetUser}`);
      await noSecretsKept(page, w, [password, newPassword, ...sessionSecrets(answer)], 'after the new password');
    });

    await handshake('password-changed');

    await step('the problem watch sees a CSP violation', async () => {
      // The checks above pass only if the watch would see a violation:
      // an inline script the page's CSP must refuse.
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.head.append(s);
      });
      await eventually(async () => assert(w.problems.some((p) => /securitypolicyviolation: script-src/.test(p)), 'not yet'), 3000)
        .catch(() => fail(`an inline script was not reported as a CSP violation: ${w.problems}`));
      assert(!(await page.evaluate(() => window.inlineRan)), 'the inline script ran: no CSP');
      w.problems.length = 0;
    });

    emit('done', { httpErrors: w.httpErrors, failures });
  } finally {
    await browser.close();
  }
}

async function idle() {
  const seconds = Number(env('IDLE_SECONDS'));
  const browser = await launch();
  try {
    const page = await browser.context.pages()[0] ?? await browser.context.newPage();
    const w = watch(page, ORIGIN);
    await page.goto(CONSOLE);
    const answer = await signInRoot(page, w);
    const signedInAt = Date.now();
    assert(answer.IdleTimeoutSeconds === seconds, `sign-in answered IdleTimeoutSeconds ${answer.IdleTimeoutSeconds}, want ${seconds}`);
    await pageHeading(page, 'Users');

    // Active once more than half the credentials' life has passed: the
    // page trades them for new ones, and the idle time counts from here.
    await page.waitForTimeout(seconds * 600);
    let session = answer;
    await soft('activity past half the session refreshes its credentials', async () => {
      const [resp] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/latchkey/v1/console/refresh', { timeout: 5000 }),
        nav(page, 'Groups'),
      ]);
      const body = await resp.json();
      assert(resp.ok() && body.Credentials?.AccessKeyId && body.Credentials.AccessKeyId !== answer.Credentials.AccessKeyId,
        `the refresh answered HTTP ${resp.status()} ${body.Code ?? ''} ${body.Message ?? ''}`);
      session = body;
    });
    const activeAt = Date.now();
    // Past the first credentials' life, still signed in: the activity counted.
    await page.waitForTimeout(Math.max(0, signedInAt + seconds * 1000 + 1000 - Date.now()));
    await soft('still signed in past the first credentials\' life, after activity', async () => {
      await visible(page.getByRole('banner').getByRole('button', { name: 'Sign out' }), 'the header', 100);
    });

    // Nothing touches the page from here (waiting sends no input).
    await signInForm(page, `You were signed out after ${seconds} seconds without activity.`, (seconds + 5) * 1000);
    const after = (Date.now() - activeAt) / 1000;
    assert(after >= seconds - 1, `signed out ${after} s after the last activity, before the ${seconds} s idle timeout`);
    await gone(page.getByRole('banner').getByRole('button', { name: 'Sign out' }), 'the header once signed out', 1000);
    await shot(page, 'signed-out-idle.png');
    await noSecretsKept(page, w, [ROOT.secret, ...sessionSecrets(answer), ...sessionSecrets(session)], 'after the idle sign-out');
    neverSent(w, [ROOT.secret, answer.Credentials.SecretAccessKey, session.Credentials.SecretAccessKey], 'as the root');
    w.check('idle');
    emit('idle-signed-out', { seconds: after, session: session.Credentials, failures });
  } finally {
    await browser.close();
  }
}

// a11y: every page audited with axe-core (WCAG 2.1 A and AA, and axe's
// best practices): each violation is a failure. axe is injected into the
// page, which the console's CSP forbids, so this run alone bypasses the
// CSP (the flows run checks it).
async function a11y() {
  const axeSource = await readFile(join(import.meta.dirname, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const browser = await launch({ bypassCSP: true });
  let audited = 0;
  try {
    const page = await browser.context.pages()[0] ?? await browser.context.newPage();
    const w = watch(page, ORIGIN);
    const audit = async (name) => {
      await page.waitForLoadState('networkidle');
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, {
        resultTypes: ['violations'],
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      }));
      for (const v of result.violations) {
        failures += 1;
        emit('failure', { check: `accessibility of ${name}`, error: `${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}` });
      }
      audited += 1;
      log(`axe ${name}: ${result.violations.length} violations`);
    };
    await page.goto(CONSOLE);
    await signInForm(page);
    await audit('the sign-in page');
    await signInRoot(page, w);
    await pageHeading(page, 'Users');
    await audit('the users page');
    await main(page).getByRole('link', { name: 'alice', exact: true }).click();
    await pageHeading(page, 'alice');
    await audit('a user\'s page');
    for (const [link, heading] of [['Groups', 'Groups'], ['Policies', 'Policies'], ['Simulator', 'Policy simulator'],
      ['Credential report', 'Credential report'], ['My security credentials', 'My security credentials']]) {
      await nav(page, link, heading);
      await audit(`the ${heading} page`);
    }
    await page.setViewportSize(NARROW);
    await nav(page, 'Users');
    await audit('the users page, narrow');
    emit('a11y-done', { pages: audited, failures });
  } finally {
    await browser.close();
  }
}

const phases = { flows, idle, a11y };
const phase = phases[env('PHASE')] ?? (() => fail(`PHASE ${process.env.PHASE}: want one of ${Object.keys(phases)}`));
try {
  await phase();
} catch (err) {
  log(`FAIL ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  endInput();
}
