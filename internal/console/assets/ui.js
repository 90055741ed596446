// ui.js: building blocks of the pages, so each exists once: DOM
// construction (text always through textContent), the table renderer, the
// error renderer, loading states, forms that report their own errors, the
// confirmation dialog, dates and badges, and the aria-live status region.
// Nothing here calls the server.

let nextId = 0;

/** uid is a fresh element id. */
export function uid(prefix = 'c') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * h builds an element. props: class, text (textContent), for, on ({event:
 * fn}), and any other attribute (false/null/undefined left out, true as
 * ""). children: nodes, strings (text nodes), arrays, null (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

/** add appends children to el as h does: nodes, strings, arrays; null skipped. */
export function add(el, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** replace empties el and fills it with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  add(el, children);
  return el;
}

let announceTimer = 0;

/** announce puts a status message in the page's aria-live region. */
export function announce(message) {
  const region = document.getElementById('status');
  region.textContent = '';
  // A new text node after a tick makes screen readers read a repeat too;
  // the message then fades after a while (the toast is the region).
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    region.textContent = message;
    announceTimer = setTimeout(() => { region.textContent = ''; }, 5000);
  }, 50);
}


/** silence empties the status region (on sign-out: nothing carries over). */
export function silence() {
  clearTimeout(announceTimer);
  document.getElementById('status').textContent = '';
}

/**
 * errorBox renders a failed call: "Access denied" with the message for
 * AccessDenied, otherwise the AWS code and message, in role="alert".
 */
export function errorBox(err) {
  const code = err?.code || 'Error';
  const message = err?.message || String(err);
  if (code === 'AccessDenied' || code === 'AccessDeniedException') {
    return h('div', { class: 'alert alert-error', role: 'alert' },
      h('h3', { class: 'alert-title', text: 'Access denied' }),
      h('p', { text: `Access denied: ${message}` }));
  }
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', {}, h('strong', { class: 'code', text: code }), ' ', message),
    err?.requestId ? h('p', { class: 'muted', text: `Request ID: ${err.requestId}` }) : null);
}

/**
 * note words a failed auxiliary call (suggestions, a hint) quietly, with
 * its code and message but without role="alert": the page's alerts stay
 * for what the person asked for.
 */
export function note(what, err) {
  return h('p', { class: 'hint' }, `${what} unavailable: `, h('span', { class: 'code', text: err?.code || 'Error' }), ` ${err?.message || ''}`);
}

/** loading is the placeholder shown while a call runs. */
export function loading(what = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), what);
}

/**
 * load shows a loading state in container, runs fn (which returns nodes)
 * and puts its result there, or the error in its place.
 */
export async function load(container, fn) {
  container.setAttribute('aria-busy', 'true');
  replace(container, loading());
  try {
    replace(container, await fn());
  } catch (err) {
    replace(container, errorBox(err));
  } finally {
    container.removeAttribute('aria-busy');
  }
}

/**
 * table renders rows: columns [{label, cell(row) → node|string, rowHeader}]
 * with <th scope> and a caption, inside a container that scrolls
 * sideways on narrow screens; an empty list is the empty text instead.
 */
export function table({ caption, columns, rows, empty }) {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty });
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', text: c.label })));
  const body = rows.map((row) => h('tr', {}, columns.map((c) => {
    const v = c.cell(row);
    return h(c.rowHeader ? 'th' : 'td', c.rowHeader ? { scope: 'row' } : {}, v ?? '');
  })));
  // Focusable, so that a table wider than the window scrolls by keyboard.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${caption} table` },
    h('table', {}, h('caption', { class: 'visually-hidden', text: caption }),
      h('thead', {}, head), h('tbody', {}, body)));
}

/**
 * pager renders a paged list: fetchPage(marker) → {rows, next}; render(rows)
 * → node. It keeps the markers of the pages before, for "Previous page".
 */
