// A device over MQTT (issue 16): a simulated purifier (`backoffice simulate`, a real MQTT client)
// connects to the server's embedded broker; its page shows it online with its values and the
// day's chart; the corp locks it, dispenses water and unlocks it from the buttons, and each
// command's outcome appears; when the simulator stops, the device goes offline.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { test, expect } = require('@playwright/test');
const { corp, hydrated, login } = require('./helpers');

async function corpToken(request, baseURL) {
  const res = await request.post(new URL('/v2/corp_auth', baseURL).toString(), {
    data: { account: corp().email, password: corp().password },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).access_token;
}

async function apiPost(request, baseURL, token, path, data) {
  const res = await request.post(new URL(path, baseURL).toString(), { data, headers: { 'Access-Token': token } });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return res.json();
}

test('a simulated purifier comes online, reports, and obeys the device page', async ({ page, request, baseURL }) => {
  test.setTimeout(90_000);
  // Relative to the crate root (where the scripts run), not to end2end/.
  const bin = process.env.BACKOFFICE_BIN && path.resolve(__dirname, '..', '..', process.env.BACKOFFICE_BIN);
  const broker = process.env.MQTT_ADDR;
  expect(bin, 'BACKOFFICE_BIN names the server binary').toBeTruthy();
  expect(broker, 'MQTT_ADDR names the embedded broker').toBeTruthy();

  const token = await corpToken(request, baseURL);
  const product = await apiPost(request, baseURL, token, '/v2/product', { name: `Purifier ${Date.now()}`, link_type: 1 });
  const mac = `5F${Date.now().toString(16).slice(-10).toUpperCase().padStart(10, '0')}`;
  const device = await apiPost(request, baseURL, token, `/v2/product/${product.id}/device`, { mac });

  await login(page, corp().email, corp().password);
  await expect(page.getByTestId('dashboard-title')).toBeVisible();
  await page.goto(`/corp/products/${product.id}/devices/${device.id}`);
  await hydrated(page);
  const live = page.getByTestId('device-live');
  await expect(live.getByTestId('online-state')).toHaveText('Offline');
  await expect(live.getByTestId('last-report')).toHaveText('No report yet');
  // The connection panel names the broker the device is to use.
  await expect(page.getByTestId('device-connection').getByTestId('broker')).toHaveText(broker);

  const sim = spawn(bin, ['simulate', '--product', product.id, '--devices', '1', '--rate', '4', '--broker', broker, '--duration', '120'], {
    env: process.env,
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let simOutput = '';
  sim.stdout.on('data', (d) => { simOutput += d; });
  sim.stderr.on('data', (d) => { simOutput += d; });
  try {
    await expect(live.getByTestId('online-state'), simOutput).toHaveText('Online', { timeout: 15_000 });
    await expect(live.getByTestId('last-report')).not.toHaveText('No report yet', { timeout: 10_000 });
    await expect(live.getByTestId('filters')).toContainText('Filter 1');
    // Two reports past the baseline: the chart has the hour's water.
    await expect.poll(async () => Number(await page.getByTestId('day-chart').getAttribute('data-total-ml')), { timeout: 15_000 })
      .toBeGreaterThan(0);

    const panel = page.getByTestId('device-command-panel');
    const history = page.getByTestId('device-commands');
    await panel.getByTestId('cmd-lock').click();
    await expect(history.getByTestId('command-row').first()).toHaveAttribute('data-status', 'acked', { timeout: 10_000 });
    await expect(history.getByTestId('command-row').first()).toContainText('Lock');
    await expect(live.getByTestId('run-state')).toContainText('Locked', { timeout: 10_000 });

    // Locked, the purifier refuses to dispense, and says why.
    await panel.getByTestId('cmd-volume').fill('300');
    await panel.getByTestId('cmd-dispense').click();
    await expect(history.getByTestId('command-row')).toHaveCount(2);
    await expect(history.getByTestId('command-row').first()).toHaveAttribute('data-status', 'failed', { timeout: 10_000 });
    await expect(history.getByTestId('command-row').first()).toContainText('locked');

    await panel.getByTestId('cmd-unlock').click();
    await expect(history.getByTestId('command-row')).toHaveCount(3);
    await expect(history.getByTestId('command-row').first()).toHaveAttribute('data-status', 'acked', { timeout: 10_000 });
    const before = await live.getByTestId('water').textContent();
    await panel.getByTestId('cmd-dispense').click();
    await expect(history.getByTestId('command-row')).toHaveCount(4);
    await expect(history.getByTestId('command-row').first()).toHaveAttribute('data-status', 'acked', { timeout: 10_000 });
    await expect(live.getByTestId('water')).not.toHaveText(before, { timeout: 10_000 });

    // Bad input is refused on the page, and nothing is sent.
    await panel.getByTestId('cmd-volume').fill('0');
    await panel.getByTestId('cmd-dispense').click();
    await expect(panel).toContainText('volume_ml');
    await expect(history.getByTestId('command-row')).toHaveCount(4);
  } finally {
    sim.kill('SIGKILL');
  }
  // The simulator is gone: its connection drops and the device is offline.
  await expect(live.getByTestId('online-state')).toHaveText('Offline', { timeout: 15_000 });
});
