// Lighthouse scores (issue 12): performance and accessibility of the corp sign-in page, the
// device table (signed in) and the home page, with Lighthouse's default mobile emulation and
// throttling, in the machine's Chromium. `scripts/lighthouse` installs lighthouse@12.2.3 (the
// last line that runs on Node 20) and starts a release server for it.
//
//   LIGHTHOUSE_DIR=… BASE=… BIN=… node end2end/lighthouse.mjs
import { createRequire } from 'node:module';
import { createCorp, v2 } from './fixtures.mjs';

const BASE = process.env.BASE || 'http://127.0.0.1:3000';
const BIN = process.env.BIN || 'target/release/backoffice';
const from = createRequire(`${process.env.LIGHTHOUSE_DIR}/`);
const lighthouse = (await import(from.resolve('lighthouse'))).default;
const chromeLauncher = await import(from.resolve('chrome-launcher'));

/** Signs the admin in through the portal's own server function; answers the session cookie. */
async function sessionCookie(corp) {
  const res = await fetch(`${BASE}/fn/corp_login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE, Accept: 'application/json' },
    body: new URLSearchParams({ account: corp.email, password: corp.password }),
  });
  const cookie = (res.headers.getSetCookie?.() || []).find((c) => c.startsWith('backoffice_session='));
  if (!cookie) throw new Error(`sign-in answered ${res.status} without a session`);
  return cookie.split(';')[0];
}

const corp = await createCorp(BASE, BIN, 'lh', '131');
const product = (await v2(BASE, 'POST', '/v2/product', { name: 'Purifier', link_type: 1 }, corp.token)).id;
const macs = Array.from({ length: 500 }, (_, i) => (0xC00000000000 + i).toString(16).toUpperCase());
await v2(BASE, 'POST', `/v2/product/${product}/device_batch`, macs, corp.token);
const cookie = await sessionCookie(corp);

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const pages = [
  ['home', `${BASE}/`, null],
  ['corp sign-in', `${BASE}/corp/login`, null],
  ['device table', `${BASE}/corp/products/${product}`, cookie],
];
let worst = 100;
try {
  for (const [name, url, withCookie] of pages) {
    const flags = {
      port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility'],
      extraHeaders: withCookie ? { Cookie: withCookie } : undefined,
    };
    const { lhr } = await lighthouse(url, flags);
    const score = (c) => Math.round((lhr.categories[c].score || 0) * 100);
    const audits = lhr.audits;
    const failing = Object.values(audits)
      .filter((a) => a.score !== null && a.score < 0.9 && lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id))
      .map((a) => a.id);
    console.log(`  ${name.padEnd(14)} performance ${score('performance')}, accessibility ${score('accessibility')}` +
      ` (FCP ${audits['first-contentful-paint'].displayValue}, LCP ${audits['largest-contentful-paint'].displayValue},` +
      ` TBT ${audits['total-blocking-time'].displayValue}, TTI ${audits.interactive.displayValue})` +
      (failing.length ? `; accessibility to fix: ${failing.join(', ')}` : ''));
    worst = Math.min(worst, score('performance'), score('accessibility'));
  }
} finally {
  await chrome.kill();
}
console.log(`lighthouse: lowest score ${worst}`);
