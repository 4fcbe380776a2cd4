// The corp's product catalogue: create, release, and deleting (refused once released).
const { test, expect } = require('@playwright/test');
const { corp, login } = require('./helpers');

test('a corp creates, releases and deletes products; a released one cannot be deleted', async ({ page }) => {
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.getByTestId('nav-products').click();

  const create = async (name) => {
    await page.getByTestId('add-product').click();
    const form = page.getByTestId('product-form');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=mode]').fill('X1');
    await form.locator('select[name=link_type]').selectOption('3');
    await form.locator('button[type=submit]').click();
    await expect(form).toBeHidden();
    return page.getByTestId('product').filter({ hasText: name });
  };

  const stamp = Date.now() % 100000;
  const kept = await create(`Purifier ${stamp}`);
  await expect(kept).toContainText('Bluetooth LE');
  await expect(kept).toContainText('Draft');
  await kept.getByTestId('release-product').click();
  await kept.getByTestId('confirm-yes').click();
  await expect(kept).toContainText('Released');
  await kept.getByTestId('delete-product').click();
  await kept.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('error')).toHaveText('A released product cannot be deleted');

  const draft = await create(`Prototype ${stamp}`);
  await draft.getByTestId('delete-product').click();
  await draft.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('product').filter({ hasText: `Prototype ${stamp}` })).toHaveCount(0);
  await expect(page.getByTestId('product').filter({ hasText: `Purifier ${stamp}` })).toHaveCount(1);
});
