// entity.js: the permission sections a user and a group share: attached
// managed policies (List/Attach/Detach{User,Group}Policies) and inline
// policies (List/Get/Put/Delete{User,Group}Policy, edited in the policy
// editor). kind is 'User' or 'Group'; the IAM parameter is kind + 'Name'.

import { iam, list, allPages, decodeDocument } from './api.js';
import { h, section, table, load, button, field, input, form, confirm, announce, replace, errorBox, actions, link, uid, note } from './ui.js';
import { policyEditor, NEW_POLICY } from './editor.js';

/** policyLink links a managed policy's page. */
export function policyLink(name, arn) {
  return link(name, `#/policies/${encodeURIComponent(arn)}`);
}

/** rowAction runs a row's button: confirmation when verb is given, the call, the message, a reload. */
export async function rowAction({ question, verb, detail, run, done, reload, errors }) {
  if (verb && !(await confirm(question, verb, detail))) return;
  replace(errors);
  try {
    await run();
    announce(done);
    reload();
  } catch (err) {
    replace(errors, errorBox(err));
  }
}

/**
 * deleteControl is a page's "Delete …" button: confirmation, the call,
 * then the list page (next); a refusal (DeleteConflict…) shown under it.
 */
export function deleteControl({ text, question, detail, run, done, next }) {
  const errors = h('div', { class: 'form-errors' });
  const b = button(text, async () => {
    if (!(await confirm(question, 'Delete', detail))) return;
    replace(errors);
    try {
      await run();
      announce(done);
      location.hash = next;
    } catch (err) {
      replace(errors, errorBox(err));
    }
  }, { kind: 'danger' });
  return [actions(b), errors];
}

/**
 * deletePrincipal deletes a user or group the way the AWS console does:
 * first what IAM would refuse the deletion for (DeleteConflict): a user's
 * console password, access keys and group memberships, a group's members;
 * then inline policies and managed policy attachments; then the entity.
 * A refused step stops there, with its error.
 */
export async function deletePrincipal(kind, name) {
  const param = { [`${kind}Name`]: name };
  if (kind === 'User') {
    await iam('DeleteLoginProfile', param).catch((err) => {
      if (err.code !== 'NoSuchEntity') throw err;
    });
    for (const k of list((await iam('ListAccessKeys', param)).AccessKeyMetadata)) {
      await iam('DeleteAccessKey', { ...param, AccessKeyId: k.AccessKeyId });
    }
    for (const g of await allPages('ListGroupsForUser', param, 'Groups')) {
      await iam('RemoveUserFromGroup', { ...param, GroupName: g.GroupName });
    }
  } else {
    for (const u of await allPages('GetGroup', param, 'Users')) {
      await iam('RemoveUserFromGroup', { ...param, UserName: u.UserName });
    }
  }
  for (const p of await allPages(`List${kind}Policies`, param, 'PolicyNames')) {
    await iam(`Delete${kind}Policy`, { ...param, PolicyName: p });
  }
  for (const p of await allPages(`ListAttached${kind}Policies`, param, 'AttachedPolicies')) {
    await iam(`Detach${kind}Policy`, { ...param, PolicyArn: p.PolicyArn });
  }
  await iam(`Delete${kind}`, param);
}

/** attachedPolicies is the "Permissions policies" section of a user or group. */
export function attachedPolicies(kind, name) {
  const param = { [`${kind}Name`]: name };
  const body = h('div');
  const errors = h('div', { class: 'form-errors' });
  const reload = () => load(body, async () => {
    const rows = await allPages(`ListAttached${kind}Policies`, param, 'AttachedPolicies');
    return table({
      caption: 'Attached managed policies',
      empty: 'No attached policies.',
      rows,
      columns: [
        { label: 'Policy name', rowHeader: true, cell: (p) => policyLink(p.PolicyName, p.PolicyArn) },
        { label: 'ARN', cell: (p) => h('code', { text: p.PolicyArn }) },
        {
          label: 'Actions', cell: (p) => button('Detach', () => rowAction({
            question: `Detach ${p.PolicyName} from ${name}?`, verb: 'Detach',
            run: () => iam(`Detach${kind}Policy`, { ...param, PolicyArn: p.PolicyArn }),
            done: `Policy ${p.PolicyName} detached.`, reload, errors,
          })),
        },
      ],
    });
  });

  const arnInput = input({ name: 'PolicyArn', list: uid('dl'), required: true, placeholder: 'arn:aws:iam::…:policy/…' });
  const datalist = h('datalist', { id: arnInput.getAttribute('list') });
  const suggestions = h('div');
  iam('ListPolicies', { Scope: 'Local', MaxItems: 1000 }).then((r) => {
    replace(datalist, list(r.Policies).map((p) => h('option', { value: p.Arn, text: p.PolicyName })));
  }, (err) => replace(suggestions, note('Policy suggestions', err))); // the field still takes any ARN
  const attach = form({
    children: [field('Policy ARN', arnInput), datalist, suggestions],
    submit: 'Attach policy',
    onSubmit: async () => {
      await iam(`Attach${kind}Policy`, { ...param, PolicyArn: arnInput.value.trim() });
      arnInput.value = '';
      reload();
      return 'Policy attached.';
    },
  });
  reload();
  return section('Permissions policies', errors, body, attach);
}

/** inlinePolicies is the "Inline policies" section of a user or group. */
export function inlinePolicies(kind, name) {
  const param = { [`${kind}Name`]: name };
  const body = h('div');
  const editorSlot = h('div');
  const errors = h('div', { class: 'form-errors' });

  const closeEditor = () => replace(editorSlot);
  const openEditor = (policyName, text) => {
    const nameInput = input({ name: 'PolicyName', required: true, value: policyName ?? '' });
    const editor = policyEditor({
      value: text ?? NEW_POLICY,
      fields: policyName ? [] : [field('Policy name', nameInput)],
      extra: [button('Cancel', closeEditor)],
      onSave: async (doc) => {
        const n = policyName ?? nameInput.value.trim();
        await iam(`Put${kind}Policy`, { ...param, PolicyName: n, PolicyDocument: doc });
        closeEditor();
        reload();
        return `Inline policy ${n} saved.`;
      },
    });
    replace(editorSlot, h('h3', { text: policyName ? `Edit inline policy ${policyName}` : 'Add inline policy' }), editor);
    editor.querySelector('input, textarea').focus();
  };

  const reload = () => load(body, async () => {
    const names = await allPages(`List${kind}Policies`, param, 'PolicyNames');
    return table({
      caption: 'Inline policies',
      empty: 'No inline policies.',
      rows: names,
      columns: [
        { label: 'Policy name', rowHeader: true, cell: (n) => n },
        {
          label: 'Actions', cell: (n) => actions(
            button('Edit', async () => {
              try {
                const r = await iam(`Get${kind}Policy`, { ...param, PolicyName: n });
                openEditor(n, decodeDocument(r.PolicyDocument));
              } catch (err) {
                replace(errors, errorBox(err));
              }
            }),
            button('Delete', () => rowAction({
              question: `Delete inline policy ${n}?`, verb: 'Delete',
              run: () => iam(`Delete${kind}Policy`, { ...param, PolicyName: n }),
              done: `Inline policy ${n} deleted.`, reload, errors,
            }), { kind: 'danger' }),
          ),
        },
      ],
    });
  });
  reload();
  return section('Inline policies', errors, body, actions(button('Add inline policy', () => openEditor())), editorSlot);
}
