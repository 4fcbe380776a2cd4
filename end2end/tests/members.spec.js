// The corp portal's team management: adding members, roles, what each principal may see and do.
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login } = require('./helpers');

let seq = 0;
function unique(tag) {
  seq += 1;
  const n = `${Date.now() % 100000000}${seq}`.slice(-8).padStart(8, '0');
  return { email: `${tag}-${Date.now().toString(36)}${seq}@example.com`, phone: `136${n}` };
}

/** Logs the run's admin in over /v2 and answers its access token. */
async function adminToken(request) {
  const res = await request.post('/v2/corp_auth', { data: { account: corp().email, password: corp().password } });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

async function apiMember(request, token, role, roleId) {
  const who = unique(`r${role}`);
  const body = { email: who.email, phone: who.phone, name: `Member ${role} ${seq}`, password: 'member-1', type: role };
  if (roleId) body.role_id = roleId;
  const res = await request.post('/v2/corp/member_add', { data: body, headers: { 'Access-Token': token } });
  expect(res.status(), await res.text()).toBe(200);
  return { ...(await res.json()), password: 'member-1' };
}

test('an admin adds a member, who logs in and changes its password', async ({ page, browser }) => {
  await login(page, corp().email, corp().password);
  await page.getByTestId('nav-members').click();
  await expect(page.getByTestId('members-table')).toBeVisible();
  await page.getByTestId('add-member').click();
  const form = page.getByTestId('add-member-form');
  // Inline validation: nothing is sent while a field is wrong.
  await form.locator('button[type=submit]').click();
  await expect(form.getByTestId('field-error').first()).toBeVisible();
  const who = unique('new');
  await form.locator('input[name=name]').fill('Nora New');
  await form.locator('input[name=email]').fill(who.email);
  await form.locator('input[name=phone]').fill(who.phone);
  await form.locator('input[name=password]').fill('first-pass');
  await form.locator('button[type=submit]').click();
  await expect(form).toBeHidden();
  await page.getByTestId('table-search').fill('Nora New');
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  await expect(page.getByTestId('table-row')).toContainText(who.email);

  const ctx = await browser.newContext({ locale: 'en-US' });
  const nora = await ctx.newPage();
  await login(nora, who.email, 'first-pass');
  await expect(nora.getByTestId('member-name')).toContainText('Nora New');
  await nora.getByTestId('nav-account').click();
  const pw = nora.getByTestId('password-form');
  await pw.locator('input[name=current]').fill('first-pass');
  await pw.locator('input[name=new_password]').fill('second-pass');
  await pw.locator('input[name=repeat]').fill('second-pass');
  await pw.locator('button[type=submit]').click();
  await expect(nora.getByTestId('password-changed')).toBeVisible();
  await nora.getByTestId('logout').click();
  await login(nora, who.email, 'first-pass');
  await expect(nora.getByTestId('error')).toHaveText('Wrong account or password');
  await login(nora, who.email, 'second-pass');
  await expect(nora.getByTestId('dashboard-title')).toBeVisible();
  await ctx.close();
});

test('an operations member sees no "add member" and is refused when it posts anyway', async ({ page, request }) => {
  const ops = await apiMember(request, await adminToken(request), 2);
  await login(page, ops.email, ops.password);
  await page.getByTestId('nav-members').click();
  await expect(page.getByTestId('members-table')).toBeVisible();
  await expect(page.getByTestId('table-row').first()).toBeVisible();
  await expect(page.getByTestId('add-member')).toHaveCount(0);
  const refused = await page.evaluate(async () => {
    const res = await fetch('/fn/member_add', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ input: { email: 'sneaky@example.com', phone: '13500000001', name: 'Sneaky', password: 'secret-1', type: 1 } }),
    });
    return { status: res.status, body: await res.json() };
  });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe(4031005);
});

