// Waits for the server (cargo leptos end-to-end starts the tests without waiting for it), then
// creates this run's corp with the real `backoffice create-corp` command on the same database.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

async function waitForServer(url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch (_) { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server at ${url} did not answer within ${seconds}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

module.exports = async (config) => {
  const baseURL = config.projects[0].use.baseURL;
  await waitForServer(`${baseURL}/v2/openapi.json`, 300);
  const run = Date.now().toString(36);
  const corp = {
    company: `E2E Devices ${run}`,
    name: 'Erin Admin',
    email: `erin-${run}@example.com`,
    phone: `137${String(Date.now() % 100000000).padStart(8, '0')}`,
    password: 'erin-secret-1',
  };
  const bin = process.env.BACKOFFICE_BIN || path.join(root, 'target', 'debug', 'backoffice');
  const out = execFileSync(bin, ['create-corp', '--company', corp.company, '--name', corp.name,
    '--email', corp.email, '--phone', corp.phone, '--password', corp.password], { cwd: root, encoding: 'utf8' });
  Object.assign(corp, JSON.parse(out.trim()));
  // The platform operator's administrator, with the real `create-platform-admin`.
  const platform = { account: `ops-${run}`, password: 'E2e-ops-pass1' };
  execFileSync(bin, ['create-platform-admin', '--account', platform.account, '--password', platform.password],
    { cwd: root, encoding: 'utf8' });
  fs.mkdirSync(path.join(__dirname, '.state'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, '.state', 'corp.json'), JSON.stringify(corp, null, 2));
  fs.writeFileSync(path.join(__dirname, '.state', 'platform.json'), JSON.stringify(platform, null, 2));
};
