// The corp portal's audit log (issue 20): what the API did shows in the portal, for admins only.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login } = require('./helpers');

async function adminToken(request) {
  const res = await request.post('/v2/corp_auth', { data: { account: corp().email, password: corp().password } });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

test('an admin sees in the audit log what the API changed, and searches it', async ({ page, request }) => {
  const token = await adminToken(request);
  const name = `Audited ${Date.now().toString(36)}`;
  const created = await request.post('/v2/product', { data: { name, link_type: 1 }, headers: { 'Access-Token': token } });
  expect(created.status(), await created.text()).toBe(200);
  const product = await created.json();

  await login(page, corp().email, corp().password);
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await page.getByTestId('search-field').selectOption('record_id');
  await page.getByTestId('table-search').fill(product.id);
  const rows = page.getByTestId('table-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('product.create');
  await expect(rows.first()).toContainText(name);
  // The product key is a secret: never in the log.
  await expect(rows.first()).not.toContainText(product.key);
});

test('an operations member has no audit log', async ({ page, request }) => {
  const token = await adminToken(request);
  const n = `${Date.now() % 100000000}`.padStart(8, '0');
  const who = { email: `ops-audit-${Date.now().toString(36)}@example.com`, phone: `137${n}` };
  const res = await request.post('/v2/corp/member_add', {
    data: { ...who, name: 'Ops Audit', password: 'member-1', type: 2 },
    headers: { 'Access-Token': token },
  });
  expect(res.status(), await res.text()).toBe(200);
  await login(page, who.email, 'member-1');
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await expect(page.getByTestId('nav-audit')).toHaveCount(0);
  await page.goto('/corp/audit');
  await expect(page.getByTestId('error')).toBeVisible();
});

test('a key account reads its own audit log in its portal', async ({ page, request }) => {
  const token = await adminToken(request);
  const n = `${Date.now() % 100000000}`.padStart(8, '0');
  const account = { email: `kab-audit-${Date.now().toString(36)}@example.com`, phone: `135${n}` };
  const res = await request.post('/v2/heavy_buyer', {
    data: { name: 'Audit Buyer', ...account, password: 'Buyer-pass1', industry: 'Retail', location: 'Xi\'an', contacter: 'Li', contact_way: '1' },
    headers: { 'Access-Token': token },
  });
  expect(res.status(), await res.text()).toBe(200);
  await page.goto('/heavy_buyer/login');
  await hydrated(page);
  await page.getByTestId('login-as-account').click();
  const form = page.getByTestId('login-form');
  await form.locator('input[name=corp_id]').fill(corp().corp_id);
  await form.locator('input[name=account]').fill(account.email);
  await form.locator('input[name=password]').fill('Buyer-pass1');
  await form.locator('button[type=submit]').click();
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await expect(page.getByTestId('table-row').first()).toContainText('sign_in.success');
});
