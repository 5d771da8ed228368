// The audit console's page. Everything it shows comes from the console process (/api/...), which
// signs each read to the node with the auditor's key. Text from the log (which partners and
// officers wrote) only ever goes into the page as text nodes, never as markup.
'use strict';

const main = () => document.getElementById('main');
const KINDS = ['check-document', 'screen-person', 'screen-manifest', 'get-record', 'list-movements', 'health-record',
               'justice-record', 'aggregate-statistics', 'audit-read'];
const ROLES = ['border', 'immigration', 'enforcement', 'liaison', 'health', 'justice', 'auditor'];
const DECISIONS = ['permitted', 'refused', 'invalid'];
const COLOURS = { permitted: '#2f7d4f', refused: '#c2571a', invalid: '#8a8f96', firewall: '#b3122e' };

// --- small helpers ------------------------------------------------------------------------------

// el('a', {href: '#x', class: 'y'}, 'text', child...): an element with attributes and children;
// strings become text nodes.
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}
function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function show(...children) {
  const m = main();
  m.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  m.focus();
}
function errorBox(error) { return el('p', { class: 'error', role: 'alert' }, String(error.message || error)); }

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options || {}));
  const type = response.headers.get('content-type') || '';
  const body = type.startsWith('application/json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + response.status + ': ' + body);
  return body;
}

function utcInput(value) { return value ? value.replace(/(T\d\d:\d\d)$/, '$1:00') + 'Z' : ''; }
function inputOfUtc(value) { return value ? value.replace(/:\d\dZ$/, '').replace(/Z$/, '') : ''; }
function isoDay(date) { return date.toISOString().slice(0, 10); }
function utcNow() { return new Date(Math.floor(Date.now() / 1000) * 1000); }
function stamp(date) { return date.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

function decisionCell(decision) { return el('td', { class: 'decision-' + decision }, decision); }
function isFirewall(row) {
  return row.decision === 'refused' && (/firewall/.test(row.reason || '') || /^database refused/.test(row.reason || ''));
}
function entryLink(seq) { return el('a', { href: '#entry/' + seq }, '#' + seq); }

function hashParameters() {
  const hash = location.hash.slice(1);
  const question = hash.indexOf('?');
  return { page: question < 0 ? hash : hash.slice(0, question),
           params: new URLSearchParams(question < 0 ? '' : hash.slice(question + 1)) };
}

// --- search -------------------------------------------------------------------------------------

const FILTERS = [
  ['member', 'Member (requester)'], ['officer', 'Officer pseudonym'], ['role', 'Role', ROLES],
  ['purpose', 'Purpose'], ['case', 'Case reference'], ['record', 'Record reference'],
  ['kind', 'Query kind', KINDS], ['decision', 'Decision', DECISIONS], ['digest', 'Request digest'],
  ['from', 'From (UTC)', 'time'], ['to', 'To (UTC)', 'time'],
];

function searchForm(params, onSubmit) {
  const fields = FILTERS.map(([name, label, kind]) => {
    let input;
    if (Array.isArray(kind)) {
      input = el('select', { name }, el('option', { value: '' }, 'any'),
                 kind.map((v) => el('option', { value: v, selected: params.get(name) === v }, v)));
    } else if (kind === 'time') {
      input = el('input', { name, type: 'datetime-local', value: inputOfUtc(params.get(name) || '') });
    } else {
      input = el('input', { name, type: 'text', maxlength: 256, value: params.get(name) || '', autocomplete: 'off' });
    }
    return el('label', {}, label, input);
  });
  const limit = el('select', { name: 'limit' }, ['25', '50', '100', '500'].map(
    (v) => el('option', { value: v, selected: (params.get('limit') || '50') === v }, v)));
  const order = el('select', { name: 'order' }, [['newest', 'newest first'], ['oldest', 'oldest first']].map(
    ([v, label]) => el('option', { value: v, selected: (params.get('order') || 'newest') === v }, label)));
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search the audit log' },
                  fields, el('label', {}, 'Order', order), el('label', {}, 'Entries per page', limit),
                  el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'search-button' }, 'Search'),
                     el('button', { type: 'button', class: 'secondary', id: 'export-csv',
                                    onclick: () => exportSearch(form, 'csv') }, 'Export CSV'),
                     el('button', { type: 'button', class: 'secondary', id: 'export-json',
                                    onclick: () => exportSearch(form, 'json') }, 'Export JSON'),
                     el('span', { id: 'export-status', class: 'muted', 'aria-live': 'polite' })));
  form.addEventListener('submit', (event) => { event.preventDefault(); onSubmit(filterQuery(form)); });
  return form;
}

