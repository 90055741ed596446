// signin.js: the sign-in page: two tabs, "IAM user" (Account ID or alias,
// User name, Password) and "Root user" (Access key ID, Secret access key),
// and the "Choose a new password" step when the sign-in answers
// PasswordResetRequired. The root key pair goes from its fields to the one
// signed request and is then cleared from them.

import { signInUser, signInRoot, identity, signOut } from './session.js';
import { h, field, input, form, replace, button } from './ui.js';
import { changePasswordForm } from './password.js';

/** signInError words a refused sign-in; Throttling tells when to try again. */
function signInError(err) {
  if (err.code === 'Throttling' && err.retryAfter && !/\d+ seconds?/.test(err.message)) {
    return { code: err.code, message: `${err.message} Try again in ${err.retryAfter} seconds.` };
  }
  return err;
}

function tabs(items) {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Sign in as' });
  const panels = [];
  const buttons = items.map(({ label, panel }, i) => {
    const tabId = `tab-${i}`;
    const panelId = `tabpanel-${i}`;
    const b = h('button', {
      type: 'button', role: 'tab', id: tabId, class: 'tab', 'aria-controls': panelId, text: label,
    });
    panels.push(h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'tabpanel' }, panel));
    return b;
  });
  const select = (i, focus) => {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (focus) buttons[i].focus();
  };
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i, false));
    b.addEventListener('keydown', (e) => {
      const n = buttons.length;
      const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i + n - 1) % n, Home: 0, End: n - 1 }[e.key];
      if (to !== undefined) {
        e.preventDefault();
        select(to, true);
      }
    });
  });
  list.append(...buttons);
  select(0, false);
  return [list, panels];
}

/** renderSignIn fills root with the sign-in page; message says why the person is here. */
export function renderSignIn(root, message = '') {
  const account = input({ name: 'Account', autocomplete: 'organization' });
  const userName = input({ name: 'UserName', autocomplete: 'username' });
  const password = input({ type: 'password', name: 'Password', autocomplete: 'current-password' });
  const userForm = form({
    children: [field('Account ID or alias', account), field('User name', userName), field('Password', password)],
    submit: 'Sign in',
    onSubmit: async () => {
      const typed = { account: account.value.trim(), userName: userName.value.trim(), password: password.value };
      try {
        await signInUser(typed.account, typed.userName, typed.password);
      } catch (err) {
        throw signInError(err);
      }
      password.value = '';
      if (identity()?.PasswordResetRequired) renderReset(root, typed);
    },
  });

  const keyId = input({ name: 'AccessKeyId' });
  const secret = input({ type: 'password', name: 'SecretAccessKey', autocomplete: 'off' });
  const rootForm = form({
    children: [
      field('Access key ID', keyId),
      field('Secret access key', secret, 'Used only to sign this one sign-in request, in this page: it is never sent nor kept.'),
    ],
    submit: 'Sign in',
    onSubmit: async () => {
      const id = keyId.value.trim();
      const key = secret.value.trim();
      secret.value = '';
      try {
        await signInRoot(id, key);
      } catch (err) {
        throw signInError(err);
      }
      keyId.value = '';
    },
  });

  replace(root, h('div', { class: 'signin' },
    h('section', { class: 'card' },
      h('h1', { tabindex: '-1', text: 'Sign in to Latchkey' }),
      message ? h('p', { class: 'alert alert-info', role: 'status', text: message }) : null,
      tabs([{ label: 'IAM user', panel: userForm }, { label: 'Root user', panel: rootForm }]))));
  document.title = 'Sign in · Latchkey';
}

/**
 * renderReset is the "Choose a new password" step: ChangePassword with the
 * reset-only session, then the same sign-in with the new password.
 */
function renderReset(root, typed) {
  const changeForm = changePasswordForm({
    currentPassword: typed.password,
    extra: [button('Sign out', () => signOut())],
    onChanged: async (newPassword) => {
      await signInUser(typed.account, typed.userName, newPassword);
      return 'Password changed.';
    },
  });
  replace(root, h('div', { class: 'signin' },
    h('section', { class: 'card' },
      h('h1', { tabindex: '-1', text: 'Choose a new password' }),
      h('p', { text: `The password of ${typed.userName} must be changed before going on.` }),
      changeForm)));
  document.title = 'Choose a new password · Latchkey';
  root.querySelector('h1').focus();
}
