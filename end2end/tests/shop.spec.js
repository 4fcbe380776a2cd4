// The mall end to end (issue 17): the vendor puts a purifier on sale from the corp portal (with a
// picture and commission levels); a user who signed up through a referrer's link buys it on the
// mobile site and pays in the sandbox; the vendor ships; the user confirms receipt; the referrer
// sees its commission pending; the user returns it, the vendor agrees and refunds, and the
// commission is reversed.
const { test, expect } = require('@playwright/test');
const { platformAdmin, hydrated, login, smsCode } = require('./helpers');

const PHONE = { viewport: { width: 390, height: 844 }, locale: 'en-US', isMobile: true, hasTouch: true };
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function vendorForTheRun(request) {
  const auth = await request.post('/api/platform/auth', { data: platformAdmin() });
  const platform = (await auth.json()).data.access_token;
  const stamp = `${Date.now()}`;
  const vendor = {
    name: `Clear Water ${stamp.slice(-5)}`, abbv: 'Clear Water', mobile: `135${stamp.slice(-8)}`,
    email: `clear-${stamp}@example.com`, pwd: 'vendor-pass-1',
  };
  const made = await request.post('/api/vendors', { headers: { 'Access-Token': platform }, data: vendor });
  expect(made.status()).toBe(201);
  const { vid, code } = (await made.json()).data;
  return { ...vendor, vid, code };
}

/** A user signed up over /api (with the code from the SMS outbox): its uid, mobile, password. */
async function apiUser(request, vid, name) {
  const mobile = `136${`${Date.now()}`.slice(-8)}`;
  expect((await request.get(`/api/users/code?vid=${vid}&mobile=${mobile}`)).status()).toBe(200);
  const made = await request.post('/api/users', {
    data: { vid, mobile, code: await smsCode(mobile), name, pwd: 'user-pass-1' },
  });
  expect(made.status()).toBe(201);
  return { uid: (await made.json()).data.uid, mobile, pwd: 'user-pass-1' };
}

async function phoneSignIn(m, code, user) {
  await m.goto(`/m/${code}`);
  await hydrated(m);
  const form = m.getByTestId('m-sign-in');
  await form.locator('input[name=mobile]').fill(user.mobile);
  await form.locator('input[name=password]').fill(user.pwd);
  await form.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-me')).toBeVisible();
}

async function orderState(page) {
  return page.getByTestId('order-state');
}

