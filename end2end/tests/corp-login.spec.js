// The corp portal's front door: login, dashboard, language, logout.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, watchErrors, login } = require('./helpers');

test('a wrong password shows the error in place and stays on the login page', async ({ page }) => {
  await login(page, corp().email, 'not-the-password');
  await expect(page.getByTestId('error')).toHaveText('Wrong account or password');
  await expect(page).toHaveURL(/\/corp\/login$/);
  await expect(page.locator('input[name=account]')).toHaveValue(corp().email);
});

test('a good login shows the dashboard with the corp information', async ({ page }) => {
  const errors = watchErrors(page);
  const c = corp();
  await login(page, c.email, c.password);
  await expect(page).toHaveURL(/\/corp$/);
  await expect(page.getByTestId('dashboard-title')).toHaveText('Dashboard');
  await expect(page.getByTestId('corp-info')).toContainText(c.company);
  await expect(page.getByTestId('corp-info')).toContainText(c.corp_id);
  await expect(page.getByTestId('member-name')).toContainText(c.name);
  await expect(page.getByTestId('member-name')).toContainText('Administrator');
  // A full reload keeps the session.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId('corp-info')).toContainText(c.company);
  expect(errors).toEqual([]);
});

test('the phone number works as the account too', async ({ page }) => {
  await login(page, corp().phone, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
});

test('the language switch changes the text in place and is remembered', async ({ page }) => {
  await page.goto('/corp/login');
  await hydrated(page);
  await expect(page.locator('h1')).toHaveText('Corp member sign in');
  // No navigation happens: the hydrated page re-renders itself.
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('h1')).toHaveText('企业成员登录');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('h1')).toHaveText('企业成员登录');
  // Errors are translated too.
  await page.fill('input[name=account]', corp().email);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await expect(page.getByTestId('error')).toHaveText('账号或密码错误');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('error')).toHaveText('Wrong account or password');
});

test('logout returns to the login page and back does not show the dashboard', async ({ page }) => {
  const c = corp();
  await login(page, c.email, c.password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/corp\/login$/);
  await expect(page.locator('h1')).toHaveText('Corp member sign in');
  await page.goBack();
  await expect(page).toHaveURL(/\/corp\/login$/);
  await expect(page.getByTestId('dashboard-title')).toHaveCount(0);
  await expect(page.getByTestId('corp-info')).toHaveCount(0);
  // And the dashboard URL itself sends the browser to the login page.
  await page.goto('/corp');
  await expect(page).toHaveURL(/\/corp\/login$/);
});

test('the API documentation lists /v2 and can call it from the browser', async ({ page }) => {
  await page.goto('/api-docs');
  await hydrated(page);
  const op = page.getByTestId('api-op').filter({ hasText: '/v2/corp_auth' });
  await op.locator('button').first().click();
  await op.locator('textarea').fill(JSON.stringify({ account: corp().email, password: corp().password }));
  await op.getByTestId('api-send').click();
  await expect(op.getByTestId('api-answer')).toContainText('HTTP 200');
  await expect(op.getByTestId('api-answer')).toContainText('access_token');
});
