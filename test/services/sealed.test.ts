import fc from 'fast-check';
import { Sealer, approvalContext, sealerFromConfig } from '../../src/services/sealed';

const SECRET = 'seal-key-for-sealed-tests-0123456789abcdef';
const CTX = approvalContext('req-1');

describe('Sealer', () => {
  test('a sealed payload opens to the same text and holds none of it in clear', () => {
    const s = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    const plain = JSON.stringify({ env: [{ name: 'TOKEN', value: 'sup3r-s3cret-value' }], password: 'hunter2-registry' });
    const sealed = s.seal(plain, CTX);
    expect(sealed).not.toContain('sup3r-s3cret-value');
    expect(sealed).not.toContain('hunter2-registry');
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('TOKEN');
    expect(s.open(sealed, CTX)).toEqual({ ok: true, value: plain });
  });

  test('any text round-trips, and the same text seals differently each time (fresh IV)', () => {
    const s = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const a = s.seal(text, CTX);
        expect(s.open(a, CTX)).toEqual({ ok: true, value: text });
        expect(s.seal(text, CTX)).not.toBe(a);
      }),
      { numRuns: 60 },
    );
  });

  test('the approval id is associated data: a payload moved onto another approval does not open', () => {
    const s = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    const sealed = s.seal('deploy me', approvalContext('req-1'));
    expect(s.open(sealed, approvalContext('req-2'))).toEqual({ ok: false, reason: 'corrupt' });
    expect(s.open(sealed, approvalContext('req-1'))).toEqual({ ok: true, value: 'deploy me' });
  });

  test('a payload sealed under another key reports key_changed, not corrupt; so does one from the old format', () => {
    const before = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    const after = new Sealer('a-rotated-seal-key-0123456789abcdef', 'GPU_BOT_SEAL_KEY');
    expect(after.open(before.seal('x', CTX), CTX)).toEqual({ ok: false, reason: 'key_changed' });
    expect(after.open('v1.abcdefgh.iv.tag.body', CTX)).toEqual({ ok: false, reason: 'key_changed' });
  });

  test('tampering with any part of a sealed payload is detected', () => {
    const s = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    const sealed = s.seal('deploy me', CTX);
    const parts = sealed.split('.');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const b = Buffer.from(p[i]!, 'base64url');
      b[0] = (b[0] ?? 0) ^ 1;
      p[i] = b.toString('base64url');
      expect(s.open(p.join('.'), CTX)).toEqual({ ok: false, reason: 'corrupt' });
    }
    expect(s.open('not sealed', CTX)).toEqual({ ok: false, reason: 'corrupt' });
    expect(s.open(`v9${sealed.slice(2)}`, CTX)).toEqual({ ok: false, reason: 'corrupt' });
  });

  test('JSON helpers round-trip objects', () => {
    const s = new Sealer(SECRET, 'GPU_BOT_SEAL_KEY');
    const value = { a: 1, b: ['x', { c: null }] };
    expect(s.openJson(s.sealJson(value, CTX), CTX)).toEqual({ ok: true, value });
  });

  test('the key comes from GPU_BOT_SEAL_KEY only; without it, it is random per process', () => {
    expect(sealerFromConfig({ GPU_BOT_SEAL_KEY: SECRET }).source).toBe('GPU_BOT_SEAL_KEY');
    const e1 = sealerFromConfig({});
    const e2 = sealerFromConfig({});
    expect(e1.source).toBe('ephemeral');
    expect(e2.open(e1.seal('x', CTX), CTX)).toEqual({ ok: false, reason: 'key_changed' });
    // same key, same sealer: a restart with the same configuration still opens old payloads
    const sealed = sealerFromConfig({ GPU_BOT_SEAL_KEY: SECRET }).seal('kept', CTX);
    expect(sealerFromConfig({ GPU_BOT_SEAL_KEY: SECRET }).open(sealed, CTX)).toEqual({ ok: true, value: 'kept' });
  });
});
