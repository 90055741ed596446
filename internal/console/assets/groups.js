// groups.js: the Groups pages. #/groups: ListGroups, "Create group",
// "Delete". #/groups/NAME: members (GetGroup) with "Add user" / "Remove",
// attached and inline policies, "Delete group".

import { iam, list, allPages } from './api.js';
import { h, add, section, table, load, button, field, input, form, replace, when, kv, link, uid, note } from './ui.js';
import { attachedPolicies, inlinePolicies, rowAction, deleteControl, deletePrincipal } from './entity.js';
import { userHash } from './users.js';

const GROUP_DELETE_DETAIL = 'Its members are removed from it, its inline policies deleted and its managed policies detached.';

const groupHash = (name) => `#/groups/${encodeURIComponent(name)}`;

export function renderGroups(page) {
  page.title('Groups');
  const body = h('div');
  const errors = h('div', { class: 'form-errors' });
  const reload = () => load(body, async () => table({
    caption: 'Groups',
    empty: 'No groups.',
    rows: await allPages('ListGroups', {}, 'Groups'),
    columns: [
      { label: 'Group name', rowHeader: true, cell: (g) => link(g.GroupName, groupHash(g.GroupName)) },
      { label: 'Path', cell: (g) => g.Path },
      { label: 'ARN', cell: (g) => h('code', { text: g.Arn }) },
      { label: 'Created', cell: (g) => when(g.CreateDate) },
      {
        label: 'Actions', cell: (g) => button('Delete', () => rowAction({
          question: `Delete group ${g.GroupName}?`, verb: 'Delete', detail: GROUP_DELETE_DETAIL,
          run: () => deletePrincipal('Group', g.GroupName),
          done: `Group ${g.GroupName} deleted.`, reload, errors,
        }), { kind: 'danger' }),
      },
    ],
  }));
  const nameInput = input({ name: 'GroupName', required: true });
  const pathInput = input({ name: 'Path'});
  const create = form({
    children: [h('div', { class: 'row' }, field('Group name', nameInput), field('Path', pathInput, 'Optional, e.g. /engineering/'))],
    submit: 'Create group',
    onSubmit: async () => {
      const r = await iam('CreateGroup', { GroupName: nameInput.value.trim(), Path: pathInput.value.trim() || undefined });
      nameInput.value = '';
      pathInput.value = '';
      reload();
      return `Group ${r.Group?.GroupName} created.`;
    },
  });
  add(page.body, section('Create group', create), section('Group list', errors, body));
  reload();
}

export function renderGroup(page, name) {
  page.title(name, 'IAM group');
  const summary = h('div');
  const members = h('div');
  const errors = h('div', { class: 'form-errors' });
  const reload = () => load(members, async () => {
    const users = [];
    let group;
    let marker;
    do {
      const r = await iam('GetGroup', { GroupName: name, Marker: marker });
      group = r.Group;
      users.push(...list(r.Users));
      marker = r.IsTruncated === 'true' ? r.Marker : undefined;
    } while (marker);
    replace(summary, kv([
      ['ARN', h('code', { text: group.Arn })],
      ['Group ID', h('code', { text: group.GroupId })],
      ['Path', group.Path],
      ['Created', when(group.CreateDate)],
    ]));
    return table({
      caption: 'Members',
      empty: 'No users in this group.',
      rows: users,
      columns: [
        { label: 'User name', rowHeader: true, cell: (u) => link(u.UserName, userHash(u.UserName)) },
        { label: 'ARN', cell: (u) => h('code', { text: u.Arn }) },
        {
          label: 'Actions', cell: (u) => button('Remove', () => rowAction({
            question: `Remove ${u.UserName} from group ${name}?`, verb: 'Remove',
            run: () => iam('RemoveUserFromGroup', { GroupName: name, UserName: u.UserName }),
            done: `${u.UserName} removed from the group.`, reload, errors,
          })),
        },
      ],
    });
  });

  const userInput = input({ name: 'UserName', required: true, list: uid('dl') });
  const datalist = h('datalist', { id: userInput.getAttribute('list') });
  const suggestions = h('div');
  allPages('ListUsers', {}, 'Users').then((users) => {
    replace(datalist, users.map((u) => h('option', { value: u.UserName })));
  }, (err) => replace(suggestions, note('User name suggestions', err)));
  const addForm = form({
    children: [field('User name', userInput), datalist, suggestions],
    submit: 'Add user',
    onSubmit: async () => {
      await iam('AddUserToGroup', { GroupName: name, UserName: userInput.value.trim() });
      userInput.value = '';
      reload();
      return 'User added to the group.';
    },
  });

  const del = deleteControl({
    text: 'Delete group', question: `Delete group ${name}?`,
    detail: GROUP_DELETE_DETAIL,
    run: () => deletePrincipal('Group', name), done: `Group ${name} deleted.`, next: '#/groups',
  });

  add(page.body,
    section('Summary', summary, del),
    section('Members', errors, members, addForm),
    attachedPolicies('Group', name),
    inlinePolicies('Group', name),
  );
  reload();
}