// The form's filters as the auditor API's search parameters.
function filterQuery(form, withLimit = true) {
  const query = new URLSearchParams();
  for (const element of form.elements) {
    if (!element.name || !element.value) continue;
    if (element.name === 'limit' && !withLimit) continue;
    query.set(element.name, element.type === 'datetime-local' ? utcInput(element.value) : element.value);
  }
  return query;
}

async function exportSearch(form, format) {
  const status = document.getElementById('export-status');
  status.textContent = 'Exporting…';
  try {
    const query = filterQuery(form, false);
    query.set('format', format);
    const response = await fetch('/api/export?' + query.toString(), { credentials: 'same-origin' });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || 'HTTP ' + response.status);
    }
    const blob = await response.blob();
    const name = (/filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '') || [])[1] ||
                 'liaison-audit.' + format;
    const link = el('a', { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    const truncated = response.headers.get('liaison-export-truncated-after');
    status.textContent = 'Exported ' + name + (truncated ? ' (the first entries only: narrow the search for the rest)' : '');
  } catch (error) {
    status.textContent = 'Export failed: ' + error.message;
  }
}

async function searchPage(params) {
  const results = el('div', { id: 'results', 'aria-live': 'polite' });
  const run = (query) => { location.hash = 'search?' + query.toString(); };
  show(el('h2', {}, 'Search the audit log'), searchForm(params, run), results);
  const query = new URLSearchParams(params);
  query.delete('_back');  // the page's own memory of earlier pages
  if (!query.has('limit')) query.set('limit', '50');
  if (!query.has('order')) query.set('order', 'newest');
  try {
    const page = await api('/api/search?' + query.toString());
    results.replaceChildren(resultsTable(page, params));
  } catch (error) {
    results.replaceChildren(errorBox(error));
  }
}

function resultsTable(page, params) {
  const rows = page.entries.map((e) => el('tr', { class: isFirewall(e) ? 'firewall' : null },
    el('td', {}, entryLink(e.seq)), el('td', {}, e.recorded_at), el('td', {}, e.requester),
    el('td', {}, e.officer_pseudonym), el('td', {}, e.role || ''), el('td', {}, e.query_kind || ''),
    decisionCell(e.decision),
    el('td', { class: 'reason' }, isFirewall(e) ? [el('span', { class: 'firewall-flag' }, 'firewall'), ' '] : null, e.reason),
    el('td', { class: 'num' }, e.record_refs.length)));
  const previous = params.getAll('_back');
  const nav = el('div', { class: 'actions' });
  if (previous.length > 0) {
    const back = new URLSearchParams(params);
    back.delete('_back');
    previous.slice(0, -1).forEach((p) => back.append('_back', p));
    const target = previous[previous.length - 1];
    if (target === '-') back.delete('after');
    else back.set('after', target);
    nav.append(el('a', { href: '#search?' + back.toString(), id: 'previous-page' }, '← Previous page'));
  }
  if (page.next_after !== undefined) {
    const next = new URLSearchParams(params);
    next.append('_back', params.get('after') || '-');
    next.set('after', page.next_after);
    nav.append(el('a', { href: '#search?' + next.toString(), id: 'next-page' }, 'Next page →'));
  }
  return el('div', {},
    el('p', { class: 'muted' }, page.entries.length + ' entr' + (page.entries.length === 1 ? 'y' : 'ies') +
       ' on this page' + (page.next_after !== undefined ? '; more follow' : '')),
    el('table', { id: 'results-table' },
       el('thead', {}, el('tr', {}, ['Entry', 'Recorded', 'Member', 'Officer', 'Role', 'Kind', 'Decision', 'Reason', 'Records']
         .map((h) => el('th', { scope: 'col', class: h === 'Records' ? 'num' : null }, h)))),
       el('tbody', {}, rows)),
    nav);
}

