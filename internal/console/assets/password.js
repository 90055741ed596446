// password.js: the "Change password" form (iam:ChangePassword) with the
// account's password policy (GetAccountPasswordPolicy) as a hint, used on
// "My security credentials" and after a sign-in whose password must be
// changed (the current password then comes from the sign-in form).

import { iam } from './api.js';
import { h, field, input, form, replace, note } from './ui.js';

/** policyText describes a PasswordPolicy in one sentence. */
function policyText(p) {
  const parts = [`at least ${p.MinimumPasswordLength || 8} characters`];
  if (p.RequireUppercaseCharacters === 'true') parts.push('an upper-case letter');
  if (p.RequireLowercaseCharacters === 'true') parts.push('a lower-case letter');
  if (p.RequireNumbers === 'true') parts.push('a number');
  if (p.RequireSymbols === 'true') parts.push('a symbol');
  let text = `The account's password policy asks for ${parts.join(', ')}.`;
  if (Number(p.PasswordReusePrevention) > 0) text += ` The last ${p.PasswordReusePrevention} passwords cannot be reused.`;
  return text;
}

/**
 * changePasswordForm calls ChangePassword; currentPassword, when given, is
 * the one just typed at sign-in (no field for it then). onChanged(newPassword)
 * runs after IAM accepted it and returns the message to announce; extra
 * are more buttons.
 */
export function changePasswordForm({ currentPassword, onChanged, extra = [] }) {
  const current = input({ type: 'password', name: 'OldPassword', autocomplete: 'current-password', required: true });
  const next = input({ type: 'password', name: 'NewPassword', autocomplete: 'new-password', required: true });
  const confirmInput = input({ type: 'password', name: 'ConfirmPassword', autocomplete: 'new-password', required: true });
  const policy = h('div', { class: 'hint' });
  iam('GetAccountPasswordPolicy').then((r) => replace(policy, policyText(r.PasswordPolicy ?? {})), (err) => {
    replace(policy, err.code === 'NoSuchEntity' ? 'The account has no password policy: IAM\'s default rules apply.'
      : note('The account\'s password policy', err));
  });
  return form({
    children: [
      currentPassword === undefined ? field('Current password', current) : null,
      field('New password', next),
      field('Confirm password', confirmInput),
      policy,
    ],
    submit: 'Change password',
    extra,
    onSubmit: async () => {
      if (next.value !== confirmInput.value) {
        throw { code: 'PasswordMismatch', message: 'The new password and its confirmation differ.' };
      }
      await iam('ChangePassword', { OldPassword: currentPassword ?? current.value, NewPassword: next.value });
      const newPassword = next.value;
      for (const el of [current, next, confirmInput]) el.value = '';
      return onChanged(newPassword);
    },
  });
}
