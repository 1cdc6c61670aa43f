import { Writable } from 'node:stream';
import { createLogger } from '../src/log';
import { SecretRedactor } from '../src/secrets';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('logs', () => {
  it('are JSON and redact secret fields by path', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, level: 'info' });
    log.info(
      {
        headers: { 'X-API-KEY': 'fluence-key-123' },
        body: { ssh_key: 'ssh-ed25519 AAAA', container_settings: { environment: [{ name: 'A', value: 'v1' }], credentials: { password: 'p1' } } },
        token: 'xoxb-abc',
      },
      'deploying',
    );
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe('deploying');
    const text = lines.join('');
    for (const secret of ['fluence-key-123', 'ssh-ed25519 AAAA', 'xoxb-abc', '"v1"', '"p1"']) expect(text).not.toContain(secret);
  });

  it('mask every registered secret value wherever it appears, messages and errors included', () => {
    const { lines, destination } = capture();
    const redactor = new SecretRedactor();
    redactor.add('hunter2-registry-pass', 'MODEL_TOKEN_VALUE_42');
    const log = createLogger({ destination, level: 'info', redactor });
    log.warn({ detail: 'echoed input: hunter2-registry-pass', nested: { deep: ['MODEL_TOKEN_VALUE_42'] } }, 'api said MODEL_TOKEN_VALUE_42');
    log.error({ err: new Error('bad value hunter2-registry-pass') }, 'failed');
    const text = lines.join('');
    expect(text).not.toContain('hunter2-registry-pass');
    expect(text).not.toContain('MODEL_TOKEN_VALUE_42');
    expect(text).toContain('••••••');
  });
});

describe('SecretRedactor', () => {
  it('masks JSON-escaped and URL-encoded forms and ignores values too short to be secrets', () => {
    const r = new SecretRedactor();
    r.add('pa"ss/wo rd&x', '1', 'abc');
    expect(r.mask(JSON.stringify({ v: 'pa"ss/wo rd&x' }))).not.toContain('pa\\"ss');
    expect(r.mask(`v=${encodeURIComponent('pa"ss/wo rd&x')}`)).toBe('v=••••••');
    expect(r.mask('a 1 abc')).toBe('a 1 abc');
  });
});
