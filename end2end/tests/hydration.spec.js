// Every portal page hydrates on a cold load, again and again (issue 13): server rendering runs a
// Suspense's children a varying number of times, and a page that built resources inside one
// made the browser hydrate with other resource ids than the server's: a panic on some loads
// only ("failed to cast marker node"). Each page is loaded cold several times here and must
// hydrate without an error every time.
const { test, expect } = require('@playwright/test');
const { corp, platformAdmin, hydrated, login } = require('./helpers');

const LOADS = 3;

async function coldLoads(browser, storageState, path) {
  for (let i = 0; i < LOADS; i += 1) {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(path);
    await hydrated(page);
    expect(errors, `${path}, load ${i + 1}`).toEqual([]);
    await context.close();
  }
}

test('the corp pages hydrate on every cold load', async ({ page, browser, request }) => {
  test.setTimeout(420_000);
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  const storageState = await page.context().storageState();
  // A product with devices, for the device pages.
  const auth = await request.post('/v2/corp_auth', { data: { account: corp().email, password: corp().password } });
  const token = (await auth.json()).access_token;
  const made = await request.post('/v2/product', { headers: { 'Access-Token': token }, data: { name: 'Hydration', link_type: 1 } });
  const product = (await made.json()).id;
  const macs = Array.from({ length: 30 }, (_, i) => (0xC00000000000 + i).toString(16).toUpperCase());
  await request.post(`/v2/product/${product}/device_batch`, { headers: { 'Access-Token': token }, data: macs });
  // One device's own page: its live panels poll the device, and they once made their resources
  // inside the page's Suspense (the page then hydrated on some loads only).
  const one = await request.post(`/v2/product/${product}/device`, { headers: { 'Access-Token': token }, data: { mac: 'C0FFEE000001' } });
  expect(one.status(), await one.text()).toBe(200);
  const device = (await one.json()).id;
  for (const path of ['/corp', '/corp/members', '/corp/dealers', '/corp/heavy_buyers', '/corp/products',
    `/corp/products/${product}`, `/corp/products/${product}/devices/${device}`, '/corp/audit', '/corp/account',
    '/corp/roles', '/corp/settings', '/corp/users', '/corp/devices', '/corp/mall', '/corp/orders', '/corp/payments',
    '/corp/commission', '/corp/tickets', '/corp/engineers', '/corp/service']) {
    await coldLoads(browser, storageState, path);
  }
});

test('the platform pages hydrate on every cold load', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  await page.goto('/platform/login');
  await hydrated(page);
  await page.fill('input[name=account]', platformAdmin().account);
  await page.fill('input[name=password]', platformAdmin().password);
  await page.click('button[type=submit]');
  await expect(page.getByTestId('platform-account')).toBeVisible();
  const storageState = await page.context().storageState();
  const auth = await request.post('/api/platform/auth', { data: platformAdmin() });
  const token = (await auth.json()).data.access_token;
  const stamp = `${Date.now()}`;
  const made = await request.post('/api/vendors', {
    headers: { 'Access-Token': token },
    data: { name: `Hydrating ${stamp.slice(-5)}`, mobile: `134${stamp.slice(-8)}`, email: `h-${stamp}@example.com`, pwd: 'vendor-pass-1' },
  });
  const { vid, code } = (await made.json()).data;
  for (const path of ['/platform', `/platform/vendors/${vid}`, '/platform/users', '/platform/login', '/api-docs']) {
    await coldLoads(browser, storageState, path);
  }
  // The end users' mobile site, signed out.
  for (const path of [`/m/${code}`, `/m/${code}/signup`, `/m/${code}/reset`]) {
    await coldLoads(browser, undefined, path);
  }
});
