// users.js: the Users pages. #/users: ListUsers paged (MaxItems, Marker)
// with a name search that reads further pages as needed, and "Create
// user". #/users/NAME: the user's summary, groups, policies, console
// password, access keys, and "Delete user".

import { iam, list, allPages } from './api.js';
import { h, add, section, table, load, button, field, input, form, replace, when, kv, link, pager } from './ui.js';
import { attachedPolicies, inlinePolicies, rowAction, deleteControl, deletePrincipal } from './entity.js';
import { keysSection } from './keys.js';

export const PAGE_SIZE = 20;

export const userHash = (name) => `#/users/${encodeURIComponent(name)}`;

/**
 * usersPage fetches one page of users: without a search, one ListUsers
 * call; with one, ListUsers pages until PAGE_SIZE names match or the list
 * ends.
 */
async function usersPage(marker, search) {
  const needle = search.toLowerCase();
  const rows = [];
  let next = marker;
  do {
    const r = await iam('ListUsers', { MaxItems: PAGE_SIZE, Marker: next });
    rows.push(...list(r.Users).filter((u) => u.UserName.toLowerCase().includes(needle)));
    next = r.IsTruncated === 'true' ? r.Marker : undefined;
  } while (needle && next && rows.length < PAGE_SIZE);
  return { rows, next };
}

export function renderUsers(page) {
  page.title('Users');
  const searchInput = input({ type: 'search', name: 'search' });
  const results = h('div');
  const p = pager(results, (marker) => usersPage(marker, searchInput.value.trim()), (rows) => table({
    caption: 'Users',
    empty: searchInput.value.trim() ? 'No users match the search.' : 'No users yet.',
    rows,
    columns: [
      { label: 'User name', rowHeader: true, cell: (u) => link(u.UserName, userHash(u.UserName)) },
      { label: 'Path', cell: (u) => u.Path },
      { label: 'ARN', cell: (u) => h('code', { text: u.Arn }) },
      { label: 'Created', cell: (u) => when(u.CreateDate) },
      { label: 'Password last used', cell: (u) => (u.PasswordLastUsed ? when(u.PasswordLastUsed) : 'Never') },
    ],
  }));
  let timer = 0;
  searchInput.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(p.reset, 300);
  });
  searchInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer);
      p.reset();
    }
  });

  const nameInput = input({ name: 'UserName', required: true });
  const pathInput = input({ name: 'Path'});
  const create = form({
    children: [h('div', { class: 'row' }, field('User name', nameInput), field('Path', pathInput, 'Optional, e.g. /engineering/'))],
    submit: 'Create user',
    onSubmit: async () => {
      const r = await iam('CreateUser', { UserName: nameInput.value.trim(), Path: pathInput.value.trim() || undefined });
      nameInput.value = '';
      pathInput.value = '';
      p.reset();
      return `User ${r.User?.UserName} created.`;
    },
  });

  add(page.body,
    section('Create user', create),
    section('User list', h('div', { class: 'toolbar' }, field('Search users', searchInput)), results),
  );
  p.show();
}

export function renderUser(page, name) {
  page.title(name, 'IAM user');
  const summary = h('div');
  load(summary, async () => {
    const u = (await iam('GetUser', { UserName: name })).User;
    return kv([
      ['ARN', h('code', { text: u.Arn })],
      ['User ID', h('code', { text: u.UserId })],
      ['Path', u.Path],
      ['Created', when(u.CreateDate)],
      ['Password last used', u.PasswordLastUsed ? when(u.PasswordLastUsed) : 'Never'],
    ]);
  });
  const del = deleteControl({
    text: 'Delete user', question: `Delete user ${name}?`,
    detail: 'Its access keys, console password and inline policies are deleted too, its managed policies detached and its group memberships removed.',
    run: () => deletePrincipal('User', name), done: `User ${name} deleted.`, next: '#/users',
  });

  add(page.body,
    section('Summary', summary, del),
    groupsOfUser(name),
    attachedPolicies('User', name),
    inlinePolicies('User', name),
    passwordSection(name),
    keysSection(name),
  );
}

