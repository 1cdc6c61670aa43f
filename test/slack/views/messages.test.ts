/** Help, images, instance list, logs/events, errors and notices as users read them. */
import { FluenceError } from '../../../src/fluence/errors';
import { containerSummary } from '../../../src/fluence/model';
import { ContainerListItemSchema, DefaultImageSchema } from '../../../src/fluence/schemas';
import { parseCommand } from '../../../src/slack/command';
import { ACTION } from '../../../src/slack/ids';
import { renderParseError, renderFluenceError, renderNotice } from '../../../src/slack/views/errors';
import { renderHelp } from '../../../src/slack/views/help';
import { renderImages } from '../../../src/slack/views/images';
import { renderInstanceList } from '../../../src/slack/views/instances';
import { renderLines } from '../../../src/slack/views/lines';
import { assertBlockKitLimits, mrkdwnTexts } from '../../support/blockkit';
import { NOW, example } from './fixtures';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const json = (v: unknown) => JSON.stringify(v);
const codeSections = (blocks: unknown[]) =>
  (blocks as Any[]).filter((b) => b.type === 'section' && String(b.text?.text).startsWith('```')).map((b) => b.text.text as string);

test('help: examples, every sub-command, and the three first-step buttons', () => {
  const v = renderHelp({ sandbox: true });
  assertBlockKitLimits(v.blocks);
  const ids = (v.blocks as Any[]).flatMap((b) => (b.type === 'actions' ? b.elements.map((e: Any) => e.action_id) : []));
  expect(ids).toEqual([ACTION.helpPlans, ACTION.helpDeploy, ACTION.helpList]);
  for (const word of ['plans', 'deploy', 'list', 'status', 'terminate', 'logs', 'events', 'rename', 'balance', 'access', 'budget', 'audit', 'images', 'watch', 'update']) {
    expect(json(v.blocks)).toContain(`/gpu ${word}`);
  }
  // usage placeholders are escaped, so Slack does not read "<instance>" as a link
  expect(mrkdwnTexts(v.blocks).join()).not.toMatch(/<instance>/);
  expect(json(v.blocks)).toContain('🧪 Sandbox');
  expect(json(renderHelp({ sandbox: false }).blocks)).not.toContain('Sandbox');
  expect(v).toMatchSnapshot();
});

test('images: name, image, ports, env NAMES only', () => {
  const images = [
    DefaultImageSchema.parse({ slug: 'jupyter', name: 'Jupyter', description: 'Lab', image: 'docker.io/jupyter/lab:1', expose: [{ port: '8888', protocol: 'http' }], environment: [{ name: 'JUPYTER_TOKEN', value: 'tok_secret_default' }], startup_command: 'start.sh', requires_ssh: false }),
    DefaultImageSchema.parse({ slug: 'debian-ssh-11', name: 'Debian SSH 11', image: 'docker.io/fluencelabs/debian-ssh-root:11', requires_ssh: true }),
  ];
  const v = renderImages(images);
  assertBlockKitLimits(v.blocks);
  expect(json(v)).toContain('JUPYTER_TOKEN');
  expect(json(v)).not.toContain('tok_secret_default');
  expect(json(v)).toContain('`docker.io/fluencelabs/debian-ssh-root:11`');
  expect(json(v)).toContain('needs an SSH key');
  expect(v).toMatchSnapshot();
  const many = renderImages(Array.from({ length: 80 }, (_, i) => ({ ...images[1]!, slug: `s${i}` })));
  assertBlockKitLimits(many.blocks);
  expect(json(many.blocks)).toContain('…and 33 more');
  expect(json(renderImages([]).blocks)).toContain('no ready-made images');
});

describe('instance list', () => {
  const items = (example('instances-list-containers.response.json') as unknown[]).map((x) => containerSummary(ContainerListItemSchema.parse(x)));

  test('one line per instance with icon, name, short id, GPU, age, and an Open button', () => {
    const v = renderInstanceList({ instances: items, all: false, hiddenEnded: 3, now: NOW });
    assertBlockKitLimits(v.blocks);
    const first = items[0]!;
    const line = (v.blocks as Any[]).find((b) => b.type === 'section')!;
    expect(line.text.text).toContain(first.name);
    expect(line.text.text).toContain(`\`${first.id.slice(0, 8)}\``);
    expect(line.text.text).toMatch(/[🟢🟡🔴⚫]/u);
    expect(line.accessory.action_id).toBe(ACTION.openInstance);
    expect(line.accessory.value).toBe(`container:${first.id}`);
    expect(json(v.blocks)).toContain('3 ended instances hidden — `/gpu list all`');
    expect(v).toMatchSnapshot();
  });

  test('200 instances fit in 50 blocks; `all` hides the footer; empty says how to start', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...items[0]!, id: `id-${i}` }));
    const v = renderInstanceList({ instances: many, all: true, hiddenEnded: 5, now: NOW });
    assertBlockKitLimits(v.blocks);
    expect(json(v.blocks)).toContain('…and 154 more');
    expect(json(v.blocks)).not.toContain('hidden');
    expect(json(renderInstanceList({ instances: [], all: false, hiddenEnded: 0, now: NOW }).blocks)).toContain('/gpu deploy');
  });
});

