// End users on the mobile site (issue 15): a user signs up on a phone with the code the log SMS
// provider wrote to its outbox, changes its password, signs out and in again; the vendor finds it
// in the corp portal's Users; the platform deregisters it and its session ends.
const { test, expect } = require('@playwright/test');
const { platformAdmin, platformLogin, hydrated, login, smsCode } = require('./helpers');

const PHONE = { viewport: { width: 390, height: 844 }, locale: 'en-US', isMobile: true, hasTouch: true };

async function vendorForTheRun(request) {
  const auth = await request.post('/api/platform/auth', { data: platformAdmin() });
  const platform = (await auth.json()).data.access_token;
  const stamp = `${Date.now()}`;
  const vendor = {
    name: `Pure Water ${stamp.slice(-5)}`, abbv: 'Pure Water', mobile: `133${stamp.slice(-8)}`,
    email: `pure-${stamp}@example.com`, pwd: 'vendor-pass-1',
  };
  const made = await request.post('/api/vendors', { headers: { 'Access-Token': platform }, data: vendor });
  expect(made.status()).toBe(201);
  const { vid, code } = (await made.json()).data;
  return { ...vendor, vid, code, platform };
}

test('a user signs up on the mobile site, manages its account, and is deregistered by the platform', async ({ browser, page, request }) => {
  test.setTimeout(120_000);
  const vendor = await vendorForTheRun(request);
  const phone = await browser.newContext(PHONE);
  const m = await phone.newPage();
  let mobile = `132${`${Date.now()}`.slice(-8)}`;

  // Sign up with the code from the SMS outbox.
  await m.goto(`/m/${vendor.code}`);
  await hydrated(m);
  await expect(m.getByTestId('m-vendor')).toHaveText('Pure Water');
  await m.getByTestId('to-signup').click();
  const form = m.getByTestId('m-sign-up');
  await form.locator('input[name=mobile]').fill(mobile);
  await form.getByTestId('send-code').click();
  await expect(form.getByTestId('send-code')).toHaveText('Sent');
  await form.locator('input[name=sms]').fill(await smsCode(mobile));
  await form.locator('input[name=name]').fill('Lin');
  await form.locator('input[name=pwd]').fill('user-pass-1');
  await form.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-me')).toBeVisible();
  await expect(m.getByTestId('m-mobile')).toHaveText(mobile);
  const uid = await m.getByTestId('m-uid').textContent();
  expect(uid.startsWith(vendor.code)).toBeTruthy();

  // A wrong current password is refused; the right one changes it.
  const pwd = m.getByTestId('m-password');
  await pwd.locator('input[name=old]').fill('not-my-password');
  await pwd.locator('input[name=new]').fill('user-pass-2');
  await pwd.locator('button[type=submit]').click();
  await expect(pwd.getByTestId('error')).toBeVisible();
  await pwd.locator('input[name=old]').fill('user-pass-1');
  await pwd.locator('button[type=submit]').click();
  await expect(pwd.getByTestId('m-saved')).toBeVisible();

  // Sign out, and in with the new password.
  await m.getByTestId('m-logout').click();
  await expect(m.getByTestId('m-sign-in')).toBeVisible();
  await hydrated(m);
  const signIn = m.getByTestId('m-sign-in');
  await signIn.locator('input[name=mobile]').fill(mobile);
  await signIn.locator('input[name=password]').fill('user-pass-1');
  await signIn.locator('button[type=submit]').click();
  await expect(signIn.getByTestId('error')).toBeVisible();
  await signIn.locator('input[name=password]').fill('user-pass-2');
  await signIn.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-me')).toBeVisible();

  // A new mobile, with the code sent to it; asking again at once is refused beside the button.
  await hydrated(m);
  const newMobile = `131${`${Date.now()}`.slice(-8)}`;
  const move = m.getByTestId('m-change-mobile');
  await move.locator('input[name=new_mobile]').fill(newMobile);
  await move.getByTestId('send-code').click();
  await expect(move.getByTestId('send-code')).toHaveText('Sent');
  await move.getByTestId('send-code').click();
  await expect(move.getByTestId('error')).toBeVisible();
  await move.locator('input[name=sms]').fill(await smsCode(newMobile));
  await move.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-mobile')).toHaveText(newMobile);
  mobile = newMobile;

  // The vendor sees the user in its Users table.
  await login(page, vendor.mobile, vendor.pwd);
  await page.getByTestId('nav-users').click();
  await page.getByTestId('table-search').fill('Lin');
  const row = page.getByTestId('users-table').locator('tbody tr', { hasText: mobile });
  await expect(row).toHaveCount(1);
  await row.getByTestId('user-link').click();
  await expect(page.getByTestId('user-card')).toContainText(uid);

  // The platform deregisters the user from its portal: its session on the phone ends.
  const ops = await browser.newContext({ locale: 'en-US' });
  const admin = await ops.newPage();
  await platformLogin(admin);
  await admin.getByTestId('nav-users').click();
  await admin.getByTestId('search-field').selectOption('mobile');
  await admin.getByTestId('table-search').fill(mobile);
  const listed = admin.getByTestId('users-table').locator('tbody tr', { hasText: mobile });
  await expect(listed).toHaveCount(1);
  await listed.getByTestId('user-link').click();
  await expect(admin.getByTestId('user-card')).toContainText(uid);
  await admin.getByTestId('deregister-user').click();
  await expect(admin.getByRole('alertdialog')).toContainText('can no longer sign in');
  await admin.getByTestId('confirm-yes').click();
  // Back on the list (the user's own page has a users table too: the users it referred, so
  // wait for the page to go, not for a table to show). Its record stays listed, with the time
  // it was deregistered; reading it answers 410.
  await expect(admin.getByTestId('user-card')).toHaveCount(0);
  await expect(admin.getByTestId('users-table')).toBeVisible();
  await admin.getByTestId('search-field').selectOption('mobile');
  await admin.getByTestId('table-search').fill(mobile);
  const kept = admin.getByTestId('users-table').locator('tbody tr', { hasText: mobile });
  await expect(kept).toHaveCount(1);
  const headers = await admin.getByTestId('users-table').locator('thead th').allTextContents();
  const column = headers.findIndex((h) => h.trim().toLowerCase() === 'deregistered');
  expect(column).toBeGreaterThan(-1);
  await expect(kept.locator('td').nth(column)).toHaveText(/^\d{4}-\d{2}-\d{2}/);
  const gone = await request.get(`/api/users/${uid}`, { headers: { 'Access-Token': vendor.platform } });
  expect(gone.status()).toBe(410);
  await ops.close();
  await m.reload();
  await expect(m.getByTestId('m-sign-in')).toBeVisible();
  await phone.close();
});

