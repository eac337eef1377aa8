/**
 * GET /: one page for the risk team, built from the serving model's manifest: a labelled form
 * (a select per categorical feature, a number input per numeric one, the reference applicant
 * filled in), which posts to /predict and shows the probability, the decision, the reasons and
 * the model version. Everything is inline, so it works offline; the Content-Security-Policy
 * allows exactly the page's own script and style by hash.
 */
import { createHash } from 'node:crypto';
import type { LoadedModel } from '@peerloan/scoring';
import { describeRule, type FieldRule } from '@peerloan/contracts';

export interface WebPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function numberInput(rule: FieldRule, reference: unknown): string {
  const step = rule.integer ? '1' : 'any';
  // The manifest's references went through float32; six digits drop the noise (0.1138, not 0.11379999667).
  const value = typeof reference === 'number' ? String(Number(reference.toPrecision(6))) : '';
  const required = rule.nullable ? '' : ' required';
  return `<input type="number" id="f-${rule.name}" name="${rule.name}" min="${rule.min}" max="${rule.max}" step="${step}" value="${escapeHtml(value)}"${required}>`;
}

function selectInput(rule: FieldRule, reference: unknown): string {
  const options = (rule.categories ?? []).map((c) => {
    const selected = c === reference ? ' selected' : '';
    return `<option value="${escapeHtml(c)}"${selected}>${escapeHtml(c)}</option>`;
  });
  if (rule.nullable) options.unshift(`<option value=""${reference === null ? ' selected' : ''}>(not known)</option>`);
  return `<select id="f-${rule.name}" name="${rule.name}">${options.join('')}</select>`;
}

function field(rule: FieldRule, reference: unknown): string {
  const input = rule.kind === 'numeric' ? numberInput(rule, reference) : selectInput(rule, reference);
  return `<div class="field"><label for="f-${rule.name}">${escapeHtml(rule.name)}</label>${input}
<small>${escapeHtml(rule.description)} The value ${escapeHtml(describeRule(rule))}.</small></div>`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:960px;margin:0 auto;padding:24px;display:grid;grid-template-columns:1fr 320px;gap:24px}
h1{font-size:1.4rem;grid-column:1/-1;margin:0}
form,#result{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 3px #0002}
.field{display:grid;grid-template-columns:160px 1fr;gap:2px 12px;margin-bottom:10px}
.field small{grid-column:2;color:#5b6475;font-size:.75rem}
label{font-weight:600;align-self:center}
input,select{padding:6px;font-size:1rem;border:1px solid #b8bfcc;border-radius:4px}
button{padding:8px 20px;font-size:1rem;background:#2455c3;color:#fff;border:0;border-radius:4px;cursor:pointer}
#probability{font-size:2.2rem;font-weight:700}
.yes{color:#b3261e}.no{color:#1e7b34}
#error{color:#b3261e;white-space:pre-wrap}
`;

// Reads the form into the JSON /predict expects: numbers as numbers, an empty field as null.
// With authentication on, the credential field's API key (or a JWT) goes with each request; it is
// kept in sessionStorage, so it lasts for the tab, never on disk and never in the page's HTML.
const SCRIPT = `
const form = document.getElementById('applicant');
const credential = document.getElementById('credential');
credential.value = sessionStorage.getItem('loanrisk:credential') || '';
credential.addEventListener('input', () => sessionStorage.setItem('loanrisk:credential', credential.value.trim()));
const credentialHeaders = () => {
  const value = credential.value.trim();
  if (value === '') return {};
  return /^[\\w-]+\\.[\\w-]+\\.[\\w-]*$/.test(value) ? { authorization: 'Bearer ' + value } : { 'x-api-key': value };
};
const show = (id, text) => { document.getElementById(id).textContent = text; };
const shown = (v) => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : v === null ? 'not known' : v);
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    body[el.name] = el.value === '' ? null : (el.type === 'number' ? Number(el.value) : el.value);
  }
  show('error', '');
  try {
    const res = await fetch('predict', { method: 'POST', headers: { 'content-type': 'application/json', ...credentialHeaders() }, body: JSON.stringify(body) });
    const answer = await res.json();
    if (!res.ok) {
      show('error', answer.error + (answer.details || []).map((d) => '\\n' + d.field + ' ' + d.message).join(''));
      return;
    }
    show('probability', (answer.probability * 100).toFixed(2) + ' %');
    const decision = document.getElementById('decision');
    decision.textContent = answer.decision === 'yes' ? 'yes: likely to be late' : 'no: not likely to be late';
    decision.className = answer.decision;
    show('threshold', (answer.threshold * 100).toFixed(2) + ' %');
    show('model-version', answer.modelVersion);
    const list = document.getElementById('reasons');
    list.replaceChildren(...answer.reasons.map((r) => {
      const item = document.createElement('li');
      item.textContent = r.feature + ' = ' + shown(r.value) + ' (typical ' + shown(r.reference) + '): +' + (r.contribution * 100).toFixed(2) + ' points';
      return item;
    }));
    if (answer.reasons.length === 0) list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'nothing raises the risk above a typical applicant' }));
    document.getElementById('result').hidden = false;
  } catch (err) {
    show('error', 'the server did not answer: ' + err);
  }
});
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

export function renderWebPage(model: LoadedModel): WebPage {
  const references = new Map(model.manifest.features.map((f) => [f.name, f.reference]));
  const fields = model.validator.rules.map((rule) => field(rule, references.get(rule.name))).join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>PeerLoan loan risk</title><style>${STYLE}</style></head>
<body><main>
<h1>Will this loan be late next quarter?</h1>
<p><label for="credential">API key or token (when the server asks for one)</label>
<input type="password" id="credential" autocomplete="off" spellcheck="false"></p>
<form id="applicant">
${fields}
<button type="submit" id="submit">Score</button>
<p id="error" role="alert"></p>
</form>
<section id="result" hidden aria-live="polite">
<div>Probability of being 16-120 days late</div>
<div id="probability"></div>
<p>Decision: <strong id="decision"></strong> (threshold <span id="threshold"></span>)</p>
<p>What raises the risk most:</p><ol id="reasons"></ol>
<p><small>Model version <code id="model-version"></code></small></p>
</section>
</main><script>${SCRIPT}</script></body></html>`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
