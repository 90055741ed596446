// policies.js: the managed policy pages. #/policies: ListPolicies
// (Scope=Local, or All with "Show AWS managed policies"), paged, and
// "Create policy" with the editor. #/policies/ARN: the policy, its versions
// (ListPolicyVersions, GetPolicyVersion, "Set as default", "Delete", a new
// version from the editor), its attachments (ListEntitiesForPolicy) and
// "Delete policy".

import { iam, list, allPages, decodeDocument } from './api.js';
import { h, add, section, table, load, button, field, input, replace, when, kv, link, badge, actions, pager, errorBox } from './ui.js';
import { policyEditor, pretty } from './editor.js';
import { policyLink, rowAction, deleteControl } from './entity.js';
import { PAGE_SIZE, userHash } from './users.js';

const isAwsManaged = (arn) => /^arn:[^:]+:iam::aws:policy\//.test(arn);

export function renderPolicies(page) {
  page.title('Policies');
  const showAws = input({ type: 'checkbox', name: 'ShowAWS' });
  const results = h('div');
  const p = pager(results, async (marker) => {
    const r = await iam('ListPolicies', { Scope: showAws.checked ? 'All' : 'Local', MaxItems: PAGE_SIZE, Marker: marker });
    return { rows: list(r.Policies), next: r.IsTruncated === 'true' ? r.Marker : undefined };
  }, (rows) => table({
    caption: 'Policies',
    empty: 'No policies yet.',
    rows,
    columns: [
      { label: 'Policy name', rowHeader: true, cell: (x) => policyLink(x.PolicyName, x.Arn) },
      { label: 'Type', cell: (x) => (isAwsManaged(x.Arn) ? 'AWS managed' : 'Customer managed') },
      { label: 'Attachments', cell: (x) => x.AttachmentCount ?? '0' },
      { label: 'Description', cell: (x) => x.Description || '—' },
      { label: 'Updated', cell: (x) => when(x.UpdateDate || x.CreateDate) },
    ],
  }));
  showAws.addEventListener('change', p.reset);

  const nameInput = input({ name: 'PolicyName', required: true });
  const descInput = input({ name: 'Description' });
  const pathInput = input({ name: 'Path'});
  const editor = policyEditor({
    fields: [h('div', { class: 'row' }, field('Policy name', nameInput), field('Path', pathInput, 'Optional, e.g. /engineering/')),
      field('Description', descInput)],
    onSave: async (doc) => {
      const r = await iam('CreatePolicy', {
        PolicyName: nameInput.value.trim(), Path: pathInput.value.trim() || undefined,
        Description: descInput.value.trim() || undefined, PolicyDocument: doc,
      });
      location.hash = `#/policies/${encodeURIComponent(r.Policy.Arn)}`;
      return `Policy ${r.Policy.PolicyName} created.`;
    },
  });

  add(page.body,
    section('Policy list', h('div', { class: 'toolbar' }, field('Show AWS managed policies', showAws)), results),
    section('Create policy', editor),
  );
  p.show();
}

