// simulator.js: the policy simulator (#/simulator): SimulatePrincipalPolicy
// for a user, group or role ARN (the signed-in principal's by default),
// actions, resources and optional context keys. Each result shows the
// decision and the matched statements (SourcePolicyId, SourcePolicyType,
// positions) with the statement's text, cut from the matching policy's
// document at those positions when the caller may read it.

import { iam, list, allPages, decodeDocument } from './api.js';
import { identity } from './session.js';
import { pretty } from './editor.js';
import { h, add, section, table, field, form, replace, badge, loading } from './ui.js';

const DECISION_TONE = { allowed: 'ok', explicitDeny: 'danger', implicitDeny: 'warn' };

const CONTEXT_TYPES = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList',
  'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'];

/** splitList splits comma or newline separated text into its non-empty items. */
function splitList(text) {
  return text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

/**
 * parseContext reads one context key per line: "key=value", "key=v1,v2"
 * (a list), optionally prefixed by a type: "ip:aws:SourceIp=203.0.113.7".
 */
export function parseContext(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw { code: 'ValidationError', message: `Context key line "${line}" is not key=value.` };
    let name = line.slice(0, eq).trim();
    const values = line.slice(eq + 1).split(',').map((v) => v.trim());
    let type = values.length > 1 ? 'stringList' : 'string';
    const colon = name.indexOf(':');
    if (colon > 0 && CONTEXT_TYPES.includes(name.slice(0, colon))) {
      type = name.slice(0, colon);
      name = name.slice(colon + 1);
    }
    return { ContextKeyName: name, ContextKeyValues: values, ContextKeyType: type };
  });
}