export function pager(container, fetchPage, render) {
  const markers = [undefined];
  let index = 0;
  const show = () => load(container, async () => {
    const { rows, next } = await fetchPage(markers[index]);
    markers.length = index + 1;
    if (next) markers.push(next);
    const prev = button('Previous page', () => { index -= 1; show(); }, { disabled: index === 0 });
    const nextBtn = button('Next page', () => { index += 1; show(); }, { disabled: !next });
    return [render(rows), h('nav', { class: 'pager', 'aria-label': 'Pages' },
      prev, h('span', { class: 'muted', text: `Page ${index + 1}` }), nextBtn)];
  });
  return { show, reset: () => { markers.length = 1; index = 0; show(); } };
}

/**
 * section is a titled part of a page. Its <h2> is not tied to it by
 * aria-labelledby (nor are forms given an aria-label): getByLabel-style
 * lookups then find the controls' <label>s alone.
 */
export function section(title, ...children) {
  const id = uid('section');
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id, text: title }), children);
}

/** field is a labelled control; control gets an id if it has none. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: uid('hint'), text: hint });
    control.setAttribute('aria-describedby', hintEl.id);
  }
  const isCheck = control.type === 'checkbox';
  const labelEl = h('label', { for: control.id, text: label });
  return h('div', { class: isCheck ? 'field field-check' : 'field' },
    isCheck ? [control, labelEl] : [labelEl, control], hintEl);
}

/** input makes an <input> (type text unless told). */
export function input(props = {}) {
  return h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...props });
}

/** button makes a real <button>; kind is '', 'primary', 'danger' or 'link'. */
export function button(text, onClick, { kind = '', type = 'button', ...props } = {}) {
  return h('button', { type, class: kind ? `btn btn-${kind}` : 'btn', text, on: onClick ? { click: onClick } : undefined, ...props });
}

/**
 * form builds a form that submits through JS: Enter submits, the submit
 * button is disabled while onSubmit runs, and a failure is shown in the
 * form's own role="alert" area. onSubmit(form) may return a message to
 * announce.
 */
export function form({ children, submit, onSubmit, extra = [] }) {
  const errors = h('div', { class: 'form-errors' });
  const submitBtn = button(submit, null, { kind: 'primary', type: 'submit' });
  const el = h('form', { class: 'form', novalidate: true }, children,
    h('div', { class: 'actions' }, submitBtn, extra), errors);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submitBtn.disabled) return;
    replace(errors);
    submitBtn.disabled = true;
    try {
      const msg = await onSubmit(el);
      if (msg) announce(msg);
    } catch (err) {
      replace(errors, errorBox(err));
    } finally {
      submitBtn.disabled = false;
    }
  });
  /** showError puts err in the form's alert area; null clears it. */
  el.showError = (err) => (err ? replace(errors, errorBox(err)) : replace(errors));
  return el;
}

/**
 * confirm asks question in a modal <dialog> with "Cancel" (focused first)
 * and verb; Escape cancels. Resolves true when verb is chosen.
 */
export function confirm(question, verb, detail = '') {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const cancel = button('Cancel', () => dialog.close('cancel'));
    const ok = button(verb, () => dialog.close('ok'), { kind: 'danger' });
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, text: question }),
      detail ? h('p', { text: detail }) : null,
      h('div', { class: 'actions' }, cancel, ok));
    const opener = document.activeElement;
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** when renders an ISO timestamp as a <time>, "—" when absent. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const text = d.toISOString().replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC');
  return h('time', { datetime: d.toISOString(), text });
}

/** ageDays is the whole days since an ISO timestamp. */
export function ageDays(iso) {
  const ms = Date.now() - new Date(iso).getTime();
  return Number.isNaN(ms) ? '—' : String(Math.max(0, Math.floor(ms / 86400000)));
}

/** badge is a small status label; tone is ok, warn, danger or neutral. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}`, text });
}

/** link is an in-page hash link. */
export function link(text, hash) {
  return h('a', { href: hash, text });
}

/** kv renders a description list of [term, value] pairs. */
export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v ?? '—')]));
}

/** actions groups buttons in a row. */
export function actions(...buttons) {
  return h('div', { class: 'actions' }, buttons);
}
