// The soak test (issue 11): signed-in clients of every portal load every page, in parallel and
// repeatedly, against a running server; a page that does not answer within the timeout, a 5xx,
// a lost session or a refused connection fails the run. It caught a server-rendering deadlock
// that hung the whole server after 1 to 30 loads of a device page.
//
//   BASE=http://127.0.0.1:3000 BIN=target/debug/backoffice DATABASE_URL=sqlite:… node end2end/soak.mjs
//
// SOAK_LOADS (default 3000) page loads in all, SOAK_CONCURRENCY (8) at a time, each given
// SOAK_TIMEOUT_MS (20000). `scripts/soak` starts a server on a fresh database and runs this.
import { execFileSync } from 'node:child_process';
import { createCorp, v2 } from './fixtures.mjs';

const BASE = process.env.BASE || 'http://127.0.0.1:3000';
const BIN = process.env.BIN || 'target/debug/backoffice';
const LOADS = Number(process.env.SOAK_LOADS || 3000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY || 8);
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_MS || 20000);
const DEVICES = Number(process.env.SOAK_DEVICES || 2000);
// Where the portal's server functions are served.
const FNS = process.env.SOAK_FN_PREFIX || '/fn';

const run = Date.now().toString(36);

function fail(message) {
  console.error(`soak: FAILED: ${message}`);
  process.exit(1);
}

async function timed(url, init = {}) {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms (a hang)` : String(e.cause || e);
    throw new Error(`${init.method || 'GET'} ${url}: ${why}`);
  }
}

const call = (method, path, body, token) => v2(BASE, method, path, body, token, TIMEOUT_MS);

/** Signs in through a portal's server function, as its form does; answers the session cookie. */
async function signIn(fn, form) {
  const res = await timed(`${BASE}${FNS}/${fn}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE, Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const cookie = (res.headers.getSetCookie() || []).find((c) => c.startsWith('backoffice_session='));
  if (!cookie || res.status >= 400) fail(`sign-in through ${fn}: ${res.status} ${await res.text()}`);
  return cookie.split(';')[0];
}

/** The accounts and records every portal's pages need, made through the real API. */
async function setUp() {
  const corp = await createCorp(BASE, BIN, 'soak', '136');
  const { corpId, memberId, token: admin } = corp;

  const product = (await call('POST', '/v2/product', { name: 'Purifier', link_type: 1 }, admin)).id;
  await call('PUT', `/v2/product/${product}`, { is_release: true }, admin);
  const empty = (await call('POST', '/v2/product', { name: 'Empty', link_type: 1 }, admin)).id;
  const macs = Array.from({ length: DEVICES }, (_, i) => (0xA00000000000 + i).toString(16).toUpperCase());
  const devices = (await call('POST', `/v2/product/${product}/device_batch`, macs, admin)).devices.map((d) => d.id);

  const dealerPassword = 'Dealer-soak1';
  const dealer = await call('POST', '/v2/dealer', {
    name: 'Soak Dealer', email: `dealer-${run}@example.com`, phone: `135${String(Date.now() % 1e8).padStart(8, '0')}`,
    password: dealerPassword, address: 'Soak Road 1',
  }, admin);
  const sub = await call('POST', '/v2/dealer', {
    name: 'Soak Sub', email: `sub-${run}@example.com`, phone: `134${String(Date.now() % 1e8).padStart(8, '0')}`,
    password: dealerPassword, address: 'Soak Road 2', upper_dealer_code: dealer.dealer_code,
  }, admin);
  const buyerPassword = 'Buyer-soak1';
  const buyer = await call('POST', '/v2/heavy_buyer', {
    name: 'Soak Buyer', email: `buyer-${run}@example.com`, phone: `133${String(Date.now() % 1e8).padStart(8, '0')}`,
    password: buyerPassword, industry: 'Retail', location: 'Shanghai', contacter: 'Li Lei', contact_way: '021-5555-0101',
  }, admin);
  const byId = (ids) => ids.map((id) => ({ device_id: id }));
  await call('POST', `/v2/dealer/${dealer.id}/grant_device?product_id=${product}`, byId(devices.slice(0, 500)), admin);
  await call('POST', `/v2/dealer/${sub.id}/grant_device?product_id=${product}`, byId(devices.slice(0, 100)), admin);
  await call('POST', `/v2/heavy_buyer/${buyer.id}/grant_device?product_id=${product}`, byId(devices.slice(500, 1000)), admin);

  const buyerToken = (await call('POST', '/v2/heavy_buyer_auth', { corp_id: corpId, account: `buyer-${run}@example.com`, password: buyerPassword })).access_token;
  const branch = (await call('POST', `/v2/heavy_buyer/${buyer.id}/organization`, { name: 'Branch', parent: 0 }, buyerToken)).id;
  await call('POST', `/v2/heavy_buyer/${buyer.id}/organization`, { name: 'Desk', parent: branch }, buyerToken);
  const userPassword = 'Passw0rdSoak';
  const user = (await call('POST', `/v2/heavy_buyer/${buyer.id}/user`,
    { username: 'branch.admin', password: userPassword, organization: branch, role: 1 }, buyerToken)).id;
  await call('POST', `/v2/heavy_buyer/${buyer.id}/organization/${branch}/grant_device`, byId(devices.slice(500, 600)), buyerToken);

  const corpPages = [
    '/corp', '/corp/members', `/corp/members/${memberId}`, '/corp/roles', '/corp/account', '/corp/audit', '/corp/dealers',
    `/corp/dealers/${dealer.id}`, '/corp/heavy_buyers', `/corp/heavy_buyers/${buyer.id}`, '/corp/products',
    `/corp/products/${product}`, `/corp/products/${empty}`, `/corp/products/${product}/devices/${devices[0]}`,
    '/corp/users', '/corp/settings', '/corp/mall', '/corp/orders', '/corp/payments', '/corp/commission',
    '/corp/tickets', '/corp/engineers', '/corp/service',
  ];
  // The Devices pages name their product in the address (without one they send the browser to
  // the first product: a redirect, not a page).
  const dealerPages = ['/dealer', '/dealer/dealers', `/dealer/devices?product=${product}`, '/dealer/sales', '/dealer/users',
    '/dealer/orders', '/dealer/commission', '/dealer/tickets', '/dealer/engineers', '/dealer/service'];
  const buyerPages = ['/heavy_buyer', `/heavy_buyer/devices?product=${product}`, '/heavy_buyer/organizations', '/heavy_buyer/users', `/heavy_buyer/users/${user}`];
  // The audit log is the account's (a branch's admin is refused with 403, as it should be).
  const accountPages = [...buyerPages, '/heavy_buyer/audit'];
  // The platform operator (made with the real command) and the corp as a vendor.
  const ops = { account: `ops-${run}`, password: 'Soak-ops-pass1' };
  execFileSync(BIN, ['create-platform-admin', '--account', ops.account, '--password', ops.password], { encoding: 'utf8' });
  const platformPages = ['/platform', `/platform/vendors/${corpId}`, '/platform/users'];
  const vendor = await fetch(`${BASE}/api/vendors/${corpId}`, { headers: { 'Access-Token': admin } }).then((r) => r.json());
  const code = vendor.data.code;
  const publicPages = ['/', '/api-docs', '/corp/login', '/dealer/login', '/heavy_buyer/login', '/platform/login',
    `/m/${code}`, `/m/${code}/signup`, `/m/${code}/reset`, `/m/${code}/engineer`];

  const clients = [
    { who: 'corp admin', cookie: await signIn('corp_login', { account: corp.email, password: corp.password }), pages: corpPages },
    { who: 'dealer', cookie: await signIn('portal_login', { portal: 'dealer', corp_id: corpId, account: `dealer-${run}@example.com`, password: dealerPassword }), pages: dealerPages },
    { who: 'sub-dealer', cookie: await signIn('portal_login', { portal: 'dealer', corp_id: corpId, account: `sub-${run}@example.com`, password: dealerPassword }), pages: dealerPages },
    { who: 'key account', cookie: await signIn('portal_login', { portal: 'heavy_buyer', corp_id: corpId, account: `buyer-${run}@example.com`, password: buyerPassword }), pages: accountPages },
    { who: 'organization user', cookie: await signIn('org_user_login', { heavy_buyer_id: String(buyer.id), username: 'branch.admin', password: userPassword }), pages: buyerPages },
    { who: 'platform', cookie: await signIn('platform_login', ops), pages: platformPages },
    { who: 'visitor', cookie: null, pages: publicPages },
  ];
  return clients;
}

