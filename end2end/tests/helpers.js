const { expect } = require('@playwright/test');
const path = require('node:path');
const fs = require('node:fs');

/** The corp created by global-setup for this run. */
function corp() {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.state', 'corp.json'), 'utf8'));
}

/** Waits until the WASM has hydrated the page (the app marks <body data-hydrated>). */
async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
}

/** Records console errors and failed page loads so a test can assert there were none. */
function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

/** The platform administrator created by global-setup for this run. */
function platformAdmin() {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.state', 'platform.json'), 'utf8'));
}

/** The code of the last SMS the log provider sent to `mobile` (its outbox, SMS_OUTBOX_FILE). */
async function smsCode(mobile) {
  const file = process.env.SMS_OUTBOX_FILE;
  if (!file) throw new Error('SMS_OUTBOX_FILE is not set: the server must write its SMS outbox for the browser tests');
  for (let i = 0; i < 50; i += 1) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    const sent = lines.map((l) => JSON.parse(l)).filter((m) => m.mobile === mobile);
    if (sent.length) return sent[sent.length - 1].code;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS to ${mobile}`);
}

async function login(page, account, password) {
  await page.goto('/corp/login');
  await hydrated(page);
  await page.fill('input[name=account]', account);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Signs in to the platform portal as this run's platform administrator. */
async function platformLogin(page) {
  await page.goto('/platform/login');
  await hydrated(page);
  await page.fill('input[name=account]', platformAdmin().account);
  await page.fill('input[name=password]', platformAdmin().password);
  await page.click('button[type=submit]');
  await expect(page.getByTestId('platform-account')).toHaveText(platformAdmin().account);
}

module.exports = { corp, platformAdmin, platformLogin, hydrated, watchErrors, login, smsCode };
