// Devices in service and work orders end to end (issue 18): the platform registers a serial for
// a vendor; the vendor registers an engineer in the corp portal; a user rents a purifier with a
// plan on the mobile site and pays in the sandbox, which opens an install ticket; the vendor
// approves and dispatches it on the ticket board (buttons and drag-and-drop); the engineer signs
// in on a phone, accepts the job and finishes it naming the serial put in; the user sees the
// device with its lease and filter, shares it, reports a fault and rates the install; the vendor
// sees the device's lease, owner, guests and tickets, and the done ticket's timeline.
const { test, expect } = require('@playwright/test');
const { platformAdmin, hydrated, login, smsCode } = require('./helpers');

const PHONE = { viewport: { width: 390, height: 844 }, locale: 'en-US', isMobile: true, hasTouch: true };
const DAY = 24 * 3600 * 1000;

/** A vendor registered by the platform: its account, vid and storefront code, and the platform's token. */
async function vendorForTheRun(request) {
  const auth = await request.post('/api/platform/auth', { data: platformAdmin() });
  const platform = (await auth.json()).data.access_token;
  const stamp = `${Date.now()}`;
  const vendor = {
    name: `Pure Service ${stamp.slice(-5)}`, abbv: 'Pure Service', mobile: `135${stamp.slice(-8)}`,
    email: `service-${stamp}@example.com`, pwd: 'vendor-pass-1',
  };
  const made = await request.post('/api/vendors', { headers: { 'Access-Token': platform }, data: vendor });
  expect(made.status()).toBe(201);
  const { vid, code } = (await made.json()).data;
  return { ...vendor, vid, code, platform, stamp };
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

/** The UTC day (YYYY-MM-DD) of a time in ms. */
function day(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

test('a rental is installed through a work order, and the device is in service', async ({ browser, page, request }) => {
  test.setTimeout(300_000);

  // The platform registers a vendor; the vendor puts a rental with a filter on sale and makes a
  // /v2 product for its devices; the platform registers a serial of it.
  const vendor = await vendorForTheRun(request);
  const auth = await request.post('/v2/corp_auth', { data: { account: vendor.mobile, password: vendor.pwd } });
  expect(auth.status()).toBe(200);
  const token = (await auth.json()).access_token;
  const rental = {
    name: 'Purifier in service', price: 0, billing: 2, install: true, state: 1,
    rent: { deposit: 10000, config: [{ name: '30 days', key: '30d', value: 3000 }] },
    specification: { filters: [{ order: 1, name: 'PP', timer_mode: 1, lifetime: 2000, worklife: 0 }] },
  };
  const merchandise = await request.post('/api/products', { headers: { 'Access-Token': token }, data: rental });
  expect(merchandise.status()).toBe(201);
  const product = await request.post('/v2/product', { headers: { 'Access-Token': token }, data: { name: 'Purifier', link_type: 1 } });
  expect(product.status()).toBe(200);
  const productId = (await product.json()).id;
  expect(productId).toBeTruthy();
  const serial = `SN-E2E-${vendor.stamp}`;
  const registered = await request.post('/api/devices', {
    headers: { 'Access-Token': vendor.platform },
    data: { device_ids: [serial], type: 2, vendor_id: vendor.vid, product_id: productId },
  });
  expect(registered.status()).toBe(201);
  expect((await registered.json()).data.device_ids).toEqual([serial]);

  // The vendor registers an engineer in the corp portal.
  await login(page, vendor.mobile, vendor.pwd);
  await expect(page.getByTestId('nav-tickets')).toBeVisible();
  await page.goto('/corp/engineers');
  await hydrated(page);
  const engineer = { name: 'Wang Engineer', mobile: `138${vendor.stamp.slice(-8)}`, pwd: 'eng-pass-1' };
  const form = page.getByTestId('engineer-form');
  await form.locator('input[name=name]').fill(engineer.name);
  await form.locator('input[name=mobile]').fill(engineer.mobile);
  await form.locator('input[name=password]').fill(engineer.pwd);
  await form.locator('input[name=lng]').fill('113.576');
  await form.locator('input[name=lat]').fill('22.271');
  await form.getByTestId('engineer-save').click();
  await expect(page.getByTestId('engineer-row').filter({ hasText: engineer.mobile })).toHaveCount(1);
  await expect(page.getByTestId('engineer-row').filter({ hasText: engineer.mobile })).toContainText(engineer.name);

  // A user rents it on a phone with the 30-day plan and pays in the sandbox.
  const user = await apiUser(request, vendor.vid, 'Renter');
  const guest = await apiUser(request, vendor.vid, 'Guest');
  const phone = await browser.newContext(PHONE);
  const m = await phone.newPage();
  await phoneSignIn(m, vendor.code, user);
  await m.getByTestId('tab-shop').click();
  await m.getByTestId('m-goods-item').filter({ hasText: 'Purifier in service' }).click();
  await expect(m.getByTestId('m-plans')).toContainText('30 days');
  await hydrated(m);
  await m.getByTestId('m-plan').first().check();
  const order = m.getByTestId('m-order-form');
  await order.locator('input[name=receiver_name]').fill('Renter');
  await order.locator('input[name=receiver_area]').fill('Guangdong Zhuhai');
  await order.locator('input[name=receiver_address]').fill('3 Software Park Road');
  await order.getByTestId('m-buy').click();
  // Deposit 100.00 + 30 days' rent 30.00.
  await expect(m.getByTestId('amount')).toHaveText('130.00');
  await m.getByTestId('pay').click();
  await expect(m.getByTestId('result')).toHaveText('Paid');
  await m.getByTestId('back').click();
  await expect(m.getByTestId('m-order-state')).toHaveText('Paid');
  await expect(m.getByTestId('order-lines')).toContainText('30d');

  // The paid rental opened an install ticket: the vendor approves it on the board, then
  // dispatches it by the hierarchy (to the one engineer).
  await page.goto('/corp/tickets');
  await hydrated(page);
  const board = page.getByTestId('ticket-board');
  const column = (status) => board.locator(`[data-testid=board-column][data-status="${status}"]`);
  // The board, not a refusal (an error note shows its text here).
  await expect(board.or(page.getByTestId('error'))).toBeVisible();
  await expect(page.getByTestId('error')).toHaveText([]);
  await expect(board.getByTestId('ticket-card')).toHaveCount(1);
  const card = column(1).getByTestId('ticket-card');
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('Install');
  const ticketId = await card.getAttribute('data-ticket');
  expect(ticketId).toBeTruthy();
  const ticketCard = board.locator(`[data-testid=ticket-card][data-ticket="${ticketId}"]`);
  await ticketCard.getByTestId('card-next').click();
  await expect(column(2).locator(`[data-ticket="${ticketId}"]`)).toBeVisible();
  await expect(column(1).getByTestId('ticket-card')).toHaveCount(0);
  await ticketCard.getByTestId('card-next').click();
  await expect(column(3).locator(`[data-ticket="${ticketId}"]`)).toBeVisible();
  await expect(column(2).getByTestId('ticket-card')).toHaveCount(0);
  // Dispatched: the card's next step is now closing it.
  await expect(ticketCard.getByTestId('card-next')).toHaveText('Close as done');

  // The engineer signs in on a phone, accepts the job and finishes it with the serial put in.
  const engPhone = await browser.newContext(PHONE);
  const e = await engPhone.newPage();
  await e.goto(`/m/${vendor.code}/engineer`);
  await hydrated(e);
  const signIn = e.getByTestId('m-engineer-sign-in');
  await signIn.locator('input[name=mobile]').fill(engineer.mobile);
  await signIn.locator('input[name=password]').fill(engineer.pwd);
  await signIn.locator('button[type=submit]').click();
  await expect(e).toHaveURL(new RegExp(`/m/${vendor.code}/engineer/tickets$`));
  await hydrated(e);
  const job = e.locator(`[data-testid=m-ticket][data-ticket="${ticketId}"]`);
  await expect(job).toHaveAttribute('data-status', '3');
  await job.getByTestId('m-accept').click();
  await expect(job).toHaveAttribute('data-status', '4');
  const finish = job.getByTestId('m-finish');
  await finish.locator('input[name=serial]').fill(serial);
  await finish.locator('input[name=note]').fill('Installed under the sink');
  const before = Date.now();
  await finish.getByTestId('m-finish-submit').click();
  await expect(job).toHaveAttribute('data-status', '6');
  const after = Date.now();
  await expect(job.getByTestId('m-ticket-status')).toHaveText('Done');
  await expect(job.getByTestId('m-finish')).toHaveCount(0);

  // The user finds the device: leased for 30 days, its filter whole; shares it with a friend.
  await m.goto(`/m/${vendor.code}/devices`);
  await hydrated(m);
  const device = m.locator(`[data-testid=m-device][data-serial="${serial}"]`);
  await expect(device).toBeVisible();
  await device.click();
  await expect(m).toHaveURL(new RegExp(`/m/${vendor.code}/devices/${serial}$`));
  await expect(m.getByTestId('m-device-serial')).toHaveText(serial);
  await expect(m.getByTestId('m-device-state')).toHaveText('In service');
  await expect(m.getByTestId('lease')).toHaveAttribute('data-state', '1');
  await expect(m.getByTestId('lease-state')).toHaveText('Active');
  const expire = (await m.getByTestId('lease-expire').textContent()).trim();
  expect([day(before + 30 * DAY), day(after + 30 * DAY)]).toContain(expire);
  const filter = m.getByTestId('filter');
  await expect(filter).toHaveCount(1);
  await expect(filter).toHaveAttribute('data-remaining', '100');
  await expect(filter).toContainText('PP');
  await hydrated(m);
  const share = m.getByTestId('m-share');
  await share.locator('input[name=guest]').fill(guest.mobile);
  await share.getByTestId('m-share-submit').click();
  await expect(share.getByTestId('m-guest-uid')).toHaveText([guest.uid]);

  // The user reports a fault (a second ticket, for the drag-and-drop below) and rates the install.
  await m.getByTestId('m-report').locator('input[name=detail]').fill('It drips');
  await m.getByTestId('m-report-submit').click();
  await expect(m).toHaveURL(new RegExp(`/m/${vendor.code}/tickets$`));
  await hydrated(m);
  await expect(m.getByTestId('m-ticket')).toHaveCount(2);
  const install = m.locator(`[data-testid=m-ticket][data-ticket="${ticketId}"]`);
  await expect(install.getByTestId('m-ticket-status')).toHaveText('Done');
  const rate = install.getByTestId('m-rate');
  await rate.getByTestId('m-star').nth(3).click();
  await rate.locator('input[name=comment]').fill('Quick and tidy');
  await rate.getByTestId('m-rate-submit').click();
  await expect(install.getByTestId('m-rated')).toBeVisible();
  await expect(install.getByTestId('m-rated')).toContainText('★★★★');
  await expect(install.getByTestId('m-rated')).not.toContainText('★★★★★');
  await expect(install.getByTestId('m-rate')).toHaveCount(0);

  // The vendor drags the fault's card from Created to Reviewed: that approves it.
  await page.reload();
  await hydrated(page);
  await expect(column(1).getByTestId('ticket-card')).toHaveCount(1);
  const fault = column(1).getByTestId('ticket-card');
  await expect(fault).toContainText('Fault');
  const faultId = await fault.getAttribute('data-ticket');
  await page.dragAndDrop(
    `[data-testid=board-column][data-status="1"] [data-testid=ticket-card][data-ticket="${faultId}"]`,
    '[data-testid=board-column][data-status="2"]',
  );
  await expect(column(2).locator(`[data-ticket="${faultId}"]`)).toBeVisible();
  await expect(column(1).getByTestId('ticket-card')).toHaveCount(0);

  // The vendor's page of the device: the lease, the owner, the guest, both tickets.
  await page.goto(`/corp/service/${serial}`);
  await hydrated(page);
  await expect(page.getByTestId('device-serial')).toHaveText(serial);
  await expect(page.getByTestId('lease')).toHaveAttribute('data-state', '1');
  await expect(page.getByTestId('lease-expire')).toHaveText(expire);
  await expect(page.getByTestId('device-owner')).toHaveText(user.uid);
  await expect(page.getByTestId('device-guests')).toContainText(guest.uid);
  await expect(page.getByTestId('filter')).toHaveAttribute('data-remaining', '100');
  const deviceTickets = page.getByTestId('device-tickets');
  await expect(deviceTickets.locator('li')).toHaveCount(2);
  await expect(deviceTickets.locator('li', { hasText: ticketId })).toContainText('Install');
  await expect(deviceTickets.locator('li', { hasText: ticketId })).toContainText('Done');
  await expect(deviceTickets.locator('li', { hasText: faultId })).toContainText('Reviewed');

  // The install ticket's page: done, rated, and its timeline from creation to the finish.
  await deviceTickets.locator('li', { hasText: ticketId }).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/corp/tickets/${ticketId}$`));
  await expect(page.getByTestId('ticket-id')).toHaveText(ticketId);
  await expect(page.getByTestId('ticket-status')).toHaveText('Done');
  await expect(page.getByTestId('ticket-rating')).toHaveText('★★★★');
  await expect(page.getByTestId('ticket-device')).toBeVisible();
  const events = page.getByTestId('timeline-event');
  await expect(events.first()).toBeVisible();
  const actions = await events.evaluateAll((li) => li.map((el) => el.getAttribute('data-action')));
  for (const action of ['review', 'dispatch', 'accept', 'finish']) expect(actions).toContain(action);
  await expect(page.locator('[data-testid=timeline-event][data-action=finish]')).toContainText('Done');
  await expect(page.getByTestId('ticket-timeline')).toContainText('Installed under the sink');

  await phone.close();
  await engPhone.close();
});
