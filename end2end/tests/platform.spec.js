// The platform operator onboards vendors (issue 15): registers one, finds it, replaces a secret,
// disables and enables it; the vendor's admin signs in to the corp portal and sets its secrets;
// a deregistered vendor's admin cannot sign in any more.
const { test, expect } = require('@playwright/test');
const { platformLogin, login } = require('./helpers');

function unique() {
  const stamp = `${Date.now()}`;
  return {
    name: `Vendor ${stamp.slice(-6)}`,
    mobile: `136${stamp.slice(-8)}`,
    email: `vendor-${Date.now().toString(36)}@example.com`,
    user: `v${stamp.slice(-8)}`,
  };
}

async function registerVendor(page, who) {
  await page.getByTestId('register-vendor').click();
  const form = page.getByTestId('register-vendor-form');
  await form.locator('input[name=name]').fill(who.name);
  await form.locator('input[name=contact]').fill('Zhou');
  await form.locator('input[name=mobile]').fill(who.mobile);
  await form.locator('input[name=email]').fill(who.email);
  await form.locator('input[name=user]').fill(who.user);
  await form.locator('input[name=pwd]').fill('vendor-pass-1');
  await form.locator('input[name=mch_secret]').fill('merchant-key-1');
  await form.getByTestId('register-save').click();
  await expect(form).toBeHidden();
  const code = await page.getByTestId('vendor-registered').locator('span').textContent();
  expect(code).toMatch(/^[A-Z0-9]{4}$/);
  return code;
}

async function openVendor(page, name) {
  await page.getByTestId('table-search').fill(name);
  const row = page.getByTestId('vendors-table').locator('tbody tr', { hasText: name });
  await expect(row).toHaveCount(1);
  await row.getByTestId('vendor-link').click();
  await expect(page.getByTestId('vendor-card')).toContainText(name);
}

test('the platform registers a vendor, replaces a secret, disables and enables it; the vendor sets its own', async ({ page, browser }) => {
  await platformLogin(page);
  const who = unique();
  const code = await registerVendor(page, who);
  await page.getByTestId('filter-state').selectOption('2');
  await openVendor(page, who.name);
  await expect(page.getByTestId('vendor-card')).toContainText(code);

  // Secrets: only "set" or "not set"; Replace opens an input, and the value is never shown.
  const mch = page.getByTestId('mch-secret');
  const mp = page.getByTestId('mp-secret');
  await expect(mch.getByTestId('secret-state')).toHaveText('Set');
  await expect(mp.getByTestId('secret-state')).toHaveText('Not set');
  await mp.getByTestId('replace-secret').click();
  await mp.getByTestId('secret-input').fill('official-account-secret');
  await page.getByTestId('save-accounts').click();
  await expect(page.getByTestId('mp-secret').getByTestId('secret-state')).toHaveText('Set');
  await expect(page.locator('body')).not.toContainText('official-account-secret');
  await expect(page.locator('body')).not.toContainText('merchant-key-1');

  // Disable (after a confirmation), then enable.
  await page.getByTestId('disable-vendor').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('vendor-card')).toContainText('Disabled');
  await page.getByTestId('enable-vendor').click();
  await expect(page.getByTestId('vendor-card')).toContainText('Active');

  // The vendor's admin signs in to the corp portal with its account name and sets its secrets.
  const ctx = await browser.newContext({ locale: 'en-US' });
  const admin = await ctx.newPage();
  await login(admin, who.user, 'vendor-pass-1');
  await expect(admin.getByTestId('dashboard-title')).toBeVisible();
  await admin.getByTestId('nav-settings').click();
  await expect(admin.getByTestId('vendor-code')).toHaveText(code);
  const own = admin.getByTestId('mch-secret');
  await expect(own.getByTestId('secret-state')).toHaveText('Set');
  await own.getByTestId('replace-secret').click();
  await own.getByTestId('secret-input').fill('merchant-key-2');
  await admin.locator('input[name=mch_appid]').fill('wx-merchant-app');
  await admin.getByTestId('save-accounts').click();
  await expect(admin.getByTestId('mch-secret').getByTestId('secret-state')).toHaveText('Set');
  await expect(admin.locator('input[name=mch_appid]')).toHaveValue('wx-merchant-app');
  await admin.locator('input[name=abbv]').fill('Short');
  await admin.getByTestId('save-vendor').click();
  await expect(admin.getByTestId('saved')).toBeVisible();
  await ctx.close();
});

test('a deregistered vendor is kept in the list and its admin can no longer sign in', async ({ page, browser }) => {
  await platformLogin(page);
  const who = unique();
  await registerVendor(page, who);
  await openVendor(page, who.name);
  await page.getByTestId('deregister-vendor').click();
  await expect(page.getByRole('alertdialog')).toContainText('cannot be undone');
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('vendors-table')).toBeVisible();
  await page.getByTestId('table-search').fill(who.name);
  await expect(page.getByTestId('vendors-table').locator('tbody tr', { hasText: who.name })).toHaveCount(1);

  const ctx = await browser.newContext({ locale: 'en-US' });
  const admin = await ctx.newPage();
  await login(admin, who.mobile, 'vendor-pass-1');
  await expect(admin.getByTestId('error')).toContainText('deregistered');
  await ctx.close();
});