describe('logs and events', () => {
  test('newest last, in code blocks under 3000 chars, backticks neutralised', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} \`\`\` & <tag> ${'x'.repeat(i % 7 === 0 ? 5000 : 80)}`);
    const v = renderLines({ title: 'Logs: my-box', instanceName: 'my-box', kind: 'logs', lines, requested: 1000 });
    assertBlockKitLimits(v.blocks);
    const code = codeSections(v.blocks);
    expect(code.length).toBeGreaterThan(1);
    for (const c of code) {
      expect(c.endsWith('```')).toBe(true);
      expect(c.slice(3, -3)).not.toContain('`');
      expect(c).not.toContain('<tag>');
    }
    expect(code.at(-1)).toContain('line 999 ');
    expect(json(v.blocks)).toContain('oldest part did not fit');
  });

  test('few lines: one block, in order; none: "no lines yet"', () => {
    const v = renderLines({ title: 'Events: my-box', instanceName: 'my-box', kind: 'events', lines: ['created', 'started'], requested: 50 });
    assertBlockKitLimits(v.blocks);
    expect(codeSections(v.blocks)).toEqual(['```\ncreated\nstarted\n```']);
    expect(v).toMatchSnapshot();
    const none = renderLines({ title: 'Logs: my-box', instanceName: 'my-box', kind: 'logs', lines: [], requested: 50 });
    expect(json(none.blocks)).toContain('No log lines yet');
  });
});

describe('Fluence errors: one clear message per kind', () => {
  const ctx = { action: 'deploy the container' };
  const cases: Array<[FluenceError, string[]]> = [
    [new FluenceError('validation', '422', { issues: [{ loc: ['body', 'container_settings', 'expose', 0, 'port'], msg: 'must be 1-65535' }] }),
      ['rejected the request to deploy the container', '`container_settings.expose.0.port`: must be 1-65535']],
    [new FluenceError('business', '400', { detail: 'Insufficient balance: need 8.88, have 1.00' }), ['Insufficient balance: need 8.88, have 1.00']],
    [new FluenceError('auth', '401'), ['API key', '`FLUENCE_API_KEY`']],
    [new FluenceError('not_found', '404'), ['No instance', '/gpu list all']],
    [new FluenceError('rate_limited', '429', { retryAfterSeconds: 12 }), ['Retry in 12 s']],
    [new FluenceError('unavailable', 'timeout', { maybeApplied: true }), ['Check `/gpu list` before retrying']],
    [new FluenceError('unavailable', 'ECONNREFUSED'), ['unreachable', 'nothing was changed or charged']],
    [new FluenceError('bad_response', 'parse', { field: 'billing.hourly_usage' }), ['unexpected', '`billing.hourly_usage`']],
  ];
  test.each(cases)('%s', (err, expected) => {
    const v = renderFluenceError(err, ctx);
    assertBlockKitLimits(v.blocks);
    for (const e of expected) expect(json(v.blocks)).toContain(e.replace(/"/g, '\\"'));
    expect(v.text.length).toBeGreaterThan(0);
  });

  test('snapshots of every kind', () => {
    expect(cases.map(([e]) => renderFluenceError(e, ctx))).toMatchSnapshot();
  });

  test("a 401/403 shows Fluence's own detail when there is one, escaped", () => {
    const v = renderFluenceError(new FluenceError('auth', '403', { status: 403, detail: 'API key lacks the <gpu> scope' }), ctx);
    expect(json(v.blocks)).toContain('Fluence said: API key lacks the &lt;gpu&gt; scope');
    expect(json(renderFluenceError(new FluenceError('auth', '401'), ctx).blocks)).not.toContain('Fluence said');
  });

  test('a hostile detail is escaped', () => {
    const v = renderFluenceError(new FluenceError('business', '400', { detail: '<!here> pay up' }), ctx);
    expect(mrkdwnTexts(v.blocks).join()).not.toContain('<!here>');
    expect(v.text).not.toContain('<!here>');
  });
});

test('parse errors show the error, the usage line and the help hint', () => {
  const r = parseCommand('stauts');
  if (r.ok) throw new Error('expected an error');
  const v = renderParseError(r);
  assertBlockKitLimits(v.blocks);
  expect(json(v.blocks)).toContain('Did you mean `status`?');
  expect(json(v.blocks)).toContain('/gpu status &lt;id, 8+ char id prefix, or name&gt;');
  expect(v).toMatchSnapshot();
});

test('notices are escaped and carry the emoji', () => {
  const v = renderNotice({ text: 'Watching <b>my-box</b>', emoji: ':eyes:' });
  assertBlockKitLimits(v.blocks);
  expect(json(v.blocks)).toContain(':eyes: Watching &lt;b&gt;my-box&lt;/b&gt;');
});
