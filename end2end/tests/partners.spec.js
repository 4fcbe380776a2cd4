// Dealers and key accounts: the corp onboards them; each signs into its own portal.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login } = require('./helpers');

function unique(tag) {
  const stamp = `${Date.now()}`;
  return { email: `${tag}-${Date.now().toString(36)}@example.com`, phone: `135${stamp.slice(-8)}` };
}

async function corpLogin(page) {
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
}

async function addDealer(page, name, upperName) {
  await page.getByTestId('add-dealer').click();
  const form = page.getByTestId('add-dealer-form');
  const who = unique(name.toLowerCase().replace(/\s/g, ''));
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=email]').fill(who.email);
  await form.locator('input[name=phone]').fill(who.phone);
  await form.locator('input[name=password]').fill('Dealer-pass1');
  await form.locator('input[name=address]').fill('1 Market Street');
  if (upperName) {
    const picker = form.getByTestId('upper-dealer');
    const value = await picker.locator('option', { hasText: upperName }).getAttribute('value');
    await picker.selectOption(value);
  }
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  // Small pause so the next dealer's phone (from the clock) differs.
  await page.waitForTimeout(5);
  return who;
}

test('a corp onboards a dealer and a sub-dealer; the dealer signs in through the shared link', async ({ page, browser }) => {
  await corpLogin(page);
  await page.getByTestId('nav-dealers').click();
  const top = `Top Dealer ${Date.now() % 100000}`;
  const sub = `Sub Dealer ${Date.now() % 100000}`;
  const topAccount = await addDealer(page, top);
  await addDealer(page, sub, top);

  await page.getByTestId('tree-mode').click();
  const tree = page.getByTestId('dealer-tree');
  await expect(tree.getByTestId('tree-node').filter({ hasText: sub })).toBeVisible();
  const link = await page.getByTestId('share-link').getAttribute('href');
  expect(link).toContain(`corp_id=${corp().corp_id}`);

  const ctx = await browser.newContext({ locale: 'en-US' });
  const dealer = await ctx.newPage();
  await dealer.goto(link);
  await hydrated(dealer);
  await expect(dealer.locator('input[name=corp_id]')).toHaveValue(corp().corp_id);
  await dealer.fill('input[name=account]', topAccount.email);
  await dealer.fill('input[name=password]', 'Dealer-pass1');
  await dealer.click('button[type=submit]');
  await expect(dealer.getByTestId('dealer-profile')).toContainText(top);
  await dealer.getByTestId('nav-sub-dealers').click();
  await expect(dealer.getByTestId('tree-node').filter({ hasText: sub })).toBeVisible();
  await expect(dealer.getByTestId('tree-node')).toHaveCount(2);

  // The corp disables the top dealer; the dealer's next click lands on the sign-in page.
  await page.getByTestId('table-mode').click();
  await page.getByTestId('search-field').selectOption('email');
  await page.getByTestId('table-search').fill(topAccount.email);
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  await page.getByTestId('dealer-link').click();
  await page.getByTestId('disable-dealer').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('dealer-card')).toContainText('Disabled');

  await dealer.getByTestId('nav-profile').click();
  await expect(dealer).toHaveURL(/\/dealer\/login$/);
  await ctx.close();
});

test('a wrong dealer password is refused in place', async ({ page }) => {
  await page.goto(`/dealer/login?corp_id=${corp().corp_id}`);
  await hydrated(page);
  await page.fill('input[name=account]', 'nobody@example.com');
  await page.fill('input[name=password]', 'Wrong-pass1');
  await page.click('button[type=submit]');
  await expect(page.getByTestId('error')).toHaveText('Wrong account or password');
});

test('a corp creates a key account, who signs in and sees its dashboard', async ({ page, browser }) => {
  await corpLogin(page);
  await page.getByTestId('nav-heavy-buyers').click();
  await page.getByTestId('add-heavy-buyer').click();
  const form = page.getByTestId('add-heavy-buyer-form');
  const who = unique('buyer');
  const name = `Key Account ${Date.now() % 100000}`;
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=industry]').fill('Hotels');
  await form.locator('input[name=location]').fill('Shanghai');
  await form.locator('input[name=contacter]').fill('Kim');
  await form.locator('input[name=contact_way]').fill('+86 21 5555 0000');
  await form.locator('input[name=email]').fill(who.email);
  await form.locator('input[name=phone]').fill(who.phone);
  await form.locator('input[name=password]').fill('weak');
  await form.locator('button[type=submit]').click();
  await expect(form.getByTestId('field-error')).toHaveText('9 to 16 characters with upper case, lower case and a digit');
  await form.locator('input[name=password]').fill('Buyer-pass1');
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  await page.getByTestId('table-search').fill(name);
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  const link = await page.getByTestId('share-link').getAttribute('href');

  const ctx = await browser.newContext({ locale: 'en-US' });
  const buyer = await ctx.newPage();
  await buyer.goto(link);
  await hydrated(buyer);
  await buyer.fill('input[name=account]', who.phone);
  await buyer.fill('input[name=password]', 'Buyer-pass1');
  await buyer.click('button[type=submit]');
  await expect(buyer.getByTestId('heavy-buyer-profile')).toContainText(name);
  await expect(buyer.getByTestId('heavy-buyer-profile')).toContainText('Hotels');
  // A key account never reaches the corp portal.
  await buyer.goto('/corp');
  await expect(buyer).toHaveURL(/\/corp\/login$/);
  await ctx.close();
});
