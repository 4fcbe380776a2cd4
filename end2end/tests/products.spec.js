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

test('a corp edits a product and opens its devices', async ({ page }) => {
  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.getByTestId('nav-products').click();
  const stamp = Date.now() % 100000;
  await page.getByTestId('add-product').click();
  const form = page.getByTestId('product-form');
  await form.locator('input[name=name]').fill(`Kettle ${stamp}`);
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  const card = page.getByTestId('product').filter({ hasText: `Kettle ${stamp}` });
  await card.getByTestId('edit-product').click();
  const edit = card.getByTestId('product-edit-form');
  await edit.locator('input[name=name]').fill('');
  await edit.locator('button[type=submit]').click();
  await expect(edit.getByTestId('field-error')).toBeVisible();
  await edit.locator('input[name=name]').fill(`Smart Kettle ${stamp}`);
  await edit.locator('select[name=link_type]').selectOption('3');
  await edit.locator('button[type=submit]').click();
  const renamed = page.getByTestId('product').filter({ hasText: `Smart Kettle ${stamp}` });
  await expect(renamed).toContainText('Bluetooth LE');
  await expect(renamed.getByTestId('product-edit-form')).toHaveCount(0);
  await renamed.getByTestId('product-devices').click();
  await expect(page).toHaveURL(/\/corp\/products\/[0-9a-f]{32}$/);
  await expect(page.getByTestId('table-count')).toContainText('0');
});
