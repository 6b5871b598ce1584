import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorKey } from '../src/operator/index.js';
import { createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * Runs the curl walkthrough of docs/reselling.md, command by command, against the app (through
 * app.inject): the doc is the script, so it cannot drift from what kefu does. A command the
 * runner does not understand fails the test rather than being skipped.
 */

interface Step {
  line: string;
  status: number;
  body: string;
  url: string;
}

let kefu: TestKefu;
const variables: Record<string, string> = {};
const files: Record<string, string> = {};
const steps: Step[] = [];

/** Shell words: single quotes literal, double quotes and bare words expand $VAR / ${VAR}. */
function words(command: string): string[] {
  const result: string[] = [];
  let current = '';
  let started = false;
  const expand = (text: string) =>
    text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_match, name: string) => {
      if (!(name in variables)) throw new Error(`docs/reselling.md uses $${name} before setting it`);
      return variables[name]!;
    });
  for (let index = 0; index < command.length; index++) {
    const character = command[index]!;
    if (character === "'") {
      const end = command.indexOf("'", index + 1);
      current += command.slice(index + 1, end);
      index = end;
      started = true;
    } else if (character === '"') {
      const end = command.indexOf('"', index + 1);
      current += expand(command.slice(index + 1, end));
      index = end;
      started = true;
    } else if (/\s/.test(character)) {
      if (started) result.push(current);
      current = '';
      started = false;
    } else {
      let end = index;
      while (end < command.length && !/[\s'"]/.test(command[end]!)) end++;
      current += expand(command.slice(index, end));
      index = end - 1;
      started = true;
    }
  }
  if (started) result.push(current);
  return result;
}

function pick(json: string, path: string): string {
  let value: any = JSON.parse(json);
  for (const key of path.split('.').filter(Boolean)) value = value?.[key];
  if (value === undefined || value === null) throw new Error(`no ${path} in ${json.slice(0, 200)}`);
  return String(value);
}

async function curl(command: string, expected: number | null, line: string): Promise<string> {
  const args = words(command);
  expect(args[0]).toBe('curl');
  let method: string | undefined;
  const headers: Record<string, string> = {};
  let data: string | undefined;
  let url: string | undefined;
  for (let index = 1; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '-s' || arg === '-N' || arg === '-sS') continue;
    if (arg === '-X') method = args[++index];
    else if (arg === '-H') {
      const header = args[++index]!;
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (arg === '-d') data = args[++index];
    else if (arg.startsWith('-')) throw new Error(`the walkthrough runner does not know curl option ${arg}`);
    else url = arg;
  }
  expect(url, line).toMatch(/^http:\/\/127\.0\.0\.1:3000\//);
  const path = url!.replace('http://127.0.0.1:3000', '');
  const response = await kefu.app.inject({
    method: (method ?? (data ? 'POST' : 'GET')) as 'GET',
    url: path,
    headers,
    ...(data === undefined ? {} : { payload: data }),
  });
  steps.push({ line, status: response.statusCode, body: response.body, url: path });
  if (expected !== null) expect(response.statusCode, `${line}\n${response.body}`).toBe(expected);
  else expect(response.statusCode, `${line}\n${response.body}`).toBeLessThan(300);
  return response.body;
}

async function run(line: string, expected: number | null): Promise<void> {
  if (line.startsWith('npm start')) return; // the app under test is the server
  if (line.startsWith('json() {')) return; // the helper the assignments below stand for
  if (line.startsWith('npx kefu operator key create')) {
    variables.OP = (await createOperatorKey(kefu.database.db, 'ops-laptop')).key;
    return;
  }
  if (line.startsWith('OP=kefu_op_')) return; // the reader pastes the key printed above
  const capture = /^([A-Z_]+)=\$\((.*)\)$/.exec(line);
  if (capture) {
    const [, name, inner] = capture as unknown as [string, string, string];
    if (inner === 'date -u +%Y-%m') {
      variables[name] = new Date().toISOString().slice(0, 7);
      return;
    }
    const [command, jsonPart] = inner.split(/\s+\|\s+json\s+/) as [string, string | undefined];
    const echo = /^echo "\$([A-Z_]+)"$/.exec(command);
    const body = echo ? variables[echo[1]!]! : await curl(command, expected, line);
    variables[name] = jsonPart ? pick(body, jsonPart.trim()) : body;
    return;
  }
  const assignment = /^([A-Z_]+)=(\S+)$/.exec(line);
  if (assignment) {
    variables[assignment[1]!] = assignment[2]!;
    return;
  }
  if (line.startsWith('curl ')) {
    const redirect = /^(.*?)\s+>\s+(\S+)$/.exec(line);
    const body = await curl(redirect ? redirect[1]! : line, expected, line);
    if (redirect) files[redirect[2]!] = body;
    return;
  }
  throw new Error(`the walkthrough runner does not understand this line of docs/reselling.md: ${line}`);
}

function walkthroughLines(): Array<{ line: string; expected: number | null }> {
  const doc = readFileSync(new URL('../docs/reselling.md', import.meta.url), 'utf8');
  const walkthrough = doc.slice(doc.indexOf('## The walkthrough'), doc.indexOf('## Plan fields'));
  const lines: Array<{ line: string; expected: number | null }> = [];
  let expected: number | null = null;
  for (const block of walkthrough.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const raw of joined.split('\n')) {
      const line = raw.replace(/\s+#(?!.*').*$/, '').trim();
      const marker = /^#\s*→\s*(\d{3})/.exec(raw.trim());
      if (marker) {
        expected = Number(marker[1]);
        continue;
      }
      if (!line || line.startsWith('#')) continue;
      lines.push({ line, expected });
      expected = null;
    }
  }
  return lines;
}

beforeAll(async () => {
  kefu = await createTestKefu({ KEFU_DEMO: 'false' });
}, 120_000);
afterAll(async () => kefu?.dispose());

describe('docs/reselling.md walkthrough', () => {
  it('runs every command of the walkthrough, in order, as documented', { timeout: 120_000 }, async () => {
    const lines = walkthroughLines();
    expect(lines.length).toBeGreaterThan(20);
    for (const { line, expected } of lines) await run(line, expected);
  });

  it('onboarded the tenant from the plan with its first key, in one call', () => {
    const created = JSON.parse(variables.NEW!);
    expect(created.tenant).toMatchObject({
      slug: 'tea-shop',
      name: '一葉茶舖',
      locale: 'zh-TW',
      plan: { slug: 'starter', name: '入门版 Starter' },
    });
    expect(variables.KEY).toMatch(/^kefu_sk_/);
    const me = steps.find((step) => step.url === '/v1/tenant')!;
    expect(JSON.parse(me.body).slug).toBe('tea-shop');
  });

  it("showed the tenant's usage and a bill that prices it by the plan, the same in CSV and JSON", () => {
    const usage = JSON.parse(steps.find((step) => step.url === '/operator/v1/usage?tenant=tea-shop')!.body);
    expect(usage.tenants).toHaveLength(1);
    expect(usage.tenants[0]).toMatchObject({ slug: 'tea-shop', messages: 2 });
    expect(usage.tenants[0].turns).toBe(2);
    const all = JSON.parse(steps.find((step) => step.url === '/operator/v1/usage')!.body);
    expect(all.tenants.map((tenant: { slug: string }) => tenant.slug)).toContain('tea-shop');

    const plan = JSON.parse(steps.find((step) => step.url === '/operator/v1/plans')!.body);
    const bill = JSON.parse(
      steps.find(
        (step) => step.url.startsWith('/operator/v1/tenants/tea-shop/bill') && !step.url.includes('format=csv'),
      )!.body,
    );
    expect(bill.currency).toBe('CNY');
    expect(bill.ledger.quantities.messages).toBe(2);
    const expectedTotal =
      plan.prices.monthlyFeeMicros +
      2 * plan.prices.perMessageMicros +
      Math.round(
        (bill.ledger.quantities['llm.tokens_in'] * plan.prices.perLlmTokenIn1kMicros +
          bill.ledger.quantities['llm.tokens_out'] * plan.prices.perLlmTokenOut1kMicros) /
          1000,
      );
    expect(bill.totalMicros).toBe(expectedTotal);
    expect(bill.totalMicros).toBe(
      bill.lines.reduce((sum: number, line: { amountMicros: number }) => sum + line.amountMicros, 0),
    );

    const rows = parseCsv(files['tea-shop-bill.csv']!, { columns: true, bom: true }) as Array<Record<string, string>>;
    const total = rows.find((row) => row.meter === 'total')!;
    expect(Number(total.amount_micros)).toBe(bill.totalMicros);
    expect(rows.find((row) => row.meter === 'messages')).toMatchObject({
      quantity: '2',
      unit_price_micros: String(plan.prices.perMessageMicros),
    });
    expect(rows.some((row) => /[\u4e00-\u9fff]/.test(row.description ?? ''))).toBe(true);
  });

  it('rotated the key with a grace period, suspended with 403, and audited every step with who and from where', async () => {
    expect(variables.NEW_KEY).not.toBe(variables.KEY);
    const suspended = steps.find((step) => step.status === 403)!;
    expect(JSON.parse(suspended.body).code).toBe('CS_TENANT_SUSPENDED');

    const audit = JSON.parse(steps.find((step) => step.url === '/operator/v1/audit?tenant=tea-shop')!.body);
    const actions = audit.entries.map((entry: { action: string }) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['tenant.create', 'api_key.rotate', 'tenant.suspend', 'tenant.resume']),
    );
    expect(
      audit.entries.every(
        (entry: { actor: string; sourceIp: string }) => entry.actor.startsWith('operator:') && entry.sourceIp,
      ),
    ).toBe(true);
    const suspension = audit.entries.find((entry: { action: string }) => entry.action === 'tenant.suspend');
    expect(suspension.details.reason).toBe('overdue invoice 逾期未付');

    const keyActions = parseCsv(files['key-actions.csv']!, { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(keyActions.map((row) => row.action)).toContain('api_key.rotate');
    expect(keyActions.every((row) => row.action!.startsWith('api_key.'))).toBe(true);

    // The last step deleted the tenant: its key is gone, its audit trail is not.
    expect(
      (await kefu.app.inject({ url: '/v1/tenant', headers: { authorization: `Bearer ${variables.NEW_KEY}` } }))
        .statusCode,
    ).toBe(401);
    const tenantId = JSON.parse(variables.NEW!).tenant.id;
    const trail = await kefu.app.inject({
      url: `/operator/v1/audit?tenant=${tenantId}&action=tenant.delete`,
      headers: { authorization: `Bearer ${variables.OP}` },
    });
    expect(trail.json().entries).toHaveLength(1);
  });
});