/** principalOf splits an IAM ARN into its kind (user, group, role) and name. */
function principalOf(arn) {
  const m = /^arn:[^:]+:iam::\d*:(user|group|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? { kind: m[1], name: m[2] } : null;
}

/**
 * documentFinder returns find(type, id) → the text of the policy a matched
 * statement came from, looked up through the principal (its inline
 * policies, its groups', the managed policies attached to them).
 */
function documentFinder(arn) {
  const p = principalOf(arn);
  const cache = new Map();
  let groupsP = null;
  const groups = () => {
    groupsP ??= p?.kind === 'user'
      ? allPages('ListGroupsForUser', { UserName: p.name }, 'Groups').then((gs) => gs.map((g) => g.GroupName))
      : Promise.resolve(p?.kind === 'group' ? [p.name] : []);
    return groupsP;
  };
  const cap = (k) => k[0].toUpperCase() + k.slice(1);

  async function inlineGroupPolicy(policyName) {
    for (const g of await groups()) {
      const names = await allPages('ListGroupPolicies', { GroupName: g }, 'PolicyNames');
      if (names.includes(policyName)) return (await iam('GetGroupPolicy', { GroupName: g, PolicyName: policyName })).PolicyDocument;
    }
    throw { code: 'NotFound', message: `No group of ${arn} has an inline policy ${policyName}.` };
  }

  async function managedPolicy(policyName) {
    const owners = p.kind === 'group' ? [] : [[cap(p.kind), p.name]];
    for (const g of await groups()) owners.push(['Group', g]);
    for (const [kind, name] of owners) {
      const attached = await allPages(`ListAttached${kind}Policies`, { [`${kind}Name`]: name }, 'AttachedPolicies');
      const hit = attached.find((a) => a.PolicyName === policyName);
      if (hit) {
        const pol = (await iam('GetPolicy', { PolicyArn: hit.PolicyArn })).Policy;
        return (await iam('GetPolicyVersion', { PolicyArn: hit.PolicyArn, VersionId: pol.DefaultVersionId })).PolicyVersion.Document;
      }
    }
    throw { code: 'NotFound', message: `No policy named ${policyName} is attached to ${arn}.` };
  }

  async function fetchDoc(type, id) {
    if (!p) throw { code: 'NotAvailable', message: 'The principal is not a user, group or role.' };
    switch (type) {
      case 'user':
      case 'role':
        return (await iam(`Get${cap(type)}Policy`, { [`${cap(type)}Name`]: p.name, PolicyName: id })).PolicyDocument;
      case 'group':
        return inlineGroupPolicy(id);
      case 'user-managed':
      case 'aws-managed':
        return managedPolicy(id);
      default:
        throw { code: 'NotAvailable', message: `A ${type} policy has no document to show.` };
    }
  }

  return (type, id) => {
    const key = `${type}\n${id}`;
    if (!cache.has(key)) cache.set(key, fetchDoc(type, id).then(decodeDocument));
    return cache.get(key);
  };
}

/**
 * statementText cuts a statement out of a document. AWS's positions count
 * lines and columns from 1 and point just past each brace, so the
 * statement runs from Column-2 (the '{') to Column-1 (past the '}').
 */
export function statementText(doc, start, end) {
  const lines = doc.split(/\r\n|\r|\n/);
  const sl = Number(start.Line) - 1;
  const el = Number(end.Line) - 1;
  const sc = Number(start.Column) - 2;
  const ec = Number(end.Column) - 1;
  if (!(sl >= 0 && el >= sl && el < lines.length && sc >= 0)) return null;
  if (sl === el) return lines[sl].slice(sc, ec);
  return [lines[sl].slice(sc), ...lines.slice(sl + 1, el), lines[el].slice(0, ec)].join('\n');
}

function position(p) {
  return p ? `line ${p.Line}, column ${p.Column}` : '?';
}

function matched(statements, find) {
  if (statements.length === 0) return h('span', { class: 'muted', text: 'No statement matched.' });
  return h('ul', { class: 'statements' }, statements.map((s) => {
    const text = h('div', {}, loading('Loading the statement…'));
    find(s.SourcePolicyType, s.SourcePolicyId).then((doc) => {
      const st = statementText(doc, s.StartPosition ?? {}, s.EndPosition ?? {});
      replace(text, st === null ? h('p', { class: 'muted', text: 'The positions do not fit the policy document.' })
        : h('pre', { class: 'code', tabindex: '0', text: pretty(st) }));
    }, (err) => replace(text, h('p', { class: 'muted' }, 'Statement text not available: ', err.code || 'Error', ' — ', err.message || '')));
    return h('li', {},
      h('p', {}, h('strong', { text: s.SourcePolicyId || '(no id)' }), ` (${s.SourcePolicyType}), `,
        `from ${position(s.StartPosition)} to ${position(s.EndPosition)}`),
      text);
  }));
}

export function renderSimulator(page) {
  page.title('Policy simulator');
  const me = identity();
  // The signed-in principal's ARN, when it is one IAM simulates (not the root's).
  const principal = h('input', {
    type: 'text', name: 'PolicySourceArn', value: principalOf(me?.Arn ?? '') ? me.Arn : '', spellcheck: 'false', required: true,
    placeholder: 'arn:aws:iam::123456789012:user/alice',
  });
  const actionsInput = h('textarea', { name: 'ActionNames', rows: '3', spellcheck: 'false', placeholder: 's3:GetObject, iam:ListUsers' });
  const resources = h('textarea', { name: 'ResourceArns', rows: '2', spellcheck: 'false', value: '*' });
  const context = h('textarea', { name: 'ContextEntries', rows: '2', spellcheck: 'false', placeholder: 'aws:SourceIp=203.0.113.7' });
  const results = h('div');

  const run = form({
    children: [
      field('Principal ARN', principal, 'A user, group or role ARN.'),
      field('Actions', actionsInput, 'Comma or newline separated, e.g. s3:GetObject.'),
      field('Resource ARNs', resources, 'Comma or newline separated; * for any.'),
      field('Context keys', context, 'Optional, one per line: key=value, or key=v1,v2 for a list; a type may prefix the key, e.g. ip:aws:SourceIp=203.0.113.7.'),
    ],
    submit: 'Simulate',
    onSubmit: async () => {
      const arn = principal.value.trim();
      const params = {
        PolicySourceArn: arn,
        ActionNames: splitList(actionsInput.value),
        ResourceArns: splitList(resources.value),
        ContextEntries: parseContext(context.value),
      };
      if (params.ActionNames.length === 0) throw { code: 'ValidationError', message: 'Enter at least one action.' };
      if (params.ResourceArns.length === 0) delete params.ResourceArns;
      if (params.ContextEntries.length === 0) delete params.ContextEntries;
      replace(results, loading('Simulating…'));
      try {
        const rows = [];
        let marker;
        do {
          const r = await iam('SimulatePrincipalPolicy', { ...params, Marker: marker });
          rows.push(...list(r.EvaluationResults));
          marker = r.IsTruncated === 'true' ? r.Marker : undefined;
        } while (marker);
        const find = documentFinder(arn);
        replace(results, table({
          caption: 'Simulation results',
          empty: 'No results.',
          rows,
          columns: [
            { label: 'Action', rowHeader: true, cell: (x) => h('code', { text: x.EvalActionName }) },
            { label: 'Resource', cell: (x) => h('code', { text: x.EvalResourceName || '*' }) },
            { label: 'Decision', cell: (x) => badge(x.EvalDecision, DECISION_TONE[x.EvalDecision]) },
            { label: 'Matched statements', cell: (x) => matched(list(x.MatchedStatements), find) },
            { label: 'Missing context values', cell: (x) => list(x.MissingContextValues).join(', ') || '—' },
          ],
        }));
        return `Simulation done: ${rows.length} result(s).`;
      } catch (err) {
        replace(results);
        throw err;
      }
    },
  });
  add(page.body, section('Simulate', run), section('Results', results));
}