/** groupsOfUser is the user's groups: ListGroupsForUser, "Add to group", "Remove". */
function groupsOfUser(name) {
  const body = h('div');
  const errors = h('div', { class: 'form-errors' });
  const select = h('select', { name: 'GroupName', required: true });
  const reload = () => {
    load(body, async () => {
      const groups = await allPages('ListGroupsForUser', { UserName: name }, 'Groups');
      return table({
        caption: 'Groups',
        empty: 'No groups.',
        rows: groups,
        columns: [
          { label: 'Group name', rowHeader: true, cell: (g) => link(g.GroupName, `#/groups/${encodeURIComponent(g.GroupName)}`) },
          { label: 'ARN', cell: (g) => h('code', { text: g.Arn }) },
          {
            label: 'Actions', cell: (g) => button('Remove', () => rowAction({
              question: `Remove ${name} from group ${g.GroupName}?`, verb: 'Remove',
              run: () => iam('RemoveUserFromGroup', { UserName: name, GroupName: g.GroupName }),
              done: `Removed from group ${g.GroupName}.`, reload, errors,
            })),
          },
        ],
      });
    });
    allPages('ListGroups', {}, 'Groups').then((groups) => {
      replace(select, groups.length > 0 ? groups.map((g) => h('option', { value: g.GroupName, text: g.GroupName }))
        : h('option', { value: '', text: 'No groups in the account' }));
    }, (err) => replace(select, h('option', { value: '', text: `Groups unavailable (${err.code})` })));
  };
  const addForm = form({
    children: [field('Group', select)],
    submit: 'Add to group',
    onSubmit: async () => {
      if (!select.value) throw { code: 'ValidationError', message: 'Choose a group (create one on the Groups page).' };
      await iam('AddUserToGroup', { UserName: name, GroupName: select.value });
      reload();
      return `Added to group ${select.value}.`;
    },
  });
  reload();
  return section('Groups', errors, body, addForm);
}

/** passwordSection is the user's console password: GetLoginProfile, "Set password", "Remove password". */
function passwordSection(name) {
  const state = h('div');
  const errors = h('div', { class: 'form-errors' });
  let exists = false;
  const removeBtn = button('Remove password', () => rowAction({
    question: `Remove the console password of ${name}?`, verb: 'Remove',
    run: () => iam('DeleteLoginProfile', { UserName: name }),
    done: 'Console password removed.', reload, errors,
  }), { kind: 'danger', hidden: true });
  function reload() {
    load(state, async () => {
      try {
        const lp = (await iam('GetLoginProfile', { UserName: name })).LoginProfile;
        exists = true;
        removeBtn.hidden = false;
        return kv([
          ['Console password', 'Enabled'],
          ['Created', when(lp.CreateDate)],
          ['Reset required at next sign-in', lp.PasswordResetRequired === 'true' ? 'Yes' : 'No'],
        ]);
      } catch (err) {
        if (err.code !== 'NoSuchEntity') throw err;
        exists = false;
        removeBtn.hidden = true;
        return h('p', { class: 'empty', text: 'No console password: the user cannot sign in to the console.' });
      }
    });
  }
  const password = input({ type: 'password', name: 'Password', autocomplete: 'new-password', required: true });
  const reset = input({ type: 'checkbox', name: 'PasswordResetRequired', checked: true });
  const set = form({
    children: [field('Password', password), field('Require password reset', reset)],
    submit: 'Set password',
    extra: [removeBtn],
    onSubmit: async () => {
      const params = { UserName: name, Password: password.value, PasswordResetRequired: reset.checked };
      await iam(exists ? 'UpdateLoginProfile' : 'CreateLoginProfile', params);
      password.value = '';
      reload();
      return 'Console password set.';
    },
  });
  reload();
  return section('Console password', state, errors, set);
}