/** One page load as a browser does it; throws on a hang, a 5xx or a lost session. */
async function load(client, path) {
  const headers = { Accept: 'text/html,application/xhtml+xml' };
  if (client.cookie) headers.Cookie = client.cookie;
  const started = Date.now();
  const res = await timed(BASE + path, { headers });
  const body = await res.text();
  if (res.status >= 500) throw new Error(`${client.who} GET ${path}: ${res.status}`);
  if (res.status !== 200) throw new Error(`${client.who} GET ${path}: ${res.status} (location ${res.headers.get('location')})`);
  if (!body.includes('</html>')) throw new Error(`${client.who} GET ${path}: an incomplete page`);
  return Date.now() - started;
}

async function main() {
  const clients = await setUp();
  // Every (client, page) pair, round-robin, until LOADS loads are queued.
  const pairs = clients.flatMap((c) => c.pages.map((p) => [c, p]));
  const queue = Array.from({ length: LOADS }, (_, i) => pairs[i % pairs.length]);
  const times = new Map();
  let done = 0;
  let failure = null;
  async function worker() {
    while (queue.length && !failure) {
      const [client, path] = queue.shift();
      try {
        const ms = await load(client, path);
        const key = path.replace(/[0-9a-f]{32}/g, ':product').replace(/\/\d+(\/|$)/g, '/:id$1');
        times.set(key, [...(times.get(key) || []), ms]);
        done += 1;
      } catch (e) {
        failure = e;
      }
    }
  }
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failure) fail(`${failure.message} (after ${done} good loads)`);
  const secs = (Date.now() - started) / 1000;
  console.log(`soak: ${done} page loads by ${clients.length} clients, ${CONCURRENCY} at a time, in ${secs.toFixed(1)} s: no hang, no 5xx`);
  for (const [page, ms] of [...times].sort()) {
    ms.sort((a, b) => a - b);
    console.log(`  ${page.padEnd(40)} ${String(ms.length).padStart(4)} loads, median ${ms[ms.length >> 1]} ms, max ${ms[ms.length - 1]} ms`);
  }
}

main().catch((e) => fail(e.message));