// --- one entry and its proof --------------------------------------------------------------------

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
function fromHex(text) {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; ++i) bytes[i] = parseInt(text.substr(2 * i, 2), 16);
  return bytes;
}
function toHex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''); }
async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { joined.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

// RFC 9162 section 2.1.3.2: the root that `path` leads to from leaf `index` of a tree of `size`
// leaves, or null when the path does not fit the tree.
async function rootFromInclusionPath(index, size, leafHash, path) {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  const node = new Uint8Array([1]);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(node, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await sha256(node, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

async function checkInclusion(data) {
  const bytes = fromBase64(data.entry.entry);
  const leaf = await sha256(new Uint8Array([0]), bytes);
  const lines = [];
  lines.push(['Leaf hash, computed here from the entry\'s bytes', toHex(leaf)]);
  lines.push(['Leaf hash the node gave', data.entry.leaf_hash]);
  if (!data.proof) {
    return { verdict: 'pending', text: 'This entry is newer than the latest signed head (' + data.head.tree_size +
             ' entries): it will be provable once the node signs the next head.', lines };
  }
  const path = data.proof.audit_path.map(fromHex);
  const root = await rootFromInclusionPath(data.entry.leaf_index, data.head.tree_size, leaf, path);
  lines.push(['Audit path', path.length + ' hash(es)']);
  lines.push(['Root computed here from the leaf and the path', root ? toHex(root) : 'the path does not fit the tree']);
  lines.push(['Root of the signed head', data.head.root_hash]);
  const ok = root !== null && toHex(root) === data.head.root_hash && toHex(leaf) === data.entry.leaf_hash;
  return {
    verdict: ok ? 'ok' : 'bad',
    text: ok ? 'INCLUDED: this entry is leaf ' + data.entry.leaf_index + ' of the signed head of ' +
               data.head.tree_size + ' entries, checked in this page.'
             : 'NOT PROVEN: the entry, its path and the signed head do not agree.',
    lines,
  };
}

// An entry's fields in the order an auditor reads them: when, who, why, what, the outcome.
const FIELD_ORDER = ['recorded_at', 'requester', 'officer_pseudonym', 'role', 'signer', 'purpose', 'case_reference',
                     'query_kind', 'decision', 'reason', 'record_refs', 'partner', 'on_behalf_of', 'query_digest',
                     'response_digest', 'remote_address', 'peer_pin', 'claimed_requester', 'claimed_officer',
                     'claimed_role', 'repeat_count', 'local_user', 'command', 'manifest_digest', 'travellers'];

async function entryPage(seq) {
  show(el('h2', {}, 'Entry #' + seq), el('p', { class: 'loading' }, 'Reading the entry, the signed head and the proof…'));
  let data;
  try {
    data = await api('/api/entry?seq=' + encodeURIComponent(seq));
  } catch (error) {
    show(el('h2', {}, 'Entry #' + seq), errorBox(error));
    return;
  }
  const check = await checkInclusion(data);
  const fields = data.entry.fields || {};
  const rank = (name) => { const i = FIELD_ORDER.indexOf(name); return i < 0 ? FIELD_ORDER.length : i; };
  const rows = Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([name, value]) => el('tr', {}, el('th', { scope: 'row' }, name),
    el('td', {}, Array.isArray(value) ? value.join('\n') : value === null ? '' : String(value))));
  const digest = fields.query_digest;
  show(
    el('h2', {}, 'Entry #' + seq),
    el('div', { id: 'proof-verdict', class: 'verdict ' + check.verdict, 'data-verdict': check.verdict, role: 'status' }, check.text),
    el('table', { class: 'fields', id: 'proof-table' }, el('tbody', {},
      check.lines.map(([label, value]) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', { class: 'hash' }, value))),
      el('tr', {}, el('th', { scope: 'row' }, 'Signed head'), el('td', { class: 'hash' },
        data.head.tree_size + ' entries, log ' + data.head.log_id + ', signed ' + data.head.timestamp + '; ' + data.head.signature)))),
    el('h3', {}, 'Fields'),
    fields.decision === undefined ? el('p', { class: 'muted' }, 'The entry\'s bytes do not decode with today\'s limits; its bytes are below.') : null,
    el('table', { class: 'fields', id: 'entry-fields' }, el('tbody', {}, rows)),
    digest ? el('p', {}, el('a', { href: '#search?digest=' + digest }, 'Every entry of this request (both nodes\' sides)')) : null,
    el('h3', {}, 'Entry bytes (base64), what the leaf hashes'),
    el('pre', {}, data.entry.entry),
    el('p', {}, el('a', { href: '#entry/' + (Number(seq) + 1) }, 'Next entry →'),
       Number(seq) > 0 ? ['  ', el('a', { href: '#entry/' + (Number(seq) - 1) }, '← Previous entry')] : null));
}

// --- charts and alerts --------------------------------------------------------------------------

function rangeForm(params, page) {
  const to = params.get('to') || stamp(new Date(Date.UTC(utcNow().getUTCFullYear(), utcNow().getUTCMonth(), utcNow().getUTCDate() + 1)));
  const from = params.get('from') || stamp(new Date(Date.parse(to) - 30 * 86400000));
  const form = el('form', { class: 'filters', 'aria-label': 'Range and thresholds' },
    el('label', {}, 'From (UTC)', el('input', { name: 'from', type: 'datetime-local', value: inputOfUtc(from) })),
    el('label', {}, 'To (UTC)', el('input', { name: 'to', type: 'datetime-local', value: inputOfUtc(to) })),
    el('label', {}, 'Refusal window (seconds)', el('input', { name: 'window', type: 'number', min: 60, max: 604800,
                                                             value: params.get('window') || 3600 })),
    el('label', {}, 'Refusals per window that alert', el('input', { name: 'refusals', type: 'number', min: 1,
                                                                    value: params.get('refusals') || 20 })),
    el('label', {}, 'Screenings of one record that alert', el('input', { name: 'screenings', type: 'number', min: 2,
                                                                         value: params.get('screenings') || 5 })),
    el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'range-button' }, 'Show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = page + '?' + filterQuery(form).toString();
  });
  const query = new URLSearchParams({ from, to, window: params.get('window') || 3600,
                                      refusals: params.get('refusals') || 20, screenings: params.get('screenings') || 5 });
  return { form, query };
}

// Shows the range form of `page` and reads the overview it asks for: {holder, o}, o null on failure
// (the holder then says why).
async function overviewPage(params, page, title, loading) {
  const { form, query } = rangeForm(params, page);
  const holder = el('div', { id: page }, el('p', { class: 'loading' }, loading));
  show(el('h2', {}, title), form, holder);
  try {
    return { holder, o: await api('/api/overview?' + query.toString()) };
  } catch (error) {
    holder.replaceChildren(errorBox(error));
    return { holder, o: null };
  }
}

function legend(items) {
  return el('div', { class: 'legend' }, items.map(([label, colour]) => {
    const span = el('span', {}, label);
    span.style.setProperty('--swatch', colour);
    return span;
  }));
}

// Vertical stacked bars: one per category, segments in `series` order.
function stackedBars(categories, series, valueOf, label) {
  const width = Math.max(480, categories.length * 26 + 60);
  const height = 220;
  const top = 10;
  const bottom = 40;
  const left = 44;
  const max = Math.max(1, ...categories.map((c) => series.reduce((n, s) => n + valueOf(c, s[0]), 0)));
  const scale = (height - top - bottom) / max;
  const bar = Math.min(22, (width - left - 10) / Math.max(1, categories.length) - 4);
  const chart = svg('svg', { class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label });
  chart.append(svg('line', { x1: left, y1: height - bottom, x2: width - 5, y2: height - bottom, stroke: '#aab2bc' }));
  chart.append(svg('text', { x: left - 6, y: top + 8, 'text-anchor': 'end' }, max));
  chart.append(svg('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end' }, 0));
  categories.forEach((category, i) => {
    const x = left + 4 + i * (bar + 4);
    let y = height - bottom;
    for (const [name, colour] of series) {
      const value = valueOf(category, name);
      if (!value) continue;
      const h = value * scale;
      y -= h;
      chart.append(svg('rect', { x, y, width: bar, height: Math.max(h, 1), fill: colour },
                       svg('title', {}, category + ': ' + value + ' ' + name)));
    }
    if (categories.length <= 31 || i % Math.ceil(categories.length / 31) === 0) {
      chart.append(svg('text', { x: x + bar / 2, y: height - bottom + 12, 'text-anchor': 'end',
                                 transform: 'rotate(-45 ' + (x + bar / 2) + ' ' + (height - bottom + 12) + ')' },
                       category.length > 10 ? category.slice(5) : category));
    }
  });
  return chart;
}

// Horizontal bars: one row per item, segments in `series` order.
function horizontalBars(items, series, nameOf, valueOf, label) {
  const rowHeight = 22;
  const left = 190;
  const width = 620;
  const height = Math.max(1, items.length) * rowHeight + 10;
  const max = Math.max(1, ...items.map((item) => series.reduce((n, s) => n + valueOf(item, s[0]), 0)));
  const scale = (width - left - 60) / max;
  const chart = svg('svg', { class: 'chart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label });
  items.forEach((item, i) => {
    const y = 5 + i * rowHeight;
    const name = nameOf(item);
    chart.append(svg('text', { x: left - 6, y: y + 14, 'text-anchor': 'end' }, name.length > 30 ? name.slice(0, 29) + '…' : name));
    let x = left;
    let total = 0;
    for (const [s, colour] of series) {
      const value = valueOf(item, s);
      if (!value) continue;
      total += value;
      chart.append(svg('rect', { x, y: y + 3, width: Math.max(value * scale, 1), height: rowHeight - 6, fill: colour },
                       svg('title', {}, name + ': ' + value + ' ' + s)));
      x += value * scale;
    }
    chart.append(svg('text', { x: x + 4, y: y + 14 }, total));
  });
  return chart;
}

function asTable(headings, rows) {
  return el('details', {}, el('summary', {}, 'As a table'),
    el('table', {}, el('thead', {}, el('tr', {}, headings.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
       el('tbody', {}, rows.map((r) => el('tr', {}, r.map((v, i) => el('td', { class: i ? 'num' : null }, v)))))));
}

// Requests split into permitted, refused other than by a firewall, refused by a firewall, invalid.
const SPLIT = [['permitted', COLOURS.permitted], ['refused', COLOURS.refused], ['firewall', COLOURS.firewall],
               ['invalid', COLOURS.invalid]];
function splitOf(requests, refused, firewall, invalid) {
  return { permitted: requests - refused, refused: refused - invalid - firewall, firewall, invalid };
}

async function chartsPage(params) {
  const { holder, o } = await overviewPage(params, 'charts', 'Requests and refusals', 'Summing up the log…');
  if (!o) return;
  const days = [];
  for (let d = new Date(o.from.slice(0, 10) + 'T00:00:00Z'); stamp(d) < o.to; d = new Date(d.getTime() + 86400000)) {
    days.push(isoDay(d));
  }
  const perDay = {};
  const perKind = {};
  for (const row of o.per_day) {
    const day = perDay[row.day] || (perDay[row.day] = { permitted: 0, refused: 0, firewall: 0, invalid: 0 });
    const kind = perKind[row.kind || '(none)'] || (perKind[row.kind || '(none)'] = { permitted: 0, refused: 0, firewall: 0, invalid: 0 });
    for (const bucket of [day, kind]) {
      if (row.decision === 'refused') {
        bucket.firewall += row.firewall;
        bucket.refused += row.requests - row.firewall;
      } else {
        bucket[row.decision] += row.requests;
      }
    }
  }
  const dayValue = (day, s) => (perDay[day] || {})[s] || 0;
  const kinds = Object.keys(perKind).sort((a, b) => sumOf(perKind[b]) - sumOf(perKind[a]));
  const members = o.per_member.slice(0, 25);
  const officers = o.per_officer.slice(0, 25);
  const memberSplit = (m) => splitOf(m.requests, m.refused, m.firewall, 0);
  holder.replaceChildren(
    el('p', {}, o.total.requests + ' requests from ' + o.from + ' to ' + o.to + ': ' + o.total.refused +
       ' refused or invalid, of which ', el('strong', { id: 'firewall-total' }, o.total.firewall + ' by a firewall'), '.'),
    legend(SPLIT.map(([s, c]) => [s === 'firewall' ? 'refused by a firewall' : s, c])),
    el('div', { class: 'charts' },
      el('figure', { id: 'chart-per-day' }, el('figcaption', {}, 'Requests per day'),
         stackedBars(days, SPLIT, dayValue, 'Requests per day by decision'),
         asTable(['Day', 'Permitted', 'Refused', 'Firewall', 'Invalid'],
                 days.filter((d) => perDay[d]).map((d) => [d, ...SPLIT.map(([s]) => dayValue(d, s))]))),
      el('figure', { id: 'chart-per-kind' }, el('figcaption', {}, 'Requests per query kind'),
         horizontalBars(kinds, SPLIT, (k) => k, (k, s) => perKind[k][s], 'Requests per query kind by decision'),
         asTable(['Kind', 'Permitted', 'Refused', 'Firewall', 'Invalid'], kinds.map((k) => [k, ...SPLIT.map(([s]) => perKind[k][s])]))),
      el('figure', { id: 'chart-per-member' }, el('figcaption', {}, 'Requests per member (own officers and partners)'),
         horizontalBars(members, SPLIT, (m) => m.member || '(no verified requester)', (m, s) => memberSplit(m)[s],
                        'Requests per member by decision'),
         asTable(['Member', 'Requests', 'Refused', 'Firewall'], members.map((m) => [m.member || '(none)', m.requests, m.refused, m.firewall]))),
      el('figure', { id: 'chart-per-officer' }, el('figcaption', {}, 'Requests per officer'),
         horizontalBars(officers, SPLIT, (m) => m.officer + ' (' + m.member + ', ' + m.role + ')',
                        (m, s) => memberSplit(m)[s], 'Requests per officer by decision'),
         asTable(['Officer', 'Requests', 'Refused', 'Firewall'],
                 officers.map((m) => [m.officer + ' (' + m.member + ')', m.requests, m.refused, m.firewall])))));
}
function sumOf(split) { return split.permitted + split.refused + split.firewall + split.invalid; }

const ALERT_TITLES = {
  firewall: 'Requests refused by a firewall',
  refusals: 'Refusals above the threshold within the window',
  probing: 'Screenings that kept hitting one record (possible probing with name variants)',
};

async function alertsPage(params) {
  const { holder, o } = await overviewPage(params, 'alerts', 'Alerts', 'Looking for alerts…');
  if (!o) return;
  if (o.alerts.length === 0) {
    holder.replaceChildren(el('p', { id: 'no-alerts' }, 'No alerts from ' + o.from + ' to ' + o.to + '.'));
    return;
  }
  const sections = ['firewall', 'refusals', 'probing'].map((kind) => {
    const alerts = o.alerts.filter((a) => a.kind === kind);
    if (alerts.length === 0) return null;
    return el('section', { 'aria-label': ALERT_TITLES[kind] }, el('h3', {}, ALERT_TITLES[kind] + ' (' + alerts.length + ')'),
      alerts.map((a) => {
        const who = a.officer ? 'Officer ' + a.officer + ' of ' + (a.member || '?')
                  : a.member ? 'Member ' + a.member : 'Unauthenticated source ' + (a.source || '?');
        const search = new URLSearchParams();
        if (a.member) search.set('member', a.member);
        if (a.officer) search.set('officer', a.officer);
        if (a.record) search.set('record', a.record);
        search.set('from', a.first);
        search.set('to', stamp(new Date(Date.parse(a.last) + 1000)));
        return el('article', { class: 'alert ' + kind, 'data-kind': kind },
          el('h3', {}, who), el('p', {}, a.detail + ', ' + a.first + ' to ' + a.last + (a.record ? '; record ' + a.record : '')),
          el('p', {}, 'Entries behind it' + (a.seqs.length < a.count ? ' (the first ' + a.seqs.length + ')' : '') + ':'),
          el('ul', {}, a.seqs.map((s) => el('li', {}, entryLink(s)))),
          el('p', {}, el('a', { href: '#search?' + search.toString() }, 'Search these entries')));
      }));
  });
  holder.replaceChildren(...sections.filter(Boolean));
}

// --- the log's state ------------------------------------------------------------------------------

let statePoll = null;

async function statePage() {
  show(el('h2', {}, 'The log\'s state'), el('p', { class: 'loading' }, 'Reading the latest signed head…'));
  let s;
  try {
    s = await api('/api/state');
  } catch (error) {
    show(el('h2', {}, 'The log\'s state'), errorBox(error));
    return;
  }
  const rows = (pairs) => el('table', { class: 'fields' }, el('tbody', {}, pairs.map(([k, v]) =>
    el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v)))));
  const head = s.head ? rows([['Log', s.head.log_id], ['Entries (tree size)', String(s.head.tree_size)],
                              ['Root hash', s.head.root_hash], ['Signed at', s.head.timestamp],
                              ['Kept heads of this node', s.kept_heads ? s.kept_heads.count + (s.kept_heads.folder ? ' in ' + s.kept_heads.folder
                                                              : ', in memory only (no state folder: start with --state DIR)') : '']])
                      : el('p', { class: 'verdict bad', id: 'head-error' }, (s.fork ? 'FORK: ' : '') + s.head_error);
  const partners = (s.partner_heads || []).map((f) => el('tr', {},
    el('td', {}, f.folder), el('td', { class: 'num' }, f.heads),
    el('td', {}, f.largest ? f.largest.tree_size + ' entries, signed ' + f.largest.timestamp : 'none the latest head covers'),
    el('td', { class: f.consistent === false ? 'decision-refused' : 'decision-permitted' },
       f.largest ? (f.consistent ? 'consistent with the latest head' : 'FORK: ' + f.finding) : ''),
    el('td', {}, (f.problems || []).join('; '))));
  const verification = s.verification || {};
  const last = verification.last;
  const before = s.last_verified ? 'Last verified from this auditor\'s state folder at ' + s.last_verified.at + ' (' +
                                   s.last_verified.entries + ' entries).' : 'Never verified from this auditor\'s state folder.';
  const verifyText = verification.running ? 'A verification is running…'
    : !last ? 'Not verified since this console started. ' + before
    : last.error ? 'Last verification (' + last.finished + ') could not be made: ' + last.error
    : (last.verified ? 'VERIFIED' : 'FAILED') + ' at ' + last.finished + ': ' + last.entries + ' entries rehashed into the root of the head of ' +
      last.tree_size + ' entries, ' + last.heads_checked + ' earlier heads checked' +
      (last.problem_count ? '; ' + last.problem_count + ' problem(s), first bad index ' + last.first_bad_index : '');
  const button = el('button', { type: 'button', id: 'verify-button', disabled: verification.running,
                                onclick: async () => {
                                  button.disabled = true;
                                  try { await api('/api/verify', { method: 'POST' }); } catch (error) { alert(error.message); }
                                  statePage();
                                } }, 'Verify the whole log now');
  show(
    el('h2', {}, 'The log\'s state'),
    el('h3', {}, 'Latest signed head'), head,
    el('h3', {}, 'Verification'),
    el('p', { id: 'verification', class: 'verdict ' + (!last || verification.running ? 'pending' : last.verified ? 'ok' : 'bad') }, verifyText),
    button,
    el('h3', {}, 'Partners\' kept heads'),
    partners.length ? el('table', { id: 'partner-heads' }, el('thead', {}, el('tr', {}, ['Folder', 'Heads', 'Largest covered', 'Check', 'Problems']
      .map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, partners))
      : el('p', { class: 'muted' }, 'No folders of partners\' heads were given (start the console with --heads DIR,DIR).'),
    el('h3', {}, 'Fork evidence'),
    (s.fork_evidence || []).length ? s.fork_evidence.map((e) => [el('p', {}, e.file), el('pre', {}, e.text)])
      : el('p', { id: 'no-fork' }, 'None: no head this node gave contradicted an earlier one.'));
  clearTimeout(statePoll);
  if (verification.running) statePoll = setTimeout(() => { if (hashParameters().page === 'state') statePage(); }, 1500);
}

// --- routing ------------------------------------------------------------------------------------

async function route() {
  const { page, params } = hashParameters();
  const name = page.startsWith('entry/') ? 'search' : page || 'search';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (page.startsWith('entry/')) return entryPage(page.slice(6));
  if (page === 'charts') return chartsPage(params);
  if (page === 'alerts') return alertsPage(params);
  if (page === 'state') return statePage();
  return searchPage(params);
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', async () => {
  route();
  try {
    const s = await api('/api/whoami');
    document.getElementById('who').textContent = 'Auditor ' + s.auditor.pseudonym + ' of ' + s.auditor.member + ' at ' + s.node;
  } catch (error) {
    document.getElementById('who').textContent = '';
  }
});
