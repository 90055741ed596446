// keys.js: the access keys section of a user's page and of "My security
// credentials": ListAccessKeys with GetAccessKeyLastUsed per key, "Create
// access key", "Deactivate" / "Activate" / "Delete". A new key's secret is
// written into its panel's DOM only (no variable keeps it): "Done", leaving
// the page or reloading removes it for good.

import { iam, list, quarantinedKeys } from './api.js';
import { h, section, table, load, button, badge, when, ageDays, actions, announce, replace, errorBox, uid } from './ui.js';
import { rowAction } from './entity.js';

const STATUS_TONE = { Active: 'ok', Inactive: 'neutral', Expired: 'danger' };

function lastUsed(r) {
  const u = r.AccessKeyLastUsed ?? {};
  if (!u.LastUsedDate) return 'Never';
  return h('span', {}, when(u.LastUsedDate), `, ${u.ServiceName || 'N/A'}, ${u.Region || 'N/A'}`);
}

/**
 * keysSection shows the keys of userName; without one (undefined) IAM acts
 * on the caller, for "My security credentials".
 */
export function keysSection(userName) {
  const param = userName === undefined ? {} : { UserName: userName };
  const secretSlot = h('div');
  const errors = h('div', { class: 'form-errors' });
  const body = h('div');

  const reload = () => load(body, async () => {
    const keys = list((await iam('ListAccessKeys', param)).AccessKeyMetadata);
    const [used, quarantined] = await Promise.all([
      Promise.all(keys.map((k) => iam('GetAccessKeyLastUsed', { AccessKeyId: k.AccessKeyId })
        .catch((err) => ({ error: err })))),
      // Which keys a quarantine rule deactivated (Latchkey's own API).
      keys.some((k) => k.Status === 'Inactive') ? quarantinedKeys().catch((err) => ({ error: err })) : new Map(),
    ]);
    const rows = keys.map((k, i) => ({ ...k, used: used[i], quarantine: quarantined.get?.(k.AccessKeyId), cellId: uid('key') }));
    // A caller not allowed to read the quarantine (most users) just sees
    // no marks; any other failure says the marks are missing.
    const note = quarantined.error && quarantined.error.code !== 'AccessDenied'
      ? h('p', { class: 'hint', text: `Quarantined keys are not marked: ${quarantined.error.code}: ${quarantined.error.message}` })
      : null;
    return h('div', {}, note, table({
      caption: 'Access keys',
      empty: 'No access keys.',
      rows,
      columns: [
        { label: 'Access key ID', rowHeader: true, cell: (k) => h('code', { id: k.cellId, text: k.AccessKeyId }) },
        { label: 'Status', cell: (k) => statusCell(k) },
        { label: 'Created', cell: (k) => when(k.CreateDate) },
        { label: 'Age (days)', cell: (k) => ageDays(k.CreateDate) },
        { label: 'Last used', cell: (k) => (k.used.error ? errorBox(k.used.error) : lastUsed(k.used)) },
        { label: 'Actions', cell: (k) => keyActions(k) },
      ],
    }));
  });

  const setStatus = (k, status) => ({
    run: () => iam('UpdateAccessKey', { ...param, AccessKeyId: k.AccessKeyId, Status: status }),
    done: `Access key ${k.AccessKeyId} is now ${status.toLowerCase()}.`,
    reload, errors,
  });
  function keyActions(k) {
    const describe = { 'aria-describedby': k.cellId };
    const buttons = [];
    if (k.Status === 'Active') {
      buttons.push(button('Deactivate', () => rowAction({
        question: `Deactivate access key ${k.AccessKeyId}?`, verb: 'Deactivate', ...setStatus(k, 'Inactive'),
      }), describe));
    } else if (k.Status === 'Inactive') {
      buttons.push(button('Activate', () => rowAction(setStatus(k, 'Active')), describe));
    }
    buttons.push(button('Delete', () => rowAction({
      question: `Delete access key ${k.AccessKeyId}?`, verb: 'Delete',
      run: () => iam('DeleteAccessKey', { ...param, AccessKeyId: k.AccessKeyId }),
      done: `Access key ${k.AccessKeyId} deleted.`, reload, errors,
    }), { kind: 'danger', ...describe }));
    return actions(...buttons);
  }

  const create = button('Create access key', async () => {
    replace(errors);
    create.disabled = true;
    try {
      const r = await iam('CreateAccessKey', param);
      replace(secretSlot, secretPanel(r.AccessKey, () => replace(secretSlot)));
      secretSlot.querySelector('h3').focus();
      announce('Access key created.');
      reload();
    } catch (err) {
      replace(errors, errorBox(err));
    } finally {
      create.disabled = false;
    }
  }, { kind: 'primary' });

  reload();
  return section('Access keys', actions(create), secretSlot, errors, body);
}

/**
 * statusCell is a key's status badge: Expired (past the account's key
 * policy) stands out, and a key a quarantine rule deactivated says when
 * and why.
 */
function statusCell(k) {
  const cell = h('span', {}, badge(k.Status, STATUS_TONE[k.Status]));
  if (k.quarantine) {
    cell.append(' ', badge('Quarantined', 'warn'),
      h('span', { class: 'hint' }, ` ${k.quarantine.reason}, since `, when(k.quarantine.quarantined_at)));
  }
  return cell;
}

/** copyButton copies the text of the element valueEl (read when clicked). */
function copyButton(valueEl, what) {
  const b = button('Copy', async () => {
    try {
      await navigator.clipboard.writeText(valueEl.textContent);
      announce(`${what} copied.`);
    } catch (err) {
      announce(`Could not copy: ${err.message}`);
    }
  }, { 'aria-describedby': valueEl.id });
  return b;
}

/** secretPanel shows a new key once; done removes the panel. */
function secretPanel(key, done) {
  const idEl = h('code', { id: uid('newkey'), class: 'secret', text: key.AccessKeyId });
  const secretEl = h('code', { id: uid('newsecret'), class: 'secret', text: key.SecretAccessKey });
  const titleId = uid('created');
  return h('div', { class: 'secret-panel', role: 'region', 'aria-labelledby': titleId },
    h('h3', { id: titleId, tabindex: '-1', text: 'Access key created' }),
    h('p', { class: 'alert alert-warn', text: 'This is the only time the secret access key can be viewed. Copy it now; it cannot be recovered.' }),
    h('dl', { class: 'kv' },
      h('dt', { text: 'Access key ID' }), h('dd', {}, idEl, ' ', copyButton(idEl, 'Access key ID')),
      h('dt', { text: 'Secret access key' }), h('dd', {}, secretEl, ' ', copyButton(secretEl, 'Secret access key'))),
    actions(button('Done', done, { kind: 'primary' })));
}
