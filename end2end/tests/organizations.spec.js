// Key-account organizations: the key account builds a three-level organization tree, adds an
// admin user in the middle organization and hands two devices to the bottom one; the admin adds
// a member below; the member sees exactly the two devices and may change nothing; deleting the
// middle organization says what it takes with it and moves its users back to the root.
const { test, expect } = require('@playwright/test');
const { corp, hydrated } = require('./helpers');

const BUYER_PASSWORD = 'Buyer1234x';
const ADMIN = { username: 'salesadmin', password: 'Sales1234x' };
const MEMBER = { username: 'shopclerk', password: 'Clerk1234x' };

function stamp() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** A phone number nobody else in this run is likely to have. */
function phone(prefix) {
  return `${prefix}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** `n` MACs (12 upper-case hex digits) that share a random prefix. */
function macs(n) {
  const base = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return Array.from({ length: n }, (_, i) => `${base}${(i + 1).toString(16).padStart(4, '0')}`.toUpperCase());
}

/** The corp admin's `/v2` token. */
async function corpToken(request, baseURL) {
  const res = await request.post(new URL('/v2/corp_auth', baseURL).toString(), {
    data: { account: corp().email, password: corp().password },
  });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(typeof body.access_token).toBe('string');
  return body.access_token;
}

async function apiPost(request, baseURL, token, path, data) {
  const res = await request.post(new URL(path, baseURL).toString(), { data, headers: { 'Access-Token': token } });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

/** The key account signs in with the corp id, its phone and password ("Key account" form). */
async function loginAsKeyAccount(page, account, password) {
  await page.goto('/heavy_buyer/login');
  await hydrated(page);
  await page.getByTestId('login-as-account').click();
  const form = page.getByTestId('login-form');
  await expect(form).toBeVisible();
  await form.locator('input[name=corp_id]').fill(corp().corp_id);
  await form.locator('input[name=account]').fill(account);
  await form.locator('input[name=password]').fill(password);
  await form.locator('button[type=submit]').click();
  await expect(page.getByTestId('heavy-buyer-profile')).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/heavy_buyer$/);
}

/** An organization user signs in through the link the key account shares. */
async function loginAsUser(page, link, heavyBuyerId, user) {
  await page.goto(link);
  await hydrated(page);
  const form = page.getByTestId('user-login-form');
  await expect(form).toBeVisible();
  await expect(form.locator('input[name=heavy_buyer_id]')).toHaveValue(String(heavyBuyerId));
  await form.locator('input[name=username]').fill(user.username);
  await form.locator('input[name=password]').fill(user.password);
  await form.locator('button[type=submit]').click();
  const profile = page.getByTestId('heavy-buyer-profile');
  await expect(profile).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/heavy_buyer$/);
  await expect(profile).toContainText(user.username);
  // Only the key account itself is shown the users' sign-in link.
  await expect(page.getByTestId('user-login-link')).toHaveCount(0);
}

async function logout(page) {
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/heavy_buyer\/login$/, { timeout: 20_000 });
}

async function openPage(page, navTestId, path) {
  await page.getByTestId(navTestId).click();
  // A Devices page adds its product (`?product=`) to the address.
  await expect(page).toHaveURL(new RegExp(`${path.replace(/\//g, '\\/')}(\\?product=\\w+)?$`));
}

/** The `li` of the organization named `name`. */
function orgNode(page, name) {
  return page.locator(`[data-testid=org-node][data-name="${name}"]`);
}

/** The node's own line (its buttons), not those of its sub-organizations. */
function orgRow(page, name) {
  return page.locator(`[data-testid=org-node][data-name="${name}"] > div`).first();
}

function rootRow(page) {
  return page.locator('[data-testid=org-root] > div').first();
}

/** Opens "add sub-organization" on `row`, names it and saves; answers the new node's id. */
async function addChild(page, row, parentSelector, name) {
  await row.getByTestId('org-add-child').click();
  const editor = page.getByTestId('org-editor');
  await expect(editor).toHaveCount(1);
  await editor.getByTestId('org-name-input').fill(name);
  await editor.getByTestId('org-save').click();
  const created = page.locator(`${parentSelector} [data-testid=org-node][data-name="${name}"]`);
  await expect(created).toBeVisible();
  await expect(page.getByTestId('org-editor')).toHaveCount(0);
  const id = await created.getAttribute('data-id');
  expect(id).toMatch(/^[0-9]+$/);
  return id;
}

/** Opens the Devices page on `productId`; answers the device table. */
async function openDevices(page, productId) {
  await openPage(page, 'nav-devices', '/heavy_buyer/devices');
  await page.getByTestId('product-picker').selectOption(productId);
  return page.getByTestId('devices-table');
}

/** Adds an organization user through the "Add user" dialog. */
async function addUser(page, user, chooseOrganization, role) {
  await page.getByTestId('add-user').click();
  const form = page.getByTestId('add-user-form');
  await expect(form).toBeVisible();
  await form.locator('input[name=username]').fill(user.username);
  await form.locator('input[name=password]').fill(user.password);
  await chooseOrganization(form.getByTestId('user-organization'));
  await form.getByTestId('user-role').selectOption(role);
  await form.getByTestId('add-user-save').click();
  await expect(form).toBeHidden({ timeout: 15_000 });
}

function userRow(page, username) {
  return page.getByTestId('users-table').getByTestId('table-row').filter({ hasText: username });
}

test('a key account organizes its company, its users see and manage exactly their part', async ({ page, request, baseURL }) => {
  test.slow();

  // Setup that is not the point, over /v2: a key account, a product, six devices granted to it.
  const token = await corpToken(request, baseURL);
  const run = stamp();
  const buyerPhone = phone('139');
  const buyerName = `Org Buyer ${run}`;
  const buyer = await apiPost(request, baseURL, token, '/v2/heavy_buyer', {
    name: buyerName,
    email: `org-buyer-${run}@example.com`,
    phone: buyerPhone,
    password: BUYER_PASSWORD,
    industry: 'Retail',
    location: 'Suzhou',
    contacter: 'Lin',
    contact_way: '+86 512 5555 0000',
  });
  expect(typeof buyer.id).toBe('number');
  const product = await apiPost(request, baseURL, token, '/v2/product', {
    name: `Org Lamp ${run}`.slice(0, 32),
    link_type: 3,
    mode: 'O1',
  });
  expect(typeof product.id).toBe('string');
  const productId = product.id;
  const allMacs = macs(6);
  const created = await apiPost(request, baseURL, token, `/v2/product/${productId}/device_batch`,
    allMacs.map((mac, i) => ({ mac, name: `Org Lamp ${i + 1}` })));
  expect(created.devices).toHaveLength(6);
  const granted = await apiPost(request, baseURL, token,
    `/v2/heavy_buyer/${buyer.id}/grant_device?product_id=${encodeURIComponent(productId)}`,
    allMacs.map((mac) => ({ mac })));
  expect(granted.devices).toHaveLength(6);
  const [shopMac1, shopMac2] = [allMacs[1], allMacs[4]];

  // 2. The key account signs in; its profile shows the link its users sign in with.
  await loginAsKeyAccount(page, buyerPhone, BUYER_PASSWORD);
  await expect(page.getByTestId('heavy-buyer-profile')).toContainText(buyerName);
  await expect(page.getByTestId('heavy-buyer-profile')).toContainText(String(buyer.id));
  const userLink = await page.getByTestId('user-login-link').locator('a').getAttribute('href');
  expect(userLink).toContain(`heavy_buyer_id=${buyer.id}`);
  const heavyBuyerId = new URL(userLink, baseURL).searchParams.get('heavy_buyer_id');
  expect(heavyBuyerId).toBe(String(buyer.id));

  // 3. Root → HQ → Sales → Shop, built in the tree.
  await openPage(page, 'nav-organizations', '/heavy_buyer/organizations');
  await expect(page.getByTestId('org-root')).toBeVisible();
  await expect(page.getByTestId('org-node')).toHaveCount(0);
  await addChild(page, rootRow(page), '[data-testid=org-root]', 'HQ');
  await addChild(page, orgRow(page, 'HQ'), '[data-testid=org-node][data-name="HQ"]', 'Sales');
  const shopId = await addChild(page, orgRow(page, 'Sales'), '[data-testid=org-node][data-name="Sales"]', 'Shop');
  await expect(page.getByTestId('org-node')).toHaveCount(3);
  await expect(page.locator(
    '[data-testid=org-root] [data-testid=org-node][data-name="HQ"] [data-testid=org-node][data-name="Sales"] [data-testid=org-node][data-name="Shop"]',
  )).toBeVisible();

  // 4. An admin user in Sales.
  await openPage(page, 'nav-users', '/heavy_buyer/users');
  await expect(page.getByTestId('users-table')).toBeVisible();
  await addUser(page, ADMIN, (select) => select.selectOption({ label: 'HQ / Sales' }), '1');
  await expect(userRow(page, ADMIN.username)).toHaveCount(1);
  await expect(userRow(page, ADMIN.username)).toContainText('HQ / Sales');
  await expect(userRow(page, ADMIN.username)).toContainText('Admin');

  // 5. Two devices go to Shop.
  const table = await openDevices(page, productId);
  const rows = table.getByTestId('table-row');
  await expect(rows).toHaveCount(6);
  await expect(table.getByTestId('table-count')).toHaveText('Total 6');
  await rows.filter({ hasText: shopMac1 }).getByTestId('row-select').check();
  await rows.filter({ hasText: shopMac2 }).getByTestId('row-select').check();
  const bar = page.getByTestId('grant-bar');
  await expect(bar).toContainText('2 devices selected');
  await bar.getByTestId('grant-organization').selectOption({ label: 'HQ / Sales / Shop' });
  await expect(bar.getByTestId('grant-to-organization')).toBeEnabled();
  await bar.getByTestId('grant-to-organization').click();
  await expect(bar.getByTestId('grant-result')).toHaveText('2 devices granted');
  await expect(bar).toContainText('0 devices selected');
  await expect(rows).toHaveCount(6);
  // The organization column names where each device now sits.
  await expect(rows.filter({ hasText: shopMac1 })).toContainText('HQ / Sales / Shop');
  await expect(rows.filter({ hasText: allMacs[0] })).toContainText('Root organization');
  // Narrowed to Sales and below, the table holds Shop's two.
  await page.getByTestId('org-filter-select').selectOption({ label: 'HQ / Sales' });
  await expect(rows).toHaveCount(2);
  await expect(table.getByTestId('table-count')).toHaveText('Total 2');
  await page.getByTestId('org-filter-select').selectOption('');
  await expect(rows).toHaveCount(6);

  // 6. The admin signs in through the shared link and adds a member in Shop.
  await logout(page);
  await loginAsUser(page, userLink, heavyBuyerId, ADMIN);
  await expect(page.getByTestId('heavy-buyer-profile')).toContainText('Admin');
  await openPage(page, 'nav-users', '/heavy_buyer/users');
  await expect(userRow(page, ADMIN.username)).toHaveCount(1);
  await addUser(page, MEMBER, async (select) => {
    await expect(select.locator(`option[value="${shopId}"]`)).toHaveText(/Shop$/);
    await select.selectOption(shopId);
  }, '2');
  await expect(userRow(page, MEMBER.username)).toHaveCount(1);
  await expect(userRow(page, MEMBER.username)).toContainText('Shop');
  await expect(userRow(page, MEMBER.username)).toContainText('Member');

  // 7. The member sees exactly Shop's two devices and changes nothing.
  await logout(page);
  await loginAsUser(page, userLink, heavyBuyerId, MEMBER);
  await expect(page.getByTestId('heavy-buyer-profile')).toContainText('Member');
  const memberTable = await openDevices(page, productId);
  const memberRows = memberTable.getByTestId('table-row');
  await expect(memberRows).toHaveCount(2);
  await expect(memberTable.getByTestId('table-count')).toHaveText('Total 2');
  await expect(memberRows.filter({ hasText: shopMac1 })).toHaveCount(1);
  await expect(memberRows.filter({ hasText: shopMac2 })).toHaveCount(1);
  await expect(page.getByTestId('grant-bar')).toHaveCount(0);
  await expect(memberTable.getByTestId('row-select')).toHaveCount(0);

  await openPage(page, 'nav-users', '/heavy_buyer/users');
  await expect(userRow(page, MEMBER.username)).toHaveCount(1);
  await expect(page.getByTestId('add-user')).toHaveCount(0);

  await openPage(page, 'nav-organizations', '/heavy_buyer/organizations');
  await expect(orgNode(page, 'Shop')).toBeVisible();
  await expect(page.getByTestId('org-root')).toHaveCount(0);
  await expect(page.getByTestId('org-add-child')).toHaveCount(0);
  await expect(page.getByTestId('org-delete')).toHaveCount(0);

  // 8. The key account deletes Sales: Shop, both users and the two devices are named first.
  await logout(page);
  await loginAsKeyAccount(page, buyerPhone, BUYER_PASSWORD);
  await openPage(page, 'nav-organizations', '/heavy_buyer/organizations');
  await expect(page.getByTestId('org-node')).toHaveCount(3);
  await orgRow(page, 'Sales').getByTestId('org-delete').click();
  const impact = page.getByTestId('delete-impact');
  await expect(impact).toBeVisible();
  await expect(impact).toContainText('Sales');
  await expect(impact.getByTestId('impact-organizations')).toHaveText(/^1 /);
  await expect(impact.getByTestId('impact-users')).toHaveText(/^2 /);
  await expect(impact.getByTestId('impact-devices')).toHaveText(/^2 /);
  await impact.getByTestId('confirm-delete').click();
  await expect(impact).toBeHidden();
  await expect(orgNode(page, 'Sales')).toHaveCount(0);
  await expect(orgNode(page, 'Shop')).toHaveCount(0);
  await expect(orgNode(page, 'HQ')).toBeVisible();
  await expect(page.getByTestId('org-node')).toHaveCount(1);

  await openPage(page, 'nav-users', '/heavy_buyer/users');
  await expect(page.getByTestId('users-table').getByTestId('table-row')).toHaveCount(2);
  await expect(userRow(page, ADMIN.username)).toContainText('Root organization');
  await expect(userRow(page, MEMBER.username)).toContainText('Root organization');
});

/** The names of the organizations hanging directly under the root, top to bottom. */
async function topLevelNames(page) {
  return page.locator('[data-testid=org-root] > ul > [data-testid=org-node]').evaluateAll(
    (nodes) => nodes.map((n) => n.getAttribute('data-name')),
  );
}

test('the tree is renamed, moved and reordered in place; a user is edited and its password reset', async ({ page, request, baseURL }) => {
  const token = await corpToken(request, baseURL);
  const run = stamp();
  const buyerPhone = phone('136');
  const buyer = await apiPost(request, baseURL, token, '/v2/heavy_buyer', {
    name: `Tree Buyer ${run}`, email: `tree-${run}@example.com`, phone: buyerPhone, password: BUYER_PASSWORD,
    industry: 'Retail', location: 'Hangzhou', contacter: 'Qi', contact_way: '0571',
  });
  // The starting tree over /v2 with the key account's own token: Alpha, Beta, Gamma under the root.
  const auth = await request.post(new URL('/v2/heavy_buyer_auth', baseURL).toString(), {
    data: { corp_id: corp().corp_id, account: buyerPhone, password: BUYER_PASSWORD },
  });
  expect(auth.status()).toBe(200);
  const buyerToken = (await auth.json()).access_token;
  const org = (name, sort) => apiPost(request, baseURL, buyerToken, `/v2/heavy_buyer/${buyer.id}/organization`, { name, sort });
  const alpha = await org('Alpha', 0);
  await org('Beta', 10);
  await org('Gamma', 20);
  const user = await apiPost(request, baseURL, buyerToken, `/v2/heavy_buyer/${buyer.id}/user`,
    { username: 'fieldtech', password: 'Field1234x', organization: alpha.id, role: 2 });

  await loginAsKeyAccount(page, buyerPhone, BUYER_PASSWORD);
  await openPage(page, 'nav-organizations', '/heavy_buyer/organizations');
  await expect.poll(() => topLevelNames(page)).toEqual(['Alpha', 'Beta', 'Gamma']);

  // Rename Beta.
  await orgRow(page, 'Beta').getByTestId('org-rename').click();
  await page.getByTestId('org-editor').getByTestId('org-name-input').fill('Beta Team');
  await page.getByTestId('org-editor').getByTestId('org-save').click();
  await expect(orgNode(page, 'Beta Team')).toBeVisible();
  await expect(orgNode(page, 'Beta')).toHaveCount(0);

  // Move Gamma under Alpha with the parent picker; Gamma's own branch is not offered for Alpha.
  await orgRow(page, 'Gamma').getByTestId('org-move').click();
  await page.getByTestId('org-parent-select').selectOption({ label: 'Alpha' });
  await page.getByTestId('org-editor').getByTestId('org-save').click();
  await expect(page.locator('[data-testid=org-node][data-name="Alpha"] [data-testid=org-node][data-name="Gamma"]')).toBeVisible();
  await expect.poll(() => topLevelNames(page)).toEqual(['Alpha', 'Beta Team']);
  await orgRow(page, 'Alpha').getByTestId('org-move').click();
  const options = await page.getByTestId('org-parent-select').locator('option').allTextContents();
  expect(options).not.toContain('Alpha / Gamma');
  expect(options).toContain('Beta Team');
  await page.getByTestId('org-editor').getByRole('button', { name: 'Cancel' }).click();

  // Drag and drop: Gamma onto Beta Team, and back onto Alpha.
  await orgRow(page, 'Gamma').dragTo(orgRow(page, 'Beta Team'));
  await expect(page.locator('[data-testid=org-node][data-name="Beta Team"] [data-testid=org-node][data-name="Gamma"]')).toBeVisible();
  await orgRow(page, 'Gamma').dragTo(orgRow(page, 'Alpha'));
  await expect(page.locator('[data-testid=org-node][data-name="Alpha"] [data-testid=org-node][data-name="Gamma"]')).toBeVisible();

  // Reorder: Alpha goes down below Beta Team.
  await orgRow(page, 'Alpha').getByTestId('org-down').click();
  await expect.poll(() => topLevelNames(page)).toEqual(['Beta Team', 'Alpha']);
  await page.reload();
  await hydrated(page);
  await expect.poll(() => topLevelNames(page)).toEqual(['Beta Team', 'Alpha']);

  // The user: made an admin in Beta Team, then given a new password.
  await openPage(page, 'nav-users', '/heavy_buyer/users');
  await userRow(page, 'fieldtech').getByTestId('user-link').click();
  await expect(page.getByTestId('user-card')).toContainText('fieldtech');
  await expect(page.getByTestId('user-card')).toContainText('Member');
  const edit = page.getByTestId('edit-user');
  await edit.getByTestId('user-organization').selectOption({ label: 'Beta Team' });
  await edit.getByTestId('user-role').selectOption('1');
  await edit.getByTestId('edit-user-save').click();
  await expect(page.getByTestId('user-saved')).toBeVisible();
  await expect(page.getByTestId('user-card')).toContainText('Admin');

  const reset = page.getByTestId('reset-password');
  await reset.locator('input[name=new_password]').fill('short');
  await reset.getByTestId('reset-password-save').click();
  await expect(reset.getByTestId('field-error')).toBeVisible();
  await reset.locator('input[name=new_password]').fill('Fresh1234x');
  await reset.getByTestId('reset-password-save').click();
  await expect(page.getByTestId('user-saved')).toBeVisible();

  // Over /v2 the user now signs in with the new password only, in Beta Team as an admin.
  const signIn = (password) => request.post(new URL('/v2/heavy_buyer_auth', baseURL).toString(), {
    data: { heavy_buyer_id: buyer.id, username: 'fieldtech', password },
  });
  expect((await signIn('Field1234x')).status()).toBe(400);
  const fresh = await signIn('Fresh1234x');
  expect(fresh.status()).toBe(200);
  const body = await fresh.json();
  expect(body.role).toBe(1);
  expect(body.organization).not.toBe(alpha.id);
  expect(user.id).toBe(body.id);
});
