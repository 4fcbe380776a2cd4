// Page weight and time to interactive on a simulated 4G network (issue 12): loads the corp
// sign-in page and a product's device table in headless Chromium with the network throttled
// through the DevTools protocol, and reports the bytes on the wire and the time until the page
// has hydrated (`body[data-hydrated]`). `--identity` asks for uncompressed answers, which is how
// the server answered before assets were compressed.
//
//   BASE=http://127.0.0.1:3000 BIN=target/release/backoffice DATABASE_URL=sqlite:… node end2end/weight.mjs [--identity]
//
// `scripts/weight` starts a release server on a fresh database and runs this both ways.
import { createCorp, v2 } from './fixtures.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const BASE = process.env.BASE || 'http://127.0.0.1:3000';
const BIN = process.env.BIN || 'target/release/backoffice';
const identity = process.argv.includes('--identity');
const RUNS = Number(process.env.WEIGHT_RUNS || 3);
// Chrome DevTools' "Fast 4G" preset: 9 Mbit/s down, 1.5 Mbit/s up, 60 ms latency.
const FOUR_G = { offline: false, latency: 60, downloadThroughput: (9 * 1024 * 1024) / 8, uploadThroughput: (1.5 * 1024 * 1024) / 8 };

async function setUp() {
  const corp = await createCorp(BASE, BIN, 'weight', '132');
  const product = (await v2(BASE, 'POST', '/v2/product', { name: 'Purifier', link_type: 1 }, corp.token)).id;
  const macs = Array.from({ length: 2000 }, (_, i) => (0xB00000000000 + i).toString(16).toUpperCase());
  await v2(BASE, 'POST', `/v2/product/${product}/device_batch`, macs, corp.token);
  return { corp, product };
}

/** One cold load (empty cache): bytes received and milliseconds until hydrated. */
async function measure(browser, url, signIn) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (signIn) await signIn(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (identity) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  await cdp.send('Network.emulateNetworkConditions', FOUR_G);
  // Every WASM file the page fetches counts: with the split build, the shared part and the
  // chunks of the route's pages.
  let bytes = 0;
  const wasm = { ids: new Set(), wire: 0, files: 0 };
  cdp.on('Network.responseReceived', (e) => { if (e.response.url.endsWith('.wasm')) wasm.ids.add(e.requestId); });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    if (wasm.ids.has(e.requestId)) { wasm.wire += e.encodedDataLength; wasm.files += 1; }
  });
  // A panic during hydration (a mismatch) never marks the page: say so instead of timing out mutely.
  page.on('pageerror', (e) => console.error(`weight: page error on ${url}: ${e.message.slice(0, 200)}`));
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120_000 });
  const ms = Date.now() - started;
  await context.close();
  return { ms, bytes, wasm: wasm.wire, files: wasm.files };
}

async function main() {
  const { corp, product } = await setUp();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const signIn = async (page) => {
    await page.goto(`${BASE}/corp/login`);
    await page.waitForSelector('body[data-hydrated="true"]');
    await page.fill('input[name=account]', corp.email);
    await page.fill('input[name=password]', corp.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${BASE}/corp`);
  };
  // The first route of each portal, and the corp's heaviest page.
  const pages = [
    ['home', `${BASE}/`, null],
    ['corp sign-in', `${BASE}/corp/login`, null],
    ['dealer sign-in', `${BASE}/dealer/login`, null],
    ['key-account sign-in', `${BASE}/heavy_buyer/login`, null],
    ['device table', `${BASE}/corp/products/${product}`, signIn],
  ];
  console.log(`weight: simulated 4G (9 Mbit/s, 60 ms), ${identity ? 'uncompressed answers' : 'compressed answers'}, ${RUNS} cold loads each`);
  for (const [name, url, login] of pages) {
    const results = [];
    for (let i = 0; i < RUNS; i += 1) results.push(await measure(browser, url, login));
    results.sort((a, b) => a.ms - b.ms);
    const mid = results[results.length >> 1];
    console.log(`  ${name.padEnd(20)} interactive after ${mid.ms} ms (median), ${(mid.bytes / 1024).toFixed(0)} KB on the wire, of which WASM ${(mid.wasm / 1024).toFixed(0)} KB in ${mid.files} file(s)`);
  }
  await browser.close();
}

main().catch((e) => { console.error(`weight: ${e.message}`); process.exit(1); });
