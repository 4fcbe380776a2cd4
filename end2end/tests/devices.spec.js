// Devices: the corp imports a CSV into a new product (the bad rows are explained, the good ones
// go in), filters the table, hands ten devices to a dealer and five to a key account; each of
// them then sees exactly its own devices in its portal.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login } = require('./helpers');

const MAC_ERROR = 'mac: a MAC is 12 hexadecimal characters';

/** A phone number nobody else in this run is likely to have. */
function phone(prefix) {
  return `${prefix}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

function stamp() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** The corp admin's `/v2` token. */
async function corpToken(request, baseURL) {
  const res = await request.post(new URL('/v2/corp_auth', baseURL).toString(), {
    data: { account: corp().email, password: corp().password },
  });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(typeof body.access_token).toBe('string');
  return body.access_token;
}

async function apiPost(request, baseURL, token, path, data) {
  const res = await request.post(new URL(path, baseURL).toString(), { data, headers: { 'Access-Token': token } });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/**
 * The CSV: a header, 10 "Lamp A" (for the dealer), 5 "Lamp B" (for the key account),
 * 35 "Lamp C", and two lines whose MAC is wrong. A `$like` on "Lamp A" / "Lamp B" matches
 * exactly one batch.
 */
function csv() {
  const base = (Date.now() % 0xffffffff).toString(16).padStart(8, '0');
  const mac = (i) => `${base}${i.toString(16).padStart(4, '0')}`.toUpperCase();
  const names = [
    ...Array.from({ length: 10 }, (_, i) => `Lamp A${String(i + 1).padStart(2, '0')}`),
    ...Array.from({ length: 5 }, (_, i) => `Lamp B${String(i + 1).padStart(2, '0')}`),
    ...Array.from({ length: 35 }, (_, i) => `Lamp C${String(i + 1).padStart(2, '0')}`),
  ];
  const lines = ['mac,name,sn'];
  names.forEach((name, i) => {
    lines.push(`${mac(i)},${name},SN-${i + 1}`);
    if (i === 20) lines.push('ZZ11223344,Broken one,SN-X1');
  });
  lines.push('12345,Broken two,SN-X2');
  return lines.join('\n') + '\n';
}

/** Shows up to `n` rows per page (the per-page select sits in the table's pager). */
async function perPage(table, n) {
  await table.locator('label', { hasText: 'Per page' }).locator('select').selectOption(String(n));
}

/** Adds one filter-builder condition (`value` left out for "is empty" / "is set"). */
async function addCondition(page, field, op, value) {
  const fb = page.getByTestId('filter-builder');
  await fb.getByTestId('fb-field').selectOption(field);
  await fb.getByTestId('fb-op').selectOption(op);
  if (value !== undefined) await fb.getByTestId('fb-value').fill(value);
  await fb.getByTestId('fb-add').click();
}

/** Removes the single active condition. */
async function removeCondition(page) {
  const chips = page.getByTestId('fb-chip');
  await expect(chips).toHaveCount(1);
  await chips.getByRole('button', { name: 'remove' }).click();
  await expect(chips).toHaveCount(0);
}

/** Signs a dealer or key account into its portal and opens its Devices page on `productId`. */
async function partnerDevices(browser, baseURL, portal, account, password, productId) {
  const ctx = await browser.newContext({ locale: 'en-US', baseURL });
  const page = await ctx.newPage();
  await page.goto(new URL(`/${portal}/login?corp_id=${corp().corp_id}`, baseURL).toString());
  await hydrated(page);
  await expect(page.locator('input[name=corp_id]')).toHaveValue(corp().corp_id);
  await page.fill('input[name=account]', account);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await expect(page.getByTestId(portal === 'dealer' ? 'dealer-profile' : 'heavy-buyer-profile')).toBeVisible();
  await page.getByTestId('nav-devices').click();
  // The page goes to its first product (`?product=`) before one is picked.
  await expect(page).toHaveURL(new RegExp(`/${portal}/devices(\\?product=\\w+)?$`));
  await page.getByTestId('product-picker').selectOption(productId);
  const table = page.getByTestId('devices-table');
  await perPage(table, 100);
  return { ctx, page, table };
}

test('a corp imports devices from a CSV and hands them to a dealer and a key account, who each see exactly theirs', async ({ page, browser, request, baseURL }) => {
  test.slow();

  // Setup that is not the point: a dealer and a key account, over the API.
  const token = await corpToken(request, baseURL);
  const run = stamp();
  const dealerAccount = { email: `lamp-dealer-${run}@example.com`, password: 'Dealer-pass1' };
  const dealer = await apiPost(request, baseURL, token, '/v2/dealer', {
    name: `Lamp Dealer ${run}`,
    email: dealerAccount.email,
    phone: phone('136'),
    password: dealerAccount.password,
    address: '2 Light Street',
  });
  expect(typeof dealer.id).toBe('number');
  expect(dealer.dealer_code).toBeTruthy();
  const buyerAccount = { phone: phone('138'), password: 'Buyer-pass1' };
  const buyer = await apiPost(request, baseURL, token, '/v2/heavy_buyer', {
    name: `Lamp Hotels ${run}`,
    email: `lamp-buyer-${run}@example.com`,
    phone: buyerAccount.phone,
    password: buyerAccount.password,
    industry: 'Hotels',
    location: 'Hangzhou',
    contacter: 'Mei',
    contact_way: '+86 571 5555 0000',
  });
  expect(typeof buyer.id).toBe('number');

  // The corp creates the product in the UI and opens its devices.
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.getByTestId('nav-products').click();
  await page.getByTestId('add-product').click();
  const form = page.getByTestId('product-form');
  const productName = `Lamp ${run}`.slice(0, 32);
  await form.locator('input[name=name]').fill(productName);
  await form.locator('input[name=mode]').fill('L1');
  await form.locator('select[name=link_type]').selectOption('3');
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  const card = page.getByTestId('product').filter({ hasText: productName });
  await expect(card).toHaveCount(1);
  await card.getByTestId('product-devices').click();
  await expect(page).toHaveURL(/\/corp\/products\/[0-9a-zA-Z]+$/);
  const productId = new URL(page.url()).pathname.split('/').pop();
  const table = page.getByTestId('devices-table');
  const rows = table.getByTestId('table-row');
  await expect(rows).toHaveCount(0);

  // Import: the preview explains the two bad lines before anything is sent.
  await page.getByTestId('import-devices').click();
  const panel = page.getByTestId('import-panel');
  await expect(panel).toBeVisible();
  await panel.getByTestId('import-file').setInputFiles({
    name: 'devices.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv(), 'utf8'),
  });
  await expect(panel.getByTestId('import-row-ok')).toHaveCount(50);
  const bad = panel.getByTestId('import-row-error');
  await expect(bad).toHaveCount(2);
  await expect(bad.nth(0)).toContainText('ZZ11223344');
  await expect(bad.nth(0)).toContainText(MAC_ERROR);
  await expect(bad.nth(1)).toContainText('12345');
  await expect(bad.nth(1)).toContainText(MAC_ERROR);
  await expect(panel.getByTestId('import-row-ok').filter({ hasText: 'Lamp A01' })).toHaveCount(1);
  await expect(panel.getByTestId('import-counts')).toHaveText('valid / with errors: 50 / 2');

  await panel.getByTestId('import-go').click();
  await expect(panel.getByTestId('import-progress')).toHaveAttribute('aria-valuenow', '100');
  await expect(panel.getByTestId('import-result')).toHaveText('50 / 50 · imported 50 · already there, skipped 0');

  // The good rows are in, the bad ones are not.
  await expect(table.getByTestId('table-count')).toHaveText('Total 50');
  await expect(rows).toHaveCount(10);
  await perPage(table, 100);
  await expect(rows).toHaveCount(50);
  await expect(rows.filter({ hasText: 'Broken' })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'ZZ11223344' })).toHaveCount(0);

  // Filter to the dealer's ten, select the page, assign.
  await addCondition(page, 'name', '$like', 'Lamp A');
  await expect(page.getByTestId('fb-chip')).toContainText('Name contains Lamp A');
  await expect(rows).toHaveCount(10);
  await expect(table.getByTestId('table-count')).toHaveText('Total 10');
  await expect(rows.filter({ hasText: 'Lamp A' })).toHaveCount(10);
  await expect(page.getByTestId('assign-bar')).toHaveCount(0);
  await table.getByTestId('select-page').check();
  const bar = page.getByTestId('assign-bar');
  await expect(bar.getByTestId('selected-count')).toHaveText('10 selected');
  await bar.getByTestId('assign-dealer').selectOption(String(dealer.id));
  await bar.getByTestId('assign-dealer-go').click();
  // Success clears the selection, so the bar goes away; the table reloads with the dealer's code.
  await expect(bar).toBeHidden();
  await expect(rows.filter({ hasText: dealer.dealer_code })).toHaveCount(10);
  await expect(rows).toHaveCount(10);

  // Filter to the key account's five, tick them one by one, grant.
  await removeCondition(page);
  await expect(rows).toHaveCount(50);
  await addCondition(page, 'name', '$like', 'Lamp B');
  await expect(rows).toHaveCount(5);
  await expect(table.getByTestId('table-count')).toHaveText('Total 5');
  await expect(rows.filter({ hasText: 'Lamp B' })).toHaveCount(5);
  for (const box of await rows.getByTestId('row-select').all()) {
    await box.check();
  }
  await expect(bar.getByTestId('selected-count')).toHaveText('5 selected');
  await bar.getByTestId('grant-heavy-buyer').selectOption(String(buyer.id));
  await bar.getByTestId('grant-heavy-buyer-go').click();
  await expect(bar).toBeHidden();

  // The corp's own view of who holds what.
  await removeCondition(page);
  await expect(rows).toHaveCount(50);
  await addCondition(page, 'heavy_buyer', 'set');
  await expect(table.getByTestId('table-count')).toHaveText('Total 5');
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: 'Lamp B' })).toHaveCount(5);
  await removeCondition(page);
  await expect(rows).toHaveCount(50);
  await addCondition(page, 'dealer_scope', 'set');
  await expect(table.getByTestId('table-count')).toHaveText('Total 10');
  await expect(rows).toHaveCount(10);
  await expect(rows.filter({ hasText: 'Lamp A' })).toHaveCount(10);
  await expect(rows.filter({ hasText: dealer.dealer_code })).toHaveCount(10);

  // Export follows the filter: a header line and the ten assigned devices, as CSV.
  const href = await page.getByTestId('export-devices').getAttribute('href');
  const exported = await page.request.get(href);
  expect(exported.status()).toBe(200);
  expect(exported.headers()['content-type']).toContain('text/csv');
  const lines = (await exported.text()).trim().split('\r\n');
  expect(lines[0]).toContain('mac');
  expect(lines).toHaveLength(11);
  expect(lines.slice(1).filter((l) => l.includes('Lamp A') && l.includes(dealer.dealer_code))).toHaveLength(10);

  // The dealer sees exactly its ten.
  const d = await partnerDevices(browser, baseURL, 'dealer', dealerAccount.email, dealerAccount.password, productId);
  await expect(d.table.getByTestId('table-count')).toHaveText('Total 10');
  await expect(d.table.getByTestId('table-row')).toHaveCount(10);
  await expect(d.table.getByTestId('table-row').filter({ hasText: 'Lamp A' })).toHaveCount(10);
  await expect(d.table.getByTestId('next-page')).toBeDisabled();
  await d.ctx.close();

  // The key account sees exactly its five.
  const b = await partnerDevices(browser, baseURL, 'heavy_buyer', buyerAccount.phone, buyerAccount.password, productId);
  await expect(b.table.getByTestId('table-count')).toHaveText('Total 5');
  await expect(b.table.getByTestId('table-row')).toHaveCount(5);
  await expect(b.table.getByTestId('table-row').filter({ hasText: 'Lamp B' })).toHaveCount(5);
  await expect(b.table.getByTestId('next-page')).toBeDisabled();
  await b.ctx.close();
});
