/** The watcher's messages as a user reads them, and their Block Kit limits. */
import { renderInstanceStatusMessage } from '../../src/slack/views/status-message';
import { formatDuration, renderFailedReply, renderReadyReply } from '../../src/slack/views/watch-replies';

const base = { name: 'my-llm', type: 'container' as const, requesterId: 'U1', sandbox: false };

test('status message: name, requester, plan, price and status in one line', () => {
  const m = renderInstanceStatusMessage({
    ...base, planLabel: 'H100 80GB × 1', pricePerHour: 2.96, status: 'INITIALIZED', state: 'provisioning', updatedAt: 0,
  });
  const section = m.blocks[0] as { text: { text: string } };
  expect(section.text.text).toBe('`my-llm` (container) is being deployed by <@U1>: H100 80GB × 1, $2.96/h — 🟡 INITIALIZED');
  expect(JSON.stringify(m.blocks)).not.toContain('Sandbox');
  const sandboxed = renderInstanceStatusMessage({
    ...base, sandbox: true, planLabel: 'x', pricePerHour: 1, status: 'ACTIVE', state: 'active', updatedAt: 0,
  });
  expect(JSON.stringify(sandboxed.blocks)).toContain('🧪 Sandbox');
  expect((sandboxed.blocks[0] as { text: { text: string } }).text.text).toContain('🟢 ACTIVE');
  // ACTIVE is not "ready": the message does not let a crash-looping container look usable
  expect(JSON.stringify(sandboxed.blocks)).toContain('the container may still be starting');
});

test('user text cannot break out of mrkdwn or the code block', () => {
  const m = renderInstanceStatusMessage({
    ...base, name: 'a<!channel>`x', planLabel: '<@U2>', pricePerHour: 1, status: 'INITIALIZED', state: 'provisioning', updatedAt: 0,
  });
  expect(JSON.stringify(m.blocks)).not.toContain('<!channel>');
  expect(JSON.stringify(m.blocks)).not.toContain('<@U2>');
});

test('durations read naturally', () => {
  expect(formatDuration(45_000)).toBe('45 s');
  expect(formatDuration(134_000)).toBe('2 min 14 s');
  expect(formatDuration(3_900_000)).toBe('1 h 5 min');
});

test('failed reply keeps the last log lines and stays inside the 3000-char section limit', () => {
  const logs = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(200)}`);
  const m = renderFailedReply({ ...base, instanceId: 'c1', status: 'FAILED', lines: { events: logs, logs } });
  for (const b of m.blocks) {
    if (b.type === 'section') expect((b as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  }
  expect(JSON.stringify(m.blocks)).toContain('line 499');
  expect(JSON.stringify(m.blocks)).not.toContain('line 10 ');
});

test('ready reply without SSH (HTTP-only container) offers the endpoint URL', () => {
  const m = renderReadyReply({
    ...base, pricePerHour: 1.5, provisionedMs: 90_000,
    connection: { host: 'h.pub', uri: 'http://h.pub', ports: [{ port: '80', externalPort: '30080', protocol: 'http', endpoint: 'h.pub:30080' }] },
  });
  const body = JSON.stringify(m.blocks);
  expect(body).toContain('curl http://h.pub');
  expect(body).toContain('80/http → h.pub:30080');
  expect(body).toContain('ready in 1 min 30 s');
});

test('diagnostic lines full of markup keep their newest line and a closed code block (the budget counts escaped text)', () => {
  const logs = Array.from({ length: 20 }, (_, i) => `${'<'.repeat(280)} line-${i}`);
  const m = renderFailedReply({ ...base, instanceId: 'c1', status: 'FAILED', lines: { events: [], logs } });
  const text = (m.blocks as Array<{ type: string; text?: { text: string } }>).map((b) => b.text?.text ?? '').find((s) => s.includes('Last log lines'))!;
  expect(text.length).toBeLessThanOrEqual(3000);
  expect(text).toContain('line-19');
  expect(text.endsWith('```')).toBe(true);
  expect(text).not.toContain('<<');
});