test('a user buys on the mobile site, the vendor fulfils and refunds, commission follows', async ({ browser, page, request }) => {
  test.setTimeout(240_000);
  const vendor = await vendorForTheRun(request);
  const referrer = await apiUser(request, vendor.vid, 'Referrer');

  // The vendor puts a purifier on sale, with a picture and 10 % / 5 % commission.
  await login(page, vendor.mobile, vendor.pwd);
  await page.getByTestId('nav-mall').click();
  await page.getByTestId('new-merchandise').click();
  await hydrated(page);
  const editor = page.getByTestId('merchandise-editor');
  await editor.locator('input[name=name]').fill('Purifier X1');
  await editor.getByTestId('merchandise-state').selectOption('1');
  await editor.locator('input[name=price]').fill('199.00');
  await editor.locator('input[name=freight]').fill('0');
  await editor.getByTestId('image-preview').getByTestId('image-file')
    .setInputFiles({ name: 'x1.png', mimeType: 'image/png', buffer: PIXEL });
  await expect(editor.getByTestId('image-preview').getByTestId('thumbnail')).toBeVisible();
  await editor.getByTestId('commission-enabled').check();
  const levels = editor.locator('input[name=level]');
  await levels.nth(0).fill('10');
  await levels.nth(1).fill('5');
  await editor.getByTestId('add-filter').click();
  await editor.getByTestId('filter-name').fill('PP cotton');
  await editor.getByTestId('filter-lifetime').fill('4320');
  await editor.getByTestId('filter-worklife').fill('2000');
  // A third decimal is refused before anything is sent.
  await editor.locator('input[name=price]').fill('199.001');
  await editor.getByTestId('save-merchandise').click();
  await expect(editor.getByTestId('error')).toContainText('price');
  await editor.locator('input[name=price]').fill('199.00');
  await editor.getByTestId('save-merchandise').click();
  await expect(page).toHaveURL(/\/corp\/mall\/[A-Z0-9]+$/);
  await expect(page.getByTestId('prod-id')).not.toHaveText('');

  // A friend signs up on a phone through the referrer's link, and buys.
  const phone = await browser.newContext(PHONE);
  const m = await phone.newPage();
  const buyer = `137${`${Date.now()}`.slice(-8)}`;
  await m.goto(`/m/${vendor.code}/signup?rid=${referrer.uid}`);
  await hydrated(m);
  const signUp = m.getByTestId('m-sign-up');
  await signUp.locator('input[name=mobile]').fill(buyer);
  await signUp.getByTestId('send-code').click();
  await expect(signUp.getByTestId('send-code')).toHaveText('Sent');
  await signUp.locator('input[name=sms]').fill(await smsCode(buyer));
  await signUp.locator('input[name=name]').fill('Mei');
  await signUp.locator('input[name=pwd]').fill('user-pass-1');
  await signUp.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-me')).toBeVisible();
  await m.getByTestId('tab-shop').click();
  await m.getByTestId('m-goods-item').filter({ hasText: 'Purifier X1' }).click();
  await expect(m.getByTestId('m-price')).toHaveText('¥199.00');
  await hydrated(m);
  const order = m.getByTestId('m-order-form');
  await order.locator('input[name=receiver_area]').fill('Guangdong Zhuhai');
  await order.locator('input[name=receiver_address]').fill('1 Software Park Road');
  await order.getByTestId('m-buy').click();

  // The sandbox's pay page: the amount, a button, and back to the order.
  await expect(m.getByTestId('amount')).toHaveText('199.00');
  await m.getByTestId('pay').click();
  await expect(m.getByTestId('result')).toHaveText('Paid');
  await m.getByTestId('back').click();
  await expect(m.getByTestId('m-order-state')).toHaveText('Paid');
  const orderId = (await m.getByTestId('m-order-id').textContent()).trim();

  // The vendor finds it, reads its payment, and ships it.
  await page.getByTestId('nav-orders').click();
  await page.getByTestId('table-search').fill(orderId);
  const row = page.getByTestId('orders-table').locator('tbody tr', { hasText: orderId });
  await expect(row).toHaveCount(1);
  await row.getByTestId('order-link').click();
  await expect(await orderState(page)).toHaveText('Paid');
  await expect(page.getByTestId('order-payments').getByTestId('payment-row')).toHaveCount(1);
  await hydrated(page);
  const ship = page.getByTestId('ship-form');
  await ship.locator('input[name=company]').fill('SF Express');
  await ship.locator('input[name=tracking_num]').fill('SF1234567890');
  await ship.getByTestId('ship').click();
  await expect(await orderState(page)).toHaveText('Shipped');
  await expect(page.getByTestId('order-delivery')).toContainText('SF1234567890');

  // The user confirms receipt.
  await m.reload();
  await hydrated(m);
  await m.getByTestId('m-confirm').click();
  await expect(m.getByTestId('m-order-state')).toHaveText('Received');

  // The referrer sees 10 % of 199.00 pending.
  const friend = await browser.newContext(PHONE);
  const r = await friend.newPage();
  await phoneSignIn(r, vendor.code, referrer);
  await r.getByTestId('tab-commission').click();
  await expect(r.getByTestId('sum-pending')).toHaveText('19.90');
  await expect(r.getByTestId('sum-available')).toHaveText('0.00');
  await expect(r.getByTestId('m-referral-link')).toContainText(`rid=${referrer.uid}`);

  // The user returns it; the vendor agrees, then refunds.
  await m.locator('input[name=reason]').fill('Too large for the kitchen');
  await m.getByTestId('m-return').click();
  await expect(m.getByTestId('m-order-state')).toHaveText('Return asked');
  await page.reload();
  await hydrated(page);
  await expect(await orderState(page)).toHaveText('Return asked');
  await page.getByTestId('consent').click();
  await page.getByTestId('confirm-yes').click();
  await expect(await orderState(page)).toHaveText('Return agreed');
  await hydrated(page);
  await page.getByTestId('refund').click();
  await page.getByTestId('confirm-yes').click();
  await expect(await orderState(page)).toHaveText('Refunded');
  await expect(page.getByTestId('order-payments').locator('[data-kind=refund]')).toHaveCount(1);

  // The commission went back with it; the ledger shows both entries.
  await r.reload();
  await expect(r.getByTestId('sum-pending')).toHaveText('0.00');
  await page.getByTestId('nav-commission').click();
  const ledger = page.getByTestId('ledger-table');
  await expect(ledger.locator('tbody tr', { hasText: 'Earned' }).first()).toBeVisible();
  await expect(ledger.locator('tbody tr', { hasText: 'Reversed' }).first()).toBeVisible();

  // The mall's sales chart counts nothing for a refunded order.
  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('mall-sales-chart').getByTestId('sales-total')).toContainText('Σ 0.00');
  await expect(page.getByTestId('commission-chart').getByTestId('sales-total')).toContainText('Σ 19.90');
});

test('a user rents on the mobile site with a plan, paying the deposit and the rent', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const vendor = await vendorForTheRun(request);
  const auth = await request.post('/v2/corp_auth', { data: { account: vendor.mobile, password: vendor.pwd } });
  const token = (await auth.json()).access_token;
  const rental = {
    name: 'Purifier to rent', price: 298000, billing: 2, state: 1,
    rent: { deposit: 50000, config: [{ name: '30 days', key: '30d', value: 6000 }, { name: '90 days', key: '90d', value: 15000 }] },
  };
  const made = await request.post('/api/products', { headers: { 'Access-Token': token }, data: rental });
  expect(made.status()).toBe(201);
  const renter = await apiUser(request, vendor.vid, 'Renter');

  const phone = await browser.newContext(PHONE);
  const m = await phone.newPage();
  await phoneSignIn(m, vendor.code, renter);
  await m.getByTestId('tab-shop').click();
  await m.getByTestId('m-goods-item').filter({ hasText: 'Purifier to rent' }).click();
  await expect(m.getByTestId('m-plans')).toContainText('90 days');
  await hydrated(m);
  await m.getByTestId('m-plan').nth(1).check();
  const order = m.getByTestId('m-order-form');
  await order.locator('input[name=receiver_name]').fill('Renter');
  await order.locator('input[name=receiver_area]').fill('Zhuhai');
  await order.locator('input[name=receiver_address]').fill('2 Software Park Road');
  await order.getByTestId('m-buy').click();
  // Deposit 500.00 + 90 days' rent 150.00.
  await expect(m.getByTestId('amount')).toHaveText('650.00');
  await m.getByTestId('pay').click();
  await m.getByTestId('back').click();
  await expect(m.getByTestId('m-order-state')).toHaveText('Paid');
  await expect(m.getByTestId('order-lines')).toContainText('90d');
});