test('a dealer shares its promotion link; the users it brings appear in its Users', async ({ browser, page, request }) => {
  test.setTimeout(120_000);
  const vendor = await vendorForTheRun(request);
  const auth = await request.post('/v2/corp_auth', { data: { account: vendor.mobile, password: vendor.pwd } });
  const token = (await auth.json()).access_token;
  const stamp = `${Date.now()}`;
  const dealer = { name: `Promoter ${stamp.slice(-4)}`, email: `promo-${stamp}@example.com`, phone: `131${stamp.slice(-8)}`, password: 'Dealer-pass1' };
  const added = await request.post('/v2/dealer', { headers: { 'Access-Token': token }, data: dealer });
  expect(added.status()).toBe(200);

  await page.goto(`/dealer/login?corp_id=${vendor.vid}`);
  await hydrated(page);
  await page.fill('input[name=account]', dealer.email);
  await page.fill('input[name=password]', dealer.password);
  await page.click('button[type=submit]');
  await page.getByTestId('nav-users').click();
  await expect(page.getByTestId('promotion-qr').locator('svg')).toBeVisible();
  const link = await page.getByTestId('promotion-link').getAttribute('href');
  expect(link).toContain(`/m/${vendor.code}/signup?dealer=`);

  const phone = await browser.newContext(PHONE);
  const m = await phone.newPage();
  const mobile = `130${`${Date.now()}`.slice(-8)}`;
  await m.goto(link);
  await hydrated(m);
  const form = m.getByTestId('m-sign-up');
  await form.locator('input[name=mobile]').fill(mobile);
  await form.getByTestId('send-code').click();
  await expect(form.getByTestId('send-code')).toHaveText('Sent');
  await form.locator('input[name=sms]').fill(await smsCode(mobile));
  await form.locator('input[name=name]').fill('Promoted');
  await form.locator('input[name=pwd]').fill('user-pass-1');
  await form.locator('button[type=submit]').click();
  await expect(m.getByTestId('m-me')).toBeVisible();
  await phone.close();

  await page.reload();
  await expect(page.getByTestId('users-table').locator('tbody tr', { hasText: mobile })).toHaveCount(1);

  // The vendor filters its Users by the dealer: the promoted user, and not one signed up directly.
  const direct = `129${`${Date.now()}`.slice(-8)}`;
  const sent = await request.get(`/api/users/code?vid=${vendor.vid}&mobile=${direct}`);
  expect(sent.status()).toBe(200);
  const made = await request.post('/api/users', {
    data: { vid: vendor.vid, mobile: direct, code: await smsCode(direct), name: 'Direct', pwd: 'user-pass-1' },
  });
  expect(made.status()).toBe(201);
  const ctx = await browser.newContext({ locale: 'en-US' });
  const corpPage = await ctx.newPage();
  await login(corpPage, vendor.mobile, vendor.pwd);
  await corpPage.getByTestId('nav-users').click();
  const rows = corpPage.getByTestId('users-table').locator('tbody tr');
  await expect(rows.filter({ hasText: direct })).toHaveCount(1);
  await corpPage.getByTestId('filter-dealer').selectOption({ label: `${dealer.name} (${(await added.json()).dealer_code})` });
  await expect(rows.filter({ hasText: mobile })).toHaveCount(1);
  await expect(rows.filter({ hasText: direct })).toHaveCount(0);
  await ctx.close();
});
