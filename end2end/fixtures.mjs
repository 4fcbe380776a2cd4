// What the scripts that drive a running server (soak.mjs, weight.mjs) share: a /v2 call and a
// new corp made with the real `backoffice create-corp` command.
import { execFileSync } from 'node:child_process';

/** A /v2 call; answers the JSON body and throws on anything but 200. */
export async function v2(base, method, path, body, token, timeoutMs = 20000) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers['Access-Token'] = token;
  const res = await fetch(base + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A corp and its admin, signed in over /v2: { corpId, memberId, email, password, token }. */
export async function createCorp(base, bin, tag, prefix) {
  const run = Date.now().toString(36);
  const email = `${tag}-${run}@example.com`;
  const password = `${tag}-secret-1`;
  const out = execFileSync(bin, ['create-corp', '--company', `${tag} ${run}`, '--name', `${tag} admin`, '--email', email,
    '--phone', `${prefix}${String(Date.now() % 1e8).padStart(8, '0')}`, '--password', password], { encoding: 'utf8' });
  const { corp_id: corpId, member_id: memberId } = JSON.parse(out.trim());
  const { access_token: token } = await v2(base, 'POST', '/v2/corp_auth', { account: email, password });
  return { corpId, memberId, email, password, token };
}
