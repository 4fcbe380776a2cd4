// The dealer's sales ledger and its own sign-in page (issue 14): the corp gives a dealer a
// branded sign-in link; the dealer signs in through it, records three sales and sees them; the
// corp sees them on the dealer's page and in the dashboard's sales chart.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login, watchErrors } = require('./helpers');

test('a dealer signs in through its branded page, records three sales, and the corp sees them', async ({ page, browser }) => {
  const errors = watchErrors(page);
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();

  // A new dealer.
  await page.getByTestId('nav-dealers').click();
  await page.getByTestId('add-dealer').click();
  const form = page.getByTestId('add-dealer-form');
  const stamp = Date.now();
  const name = `Sales Dealer ${stamp % 100000}`;
  const email = `sales-${stamp.toString(36)}@example.com`;
  await form.locator('input[name=name]').fill(name);
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=phone]').fill(`136${String(stamp).slice(-8)}`);
  await form.locator('input[name=password]').fill('Dealer-pass1');
  await form.locator('input[name=contacter]').fill('Han Meimei');
  await form.locator('input[name=sale_goal]').fill('300');
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  await page.getByTestId('search-field').selectOption('email');
  await page.getByTestId('table-search').fill(email);
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  await page.getByTestId('dealer-link').click();
  await expect(page.getByTestId('dealer-card')).toContainText('Han Meimei');

  // Its own sign-in page: text and logo.
  const entry = page.getByTestId('entry-form');
  await entry.locator('input[name=login_context]').fill('Welcome to the East Shop portal');
  await entry.locator('input[name=logo_url]').fill('https://img.example.com/east.png');
  await entry.getByTestId('entry-save').click();
  await expect(entry.getByTestId('entry-saved')).toBeVisible();
  const link = await entry.getByTestId('entry-link').getAttribute('href');

  const ctx = await browser.newContext({ locale: 'en-US' });
  const dealer = await ctx.newPage();
  await dealer.goto(link);
  await hydrated(dealer);
  await expect(dealer.getByTestId('entry-text')).toHaveText('Welcome to the East Shop portal');
  await expect(dealer.getByTestId('entry-logo')).toHaveAttribute('src', 'https://img.example.com/east.png');
  await dealer.fill('input[name=account]', email);
  await dealer.fill('input[name=password]', 'Dealer-pass1');
  await dealer.click('button[type=submit]');
  await expect(dealer.getByTestId('dealer-profile')).toContainText(name);

  // Three sales: two by hand, one imported.
  await dealer.getByTestId('nav-sales').click();
  const today = new Date().toISOString().slice(0, 10);
  const record = dealer.getByTestId('record-sale');
  for (const customer of ['Zhang San', 'Li Si']) {
    await record.locator('input[name=name]').fill(customer);
    await record.locator('input[name=phone]').fill('13900000001');
    await record.locator('input[name=sn]').fill(`SN-${customer.length}`);
    await record.locator('input[name=sale_time]').fill(today);
    await record.getByTestId('record-sale-submit').click();
    await expect(dealer.getByTestId('sales-table').getByTestId('table-row').filter({ hasText: customer })).toBeVisible();
  }
  const imported = dealer.getByTestId('import-sales');
  await imported.getByTestId('import-sales-text').fill(`name,phone,sn,sale_time\nWang Wu,13900000003,SN-3,${today}`);
  await imported.getByTestId('import-sales-submit').click();
  await expect(imported.getByTestId('import-sales-result')).toContainText('1');
  const rows = dealer.getByTestId('sales-table').getByTestId('table-row');
  await expect(rows).toHaveCount(3);
  await expect(dealer.getByTestId('sales-table').getByTestId('table-count')).toContainText('3');
  await ctx.close();

  // The corp: the dealer's page lists them, and the dashboard's chart counts them today.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('dealer-card')).toContainText('3');
  await expect(page.getByTestId('sales-table').getByTestId('table-row')).toHaveCount(3);
  await page.getByTestId('nav-dashboard').click();
  const chart = page.getByTestId('sales-chart');
  await expect(chart).toBeVisible();
  const bar = chart.locator(`[data-testid=day-bar][data-day="${today}"]`);
  expect(Number(await bar.getAttribute('data-total'))).toBeGreaterThanOrEqual(3);
  expect(errors).toEqual([]);
});

test('a closed sign-in page says so and signs no one in', async ({ page, request }) => {
  const { corp_id: corpId } = corp();
  // Set up over /v2 as the console would: a dealer and its closed entry.
  const auth = await request.post('/v2/corp_auth', { data: { account: corp().email, password: corp().password } });
  const token = (await auth.json()).access_token;
  const stamp = Date.now();
  const email = `closed-${stamp.toString(36)}@example.com`;
  const made = await request.post('/v2/dealer', {
    headers: { 'Access-Token': token },
    data: { name: 'Closed Shop', email, phone: `137${String(stamp).slice(-8)}`, password: 'Dealer-pass1' },
  });
  const id = (await made.json()).id;
  await request.post(`/v2/dealer/${id}/entry_config`, {
    headers: { 'Access-Token': token },
    data: { is_enable: false, login_context: 'Closed for stocktaking', logo_url: '', product: [], module: [] },
  });
  await page.goto(`/dealer/login?corp_id=${corpId}&id=${id}`);
  await hydrated(page);
  await expect(page.getByTestId('entry-closed')).toBeVisible();
  await expect(page.getByTestId('entry-text')).toHaveText('Closed for stocktaking');
  await page.fill('input[name=account]', email);
  await page.fill('input[name=password]', 'Dealer-pass1');
  await page.click('button[type=submit]');
  await expect(page.getByTestId('login-form').getByTestId('error')).toBeVisible();
  await expect(page).toHaveURL(/\/dealer\/login/);
});
