// me.js: "My security credentials" (#/me): who is signed in, "Change
// password" (ChangePassword, for IAM users), and the caller's own access
// keys (the keys table without UserName, so IAM acts on the caller; for
// the root, the root's keys).

import { identity } from './session.js';
import { h, add, section, kv } from './ui.js';
import { keysSection } from './keys.js';
import { changePasswordForm } from './password.js';

export function renderMe(page) {
  page.title('My security credentials');
  const me = identity();
  add(page.body,
    section('Signed in as', kv([
      ['ARN', h('code', { text: me.Arn })],
      ['Account', me.AccountAlias ? `${me.AccountId} (${me.AccountAlias})` : me.AccountId],
      ['User name', me.isRoot ? 'Root user' : me.UserName],
    ])),
    me.isRoot ? null : section('Change password', changePasswordForm({ onChanged: () => 'Password changed.' })),
    keysSection(undefined));
}
