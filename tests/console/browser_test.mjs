// Drives Debian's Chromium (headless) through the auditor's console as an auditor would: signs in
// with the printed address, searches, opens an entry and sees its proof verified in the page, looks
// at the charts and the alerts, exports CSV, verifies the log; and checks that hostile text from
// the log stays text. Saves a screenshot of each page. Run by tests/audit_console_pgtest.cc:
//   node browser_test.mjs CONSOLE_LOGIN_URL SCREENSHOT_DIR EXPECTATIONS_JSON
// EXPECTATIONS_JSON: {"firewallOfficer": "...", "hostilePurpose": "...", "alertRange": "from=..&to=..&..."}
// Exits 0 when every check held; otherwise prints what did not and exits 1.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const [loginUrl, shots, expectationsText] = process.argv.slice(2);
if (!loginUrl || !shots || !expectationsText) {
  console.error('usage: node browser_test.mjs CONSOLE_LOGIN_URL SCREENSHOT_DIR EXPECTATIONS_JSON');
  process.exit(2);
}
const expect = JSON.parse(expectationsText);
const origin = new URL(loginUrl).origin;
fs.mkdirSync(shots, { recursive: true });

function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  console.log('ok: ' + what);
}

const executablePath = process.env.LIAISON_CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // Chromium's sandbox needs user namespaces, which a container running as root rarely grants.
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
let page;
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('dialog', (dialog) => { pageErrors.push('dialog: ' + dialog.message()); dialog.dismiss(); });

  // Without the secret the console shows nothing.
  const refused = await page.goto(origin + '/');
  check(refused.status() === 403, 'the page without the secret is refused (403)');
  const wrong = await page.goto(origin + '/login?key=' + '0'.repeat(64));
  check(wrong.status() === 403, 'a login address with another secret is refused (403)');

  // Sign in: the printed address sets the cookie and goes on to the search page.
  await page.goto(loginUrl);
  check(new URL(page.url()).pathname === '/' && !page.url().includes('key='), 'the login goes on to the page and drops the secret from the address bar');
  await page.waitForSelector('#results-table');
  await page.screenshot({ path: path.join(shots, '1-search.png'), fullPage: true });

  // Search from the keyboard: officer, decision, Enter.
  await page.fill('input[name=officer]', expect.firewallOfficer);
  await page.selectOption('select[name=decision]', 'refused');
  await page.focus('input[name=officer]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('officer='));
  await page.waitForSelector('#results-table tbody tr');
  const officers = await page.$$eval('#results-table tbody tr td:nth-child(4)', (cells) => cells.map((c) => c.textContent));
  check(officers.length > 0 && officers.every((o) => o === expect.firewallOfficer), 'the search shows only that officer\'s refusals (' + officers.length + ')');
  check(await page.$('#results-table tbody tr.firewall .firewall-flag') !== null, 'firewall refusals are highlighted in the results');
  await page.screenshot({ path: path.join(shots, '2-search-results.png'), fullPage: true });

  // Export the search as CSV.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csvPath = path.join(shots, 'export.csv');
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath, 'utf8');
  const lines = csv.trim().split('\r\n');
  check(lines[0].startsWith('seq,recorded_at,requester,officer_pseudonym'), 'the CSV export has its header row');
  check(lines.length - 1 === officers.length && lines.slice(1).every((l) => l.includes(',' + expect.firewallOfficer + ',')),
        'the CSV export holds the ' + officers.length + ' entries of the search');

  // Open the first entry with the keyboard and see its proof checked in the page.
  await page.focus('#results-table tbody tr a');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#proof-verdict');
  const verdict = await page.$eval('#proof-verdict', (e) => ({ verdict: e.dataset.verdict, text: e.textContent }));
  check(verdict.verdict === 'ok' && verdict.text.startsWith('INCLUDED'), 'the entry\'s inclusion proof is verified in the page: ' + verdict.text);
  const fields = await page.$eval('#entry-fields', (t) => t.textContent);
  check(fields.includes(expect.firewallOfficer) && fields.includes('refused'), 'the entry shows its fields');
  await page.screenshot({ path: path.join(shots, '3-entry.png'), fullPage: true });

  // Hostile text written into the log by a requester stays text.
  await page.goto(origin + '/#search?purpose=' + encodeURIComponent(expect.hostilePurpose));
  await page.waitForSelector('#results-table tbody tr');
  await page.click('#results-table tbody tr a');
  await page.waitForSelector('#entry-fields');
  const shown = await page.$eval('#entry-fields', (t) => t.textContent);
  check(shown.includes(expect.hostilePurpose), 'markup in a logged purpose is shown as text');
  check(await page.evaluate(() => window.__consolePwned === undefined) && await page.$('#entry-fields img') === null,
        'markup in a logged purpose does not run');

  // Charts.
  await page.click('nav a[data-page=charts]');
  await page.waitForSelector('#chart-per-day svg rect');
  const firewallTotal = await page.$eval('#firewall-total', (e) => e.textContent);
  check(/^[1-9]\d* by a firewall$/.test(firewallTotal), 'the charts count the firewall refusals: ' + firewallTotal);
  check(await page.$(`#chart-per-day svg rect[fill="#b3122e"]`) !== null, 'the per-day chart highlights firewall refusals');
  check(await page.$('#chart-per-member svg rect') !== null && await page.$('#chart-per-officer svg rect') !== null,
        'per-member and per-officer charts are drawn');
  await page.screenshot({ path: path.join(shots, '4-charts.png'), fullPage: true });

  // Alerts, with the thresholds the test's traffic crosses.
  await page.goto(origin + '/#alerts?' + expect.alertRange);
  await page.waitForSelector('article.alert');
  const kinds = await page.$$eval('article.alert', (list) => list.map((a) => a.dataset.kind));
  for (const kind of ['firewall', 'refusals', 'probing']) check(kinds.includes(kind), 'an alert of kind ' + kind + ' is listed');
  const firewallAlert = await page.$eval('article.alert[data-kind=firewall]', (a) => a.textContent);
  check(firewallAlert.includes(expect.firewallOfficer), 'the firewall alert names the officer');
  check(await page.$('article.alert[data-kind=probing] a[href^="#entry/"]') !== null, 'the probing alert lists the entries behind it');
  await page.screenshot({ path: path.join(shots, '5-alerts.png'), fullPage: true });

  // The log's state, and a verification of the whole log from the page.
  await page.click('nav a[data-page=state]');
  await page.waitForSelector('#verify-button');
  check((await page.$eval('#no-fork', (e) => e.textContent)).startsWith('None'), 'no fork evidence is shown');
  await page.click('#verify-button');
  await page.waitForFunction(() => {
    const v = document.getElementById('verification');
    return v && /^(VERIFIED|FAILED|Last verification)/.test(v.textContent);
  }, null, { timeout: 60000 });
  const verification = await page.$eval('#verification', (e) => e.textContent);
  check(verification.startsWith('VERIFIED'), 'the whole log verifies from the page: ' + verification);
  await page.screenshot({ path: path.join(shots, '6-state.png'), fullPage: true });

  check(pageErrors.length === 0, 'the page raised no error: ' + pageErrors.join('; '));
} catch (error) {
  failed = true;
  console.error(String(error && error.stack ? error.stack : error));
  if (page) await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