test('a custom role without member features sees no members menu', async ({ page, request }) => {
  const token = await adminToken(request);
  const roleRes = await request.post('/v2/member_role_add', {
    data: { name: `Product viewer ${Date.now()}`, features: [1401] }, headers: { 'Access-Token': token },
  });
  expect(roleRes.status()).toBe(200);
  const role = await roleRes.json();
  const viewer = await apiMember(request, token, 99, role.id);
  await login(page, viewer.email, viewer.password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await expect(page.getByTestId('nav-members')).toHaveCount(0);
  await expect(page.getByTestId('nav-roles')).toHaveCount(0);
  await page.goto('/corp/members');
  await hydrated(page);
  await expect(page.getByTestId('error').first()).toHaveText('You are not allowed to do this');
});

test('disabling a member ends its open browser session on its next click', async ({ page, browser, request }) => {
  const victim = await apiMember(request, await adminToken(request), 3);
  const ctx = await browser.newContext({ locale: 'en-US' });
  const theirs = await ctx.newPage();
  await login(theirs, victim.email, victim.password);
  await expect(theirs.getByTestId('dashboard-title')).toBeVisible();

  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.getByTestId('nav-members').click();
  await page.getByTestId('search-field').selectOption('email');
  await page.getByTestId('table-search').fill(victim.email);
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  await page.getByTestId('member-link').click();
  await expect(page).toHaveURL(new RegExp(`/corp/members/${victim.id}$`));
  await page.getByTestId('disable-member').click();
  await page.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('member-card')).toContainText('Disabled');

  await theirs.getByTestId('nav-account').click();
  await expect(theirs).toHaveURL(/\/corp\/login$/);
  await ctx.close();
});

test('an admin creates a role with features and deletes it; a role in use is explained', async ({ page, request }) => {
  const token = await adminToken(request);
  await login(page, corp().email, corp().password);
  await page.getByTestId('nav-roles').click();
  await page.getByTestId('add-role').click();
  const name = `Support ${Date.now()}`;
  const form = page.getByTestId('role-form');
  await form.locator('input[name=role_name]').fill(name);
  await form.getByTestId('feature-1001').check();
  await form.getByTestId('feature-1501').check();
  await form.getByTestId('save-role-form').click();
  const card = page.getByTestId('role').filter({ hasText: name });
  await expect(card).toContainText('View members');
  await expect(card).toContainText('View devices');

  // Give the role to a member: deleting it is refused with an explanation.
  const list = await (await request.get('/v2/member_role_list', { headers: { 'Access-Token': token } })).json();
  const role = list.list.find((r) => r.name === name);
  const holder = await apiMember(request, token, 99, role.id);
  await card.getByTestId('delete-role').click();
  await card.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('error')).toContainText('Members still hold this role');
  await request.put(`/v2/corp/member/${holder.id}/role/2`, { headers: { 'Access-Token': token } });
  await card.getByTestId('delete-role').click();
  await card.getByTestId('confirm-yes').click();
  await expect(page.getByTestId('role').filter({ hasText: name })).toHaveCount(0);
});

test('the members table pages, sorts and chooses its columns', async ({ page, request }) => {
  const token = await adminToken(request);
  for (let i = 0; i < 11; i += 1) await apiMember(request, token, 3);
  const disabled = await apiMember(request, token, 2);
  await request.put(`/v2/corp/member/${disabled.id}/disable`, { headers: { 'Access-Token': token } });
  const total = (await (await request.get('/v2/corp/members?limit=1', { headers: { 'Access-Token': token } })).json()).count;
  expect(total).toBeGreaterThan(10);

  await login(page, corp().email, corp().password);
  await page.getByTestId('nav-members').click();
  const table = page.getByTestId('members-table');
  await expect(table.getByTestId('table-count')).toHaveText(`Total ${total}`);
  await expect(table.getByTestId('table-row')).toHaveCount(10);
  await table.getByTestId('next-page').click();
  await expect(table.getByTestId('table-row')).toHaveCount(Math.min(10, total - 10));
  await expect(table).toContainText(`2 / ${Math.ceil(total / 10)}`);

  // Sorting by ID descending puts the newest member first.
  await table.getByRole('button', { name: 'ID' }).click();
  await table.getByRole('button', { name: /ID/ }).click();
  await expect(table.getByTestId('table-row').first().locator('td').first()).toHaveText(String(disabled.id));

  // The status filter narrows the table to disabled members.
  await table.getByTestId('filter-status').selectOption('2');
  await expect(table.getByTestId('table-row').filter({ hasText: disabled.email })).toHaveCount(1);
  // The previous rows stay on screen until the filtered page arrives: wait for it.
  await expect.poll(async () => (await table.getByTestId('table-row').allInnerTexts()).every((row) => row.includes('Disabled'))).toBe(true);
  await table.getByTestId('filter-status').selectOption('');

  // Dropping the Email column removes it from the table.
  await expect(table.locator('th', { hasText: 'Email' })).toHaveCount(1);
  await table.getByTestId('column-chooser').click();
  await table.locator('label', { hasText: 'Email' }).locator('input').uncheck();
  await expect(table.locator('th', { hasText: 'Email' })).toHaveCount(0);
});
