import fc from 'fast-check';
import { Sealer, sealerFromConfig } from '../../src/services/sealed';

const SECRET = 'signing-secret-for-sealed-tests';

describe('Sealer', () => {
  test('a sealed payload opens to the same text and holds none of it in clear', () => {
    const s = new Sealer(SECRET, 'SLACK_SIGNING_SECRET');
    const plain = JSON.stringify({ env: [{ name: 'TOKEN', value: 'sup3r-s3cret-value' }], password: 'hunter2-registry' });
    const sealed = s.seal(plain);
    expect(sealed).not.toContain('sup3r-s3cret-value');
    expect(sealed).not.toContain('hunter2-registry');
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('TOKEN');
    expect(s.open(sealed)).toEqual({ ok: true, value: plain });
  });

  test('any text round-trips, and the same text seals differently each time (fresh IV)', () => {
    const s = new Sealer(SECRET, 'SLACK_SIGNING_SECRET');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const a = s.seal(text);
        expect(s.open(a)).toEqual({ ok: true, value: text });
        expect(s.seal(text)).not.toBe(a);
      }),
      { numRuns: 60 },
    );
  });

  test('a payload sealed under another secret reports key_changed, not corrupt', () => {
    const before = new Sealer(SECRET, 'SLACK_SIGNING_SECRET');
    const after = new Sealer('a-rotated-signing-secret', 'SLACK_SIGNING_SECRET');
    expect(after.open(before.seal('x'))).toEqual({ ok: false, reason: 'key_changed' });
  });

  test('tampering with any part of a sealed payload is detected', () => {
    const s = new Sealer(SECRET, 'SLACK_SIGNING_SECRET');
    const sealed = s.seal('deploy me');
    const parts = sealed.split('.');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const b = Buffer.from(p[i]!, 'base64url');
      b[0] = (b[0] ?? 0) ^ 1;
      p[i] = b.toString('base64url');
      expect(s.open(p.join('.'))).toEqual({ ok: false, reason: 'corrupt' });
    }
    expect(s.open('not sealed')).toEqual({ ok: false, reason: 'corrupt' });
    expect(s.open(`v2${sealed.slice(2)}`)).toEqual({ ok: false, reason: 'corrupt' });
  });

  test('JSON helpers round-trip objects', () => {
    const s = new Sealer(SECRET, 'FLUENCE_API_KEY');
    const value = { a: 1, b: ['x', { c: null }] };
    expect(s.openJson(s.sealJson(value))).toEqual({ ok: true, value });
  });

  test('the key comes from the signing secret first, then the API key, then the bot token; else it is ephemeral', () => {
    expect(sealerFromConfig({ SLACK_SIGNING_SECRET: 'a', FLUENCE_API_KEY: 'b', SLACK_BOT_TOKEN: 'xoxb-c' }).source).toBe('SLACK_SIGNING_SECRET');
    expect(sealerFromConfig({ FLUENCE_API_KEY: 'b', SLACK_BOT_TOKEN: 'xoxb-c' }).source).toBe('FLUENCE_API_KEY');
    expect(sealerFromConfig({ SLACK_BOT_TOKEN: 'xoxb-c' }).source).toBe('SLACK_BOT_TOKEN');
    const e1 = sealerFromConfig({});
    const e2 = sealerFromConfig({});
    expect(e1.source).toBe('ephemeral');
    expect(e2.open(e1.seal('x'))).toEqual({ ok: false, reason: 'key_changed' });
    // same secret, same key: a restart with the same configuration still opens old payloads
    const sealed = sealerFromConfig({ SLACK_SIGNING_SECRET: 'same' }).seal('kept');
    expect(sealerFromConfig({ SLACK_SIGNING_SECRET: 'same' }).open(sealed)).toEqual({ ok: true, value: 'kept' });
  });
});
