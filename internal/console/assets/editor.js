// editor.js: the policy editor: a <textarea> labelled "Policy document",
// "Format" (JSON pretty print, invalid JSON reported locally) and "Save",
// which hands the text to the caller as typed: IAM validates it, and its
// error (MalformedPolicyDocument and the message) is shown under the
// editor in role="alert", the one place both kinds of error go.

import { h, field, form, button } from './ui.js';

export const NEW_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }],
}, null, 2);

/** pretty re-indents a JSON document, or returns it unchanged when it is not JSON. */
export function pretty(doc) {
  try {
    return JSON.stringify(JSON.parse(doc), null, 2);
  } catch {
    return doc;
  }
}

/**
 * policyEditor returns a form: fields (labelled controls shown above the
 * document), the document (value), "Format", "Save" (onSave(document) →
 * a message to announce) and more buttons (extra).
 */
export function policyEditor({ value = NEW_POLICY, fields = [], onSave, extra = [] }) {
  const textarea = h('textarea', {
    class: 'code-input', rows: '16', spellcheck: 'false', autocomplete: 'off', value: pretty(value),
  });
  const formatBtn = button('Format', () => {
    try {
      textarea.value = JSON.stringify(JSON.parse(textarea.value), null, 2);
      el.showError(null);
    } catch (err) {
      el.showError({ code: 'InvalidJSON', message: `The policy document is not valid JSON: ${err.message}` });
    }
  });
  const el = form({
    children: [fields, field('Policy document', textarea)],
    submit: 'Save',
    extra: [formatBtn, extra],
    onSubmit: () => onSave(textarea.value),
  });
  el.classList.add('editor');
  return el;
}