export function renderPolicy(page, arn) {
  const aws = isAwsManaged(arn);
  page.title(arn.replace(/^.*\//, ''), aws ? 'AWS managed policy' : 'Customer managed policy');
  const summary = h('div');
  const versions = h('div');
  const viewer = h('div');
  const errors = h('div', { class: 'form-errors' });
  const editorSlot = h('div');

  const loadSummary = () => load(summary, async () => {
    const x = (await iam('GetPolicy', { PolicyArn: arn })).Policy;
    return kv([
      ['ARN', h('code', { text: x.Arn })],
      ['Policy ID', h('code', { text: x.PolicyId })],
      ['Type', aws ? 'AWS managed' : 'Customer managed'],
      ['Description', x.Description || '—'],
      ['Default version', x.DefaultVersionId],
      ['Attachments', x.AttachmentCount ?? '0'],
      ['Created', when(x.CreateDate)],
      ['Updated', when(x.UpdateDate)],
    ]);
  });

  const show = async (v) => {
    try {
      const pv = (await iam('GetPolicyVersion', { PolicyArn: arn, VersionId: v.VersionId })).PolicyVersion;
      replace(viewer, h('h3', { text: `Version ${pv.VersionId}${pv.IsDefaultVersion === 'true' ? ' (default)' : ''}` }),
        h('pre', { class: 'code', tabindex: '0', text: pretty(decodeDocument(pv.Document ?? '')) }));
    } catch (err) {
      replace(viewer, errorBox(err));
    }
  };

  const loadVersions = () => load(versions, async () => {
    const rows = await allPages('ListPolicyVersions', { PolicyArn: arn }, 'Versions');
    const def = rows.find((v) => v.IsDefaultVersion === 'true');
    if (def && !aws) openEditor(def);
    return table({
      caption: 'Policy versions',
      empty: 'No versions.',
      rows,
      columns: [
        { label: 'Version', rowHeader: true, cell: (v) => [v.VersionId, v.IsDefaultVersion === 'true' ? [' ', badge('Default', 'ok')] : null] },
        { label: 'Created', cell: (v) => when(v.CreateDate) },
        {
          label: 'Actions', cell: (v) => actions(
            button('View', () => show(v)),
            aws || v.IsDefaultVersion === 'true' ? null : button('Set as default', () => rowAction({
              run: () => iam('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: v.VersionId }),
              done: `Version ${v.VersionId} is now the default.`, reload, errors,
            })),
            aws || v.IsDefaultVersion === 'true' ? null : button('Delete', () => rowAction({
              question: `Delete version ${v.VersionId}?`, verb: 'Delete',
              run: () => iam('DeletePolicyVersion', { PolicyArn: arn, VersionId: v.VersionId }),
              done: `Version ${v.VersionId} deleted.`, reload, errors,
            }), { kind: 'danger' }),
          ),
        },
      ],
    });
  });

  const reload = () => {
    loadSummary();
    loadVersions();
  };

  // The editor for a new version starts from the default version's text.
  let editorFrom = null;
  function openEditor(def) {
    if (editorFrom === def.VersionId) return;
    editorFrom = def.VersionId;
    const setDefault = input({ type: 'checkbox', name: 'SetAsDefault', checked: true });
    iam('GetPolicyVersion', { PolicyArn: arn, VersionId: def.VersionId }).then((r) => {
      replace(editorSlot, policyEditor({
        value: decodeDocument(r.PolicyVersion.Document),
        fields: [],
        extra: [field('Set as default', setDefault)],
        onSave: async (doc) => {
          const nv = await iam('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc, SetAsDefault: setDefault.checked });
          editorFrom = null;
          reload();
          return `Version ${nv.PolicyVersion?.VersionId} created.`;
        },
      }));
    }, (err) => replace(editorSlot, errorBox(err)));
  }

  const attachments = h('div');
  load(attachments, async () => {
    const rows = [];
    let marker;
    do {
      const r = await iam('ListEntitiesForPolicy', { PolicyArn: arn, Marker: marker });
      rows.push(...list(r.PolicyUsers).map((u) => ({ type: 'User', name: u.UserName, hash: userHash(u.UserName) })));
      rows.push(...list(r.PolicyGroups).map((g) => ({ type: 'Group', name: g.GroupName, hash: `#/groups/${encodeURIComponent(g.GroupName)}` })));
      rows.push(...list(r.PolicyRoles).map((x) => ({ type: 'Role', name: x.RoleName })));
      marker = r.IsTruncated === 'true' ? r.Marker : undefined;
    } while (marker);
    return table({
      caption: 'Attached to',
      empty: 'Not attached to any user, group or role.',
      rows,
      columns: [
        { label: 'Name', rowHeader: true, cell: (e) => (e.hash ? link(e.name, e.hash) : e.name) },
        { label: 'Type', cell: (e) => e.type },
      ],
    });
  });

  add(page.body,
    section('Summary', summary, aws ? null : deleteControl({
      text: 'Delete policy', question: `Delete policy ${arn}?`,
      detail: 'It is detached from every user, group and role first, and its other versions are deleted.',
      run: () => deletePolicy(arn), done: 'Policy deleted.', next: '#/policies',
    })),
    section('Versions', errors, versions, viewer),
    aws ? null : section('Create a new version', editorSlot),
    section('Attachments', attachments),
  );
  reload();
}

/**
 * deletePolicy deletes a managed policy as the AWS console does: detached
 * from its users, groups and roles, its non-default versions deleted, then
 * the policy (IAM refuses DeletePolicy before: DeleteConflict).
 */
async function deletePolicy(arn) {
  let marker;
  do {
    const r = await iam('ListEntitiesForPolicy', { PolicyArn: arn, Marker: marker });
    for (const u of list(r.PolicyUsers)) await iam('DetachUserPolicy', { PolicyArn: arn, UserName: u.UserName });
    for (const g of list(r.PolicyGroups)) await iam('DetachGroupPolicy', { PolicyArn: arn, GroupName: g.GroupName });
    for (const x of list(r.PolicyRoles)) await iam('DetachRolePolicy', { PolicyArn: arn, RoleName: x.RoleName });
    marker = r.IsTruncated === 'true' ? r.Marker : undefined;
  } while (marker);
  for (const v of await allPages('ListPolicyVersions', { PolicyArn: arn }, 'Versions')) {
    if (v.IsDefaultVersion !== 'true') await iam('DeletePolicyVersion', { PolicyArn: arn, VersionId: v.VersionId });
  }
  await iam('DeletePolicy', { PolicyArn: arn });
}
