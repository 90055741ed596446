// report.js: the credential report (#/credential-report):
// GenerateCredentialReport, polled until COMPLETE, then GetCredentialReport
// (Content: base64 CSV) shown as a table, with "Download CSV" (a Blob URL
// with the download attribute, revoked after the click).

import { iam } from './api.js';
import { h, add, section, table, load, button, when, actions, announce } from './ui.js';

const POLL_MS = 1000;
const POLL_LIMIT = 30;

/** parseCsv reads RFC 4180 CSV: quoted fields, "" inside quotes, CRLF or LF. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

function decodeBase64(b64) {
  const bin = atob(b64.replace(/\s+/g, ''));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

async function generate() {
  for (let i = 0; i < POLL_LIMIT; i++) {
    const r = await iam('GenerateCredentialReport');
    if (r.State === 'COMPLETE') return;
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
  throw { code: 'Timeout', message: 'The credential report was not complete after 30 seconds.' };
}

function download(csv) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  const a = h('a', { href: url, download: 'credential-report.csv', class: 'visually-hidden', text: 'credential-report.csv' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  announce('Credential report downloaded.');
}

export function renderReport(page) {
  page.title('Credential report');
  const body = h('div');
  const show = () => load(body, async () => {
    await generate();
    const r = await iam('GetCredentialReport');
    const csv = decodeBase64(r.Content ?? '');
    const [header = [], ...rows] = parseCsv(csv);
    return [
      h('p', { class: 'muted' }, 'Generated ', when(r.GeneratedTime), '. IAM makes a new report at most every four hours.'),
      actions(button('Download CSV', () => download(csv), { kind: 'primary' })),
      table({
        caption: 'Credential report',
        empty: 'The report has no rows.',
        rows,
        columns: header.map((name, i) => ({ label: name, rowHeader: i === 0, cell: (row) => row[i] ?? '' })),
      }),
    ];
  });
  add(page.body, section('Report', body));
  show();
}
