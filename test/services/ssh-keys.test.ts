import { createHash, randomBytes } from 'node:crypto';
import { describeKey, looksLikePrivateKey, MIN_RSA_BITS, parsePublicKey } from '../../src/services/ssh-keys';
import * as K from '../support/ssh-keys';

/** An `ssh-rsa` line whose modulus has exactly `bits` bits (the parser counts, it does not factor). */
function rsaLine(bits: number): string {
  const wire = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const n = randomBytes(Math.ceil(bits / 8));
  const topBits = bits % 8 === 0 ? 8 : bits % 8;
  n[0] = (n[0]! & ((1 << topBits) - 1)) | (1 << (topBits - 1));
  const mpint = n[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), n]) : n;
  const blob = Buffer.concat([wire(Buffer.from('ssh-rsa')), wire(Buffer.from([1, 0, 1])), wire(mpint)]);
  return `ssh-rsa ${blob.toString('base64')} made@test`;
}

describe('parsePublicKey', () => {
  it.each([
    ['ed25519', K.ED25519_PUB, 'ED25519', 256, K.ED25519_FP],
    ['ecdsa p384', K.ECDSA384_PUB, 'ECDSA', 384, K.ECDSA384_FP],
    ['ecdsa p521', K.ECDSA521_PUB, 'ECDSA', 521, K.ECDSA521_FP],
    ['rsa 2048', K.RSA2048_PUB, 'RSA', 2048, K.RSA2048_FP],
    ['rsa 3072', K.RSA3072_PUB, 'RSA', 3072, K.RSA3072_FP],
  ])('reads a real %s key: algorithm, bits and the fingerprint ssh-keygen -l prints', (_n, line, algorithm, bits, fp) => {
    const r = parsePublicKey(`  ${line}\n`);
    expect(r).toEqual({ ok: true, key: expect.objectContaining({ algorithm, bits, fingerprint: fp, text: line }) });
  });

  it('counts RSA modulus bits: 2047 refused, 2048 accepted, 1024 from ssh-keygen refused', () => {
    const short = parsePublicKey(rsaLine(MIN_RSA_BITS - 1));
    expect(short).toEqual({ ok: false, error: expect.stringContaining('has 2047 bits; at least 2048') });
    expect(parsePublicKey(rsaLine(MIN_RSA_BITS))).toMatchObject({ ok: true, key: { algorithm: 'RSA', bits: 2048 } });
    expect(parsePublicKey(K.RSA1024_PUB)).toEqual({ ok: false, error: expect.stringContaining('has 1024 bits') });
  });

  it('keeps the comment, normalises spacing, and describes a key by algorithm and fingerprint only', () => {
    const [type, body] = K.ED25519_PUB.split(' ');
    const r = parsePublicKey(`${type}   ${body}   my  laptop `);
    expect(r.ok && r.key.text).toBe(`${type} ${body} my laptop`);
    expect(r.ok && r.key.comment).toBe('my laptop');
    expect(r.ok && describeKey(r.key)).toBe(`ED25519 ${K.ED25519_FP}`);
    const rsa = parsePublicKey(K.RSA3072_PUB);
    expect(rsa.ok && describeKey(rsa.key)).toBe(`RSA-3072 ${K.RSA3072_FP}`);
  });

  it.each([
    ['OpenSSH armour', (p: ReturnType<typeof K.privateKeys>) => p.openssh],
    ['PKCS#8 PEM', (p: ReturnType<typeof K.privateKeys>) => p.pem],
    ['the bare base64 body', (p: ReturnType<typeof K.privateKeys>) => p.bareBody],
    ['a private key after a public one', (p: ReturnType<typeof K.privateKeys>) => `${K.ED25519_PUB}\n${p.openssh}`],
  ])('refuses a private key (%s) with a warning that does not quote it', (_n, pick) => {
    const keys = K.privateKeys();
    const pasted = pick(keys);
    const r = parsePublicKey(pasted);
    expect(r).toMatchObject({ ok: false, privateKey: true });
    const error = (r as { error: string }).error;
    expect(error).toMatch(/private/i);
    for (const line of pasted.split('\n').filter((l) => l.length > 8)) expect(error).not.toContain(line);
    expect(looksLikePrivateKey(pasted)).toBe(true);
  });

  it('never quotes a rejected input in its error', () => {
    const junk = 'hunter2-secret-value-' + randomBytes(6).toString('hex');
    for (const text of [junk, `ssh-ed25519 ${junk}`, `ssh-ed25519 AAAA${junk}`, `${junk}\n${junk}`]) {
      const r = parsePublicKey(text);
      expect(r.ok).toBe(false);
      expect((r as { error: string }).error).not.toContain(junk);
    }
  });

  it.each([
    ['empty', '   ', /Paste your SSH public key/],
    ['two lines', `${K.ED25519_PUB}\n${K.RSA2048_PUB}`, /exactly one/],
    ['two keys on one line', `${K.ED25519_PUB} ${K.RSA2048_PUB}`, /more than one key/],
    ['dsa', 'ssh-dss AAAAB3NzaC1kc3MAAACBAP', /DSA/],
    ['certificate', 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t', /certificate/],
    ['security key', 'sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t', /Security-key/],
    ['not a key', 'hello world', /not an OpenSSH public key/],
    ['no data', 'ssh-ed25519', /missing/],
    ['bad base64', 'ssh-ed25519 AAAA$$$$', /not valid base64/],
    ['truncated', K.ED25519_PUB.split(' ').slice(0, 2).join(' ').slice(0, 40), /not valid base64|damaged/],
    ['type mismatch', `ssh-rsa ${K.ED25519_PUB.split(' ')[1]}`, /says `ssh-rsa` but its data is a `ssh-ed25519` key/],
    ['ed25519 of the wrong size', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBxN0tARealKey0123456789abcdef', /damaged|base64/],
    ['PEM public key', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----', /PEM\/SSH2/],
  ])('refuses %s with a specific message', (_n, text, message) => {
    const r = parsePublicKey(text);
    expect(r.ok).toBe(false);
    expect((r as { error: string }).error).toMatch(message);
  });

  it('refuses trailing bytes after the key fields', () => {
    const blob = Buffer.from(K.ED25519_PUB.split(' ')[1]!, 'base64');
    const padded = Buffer.concat([blob, Buffer.from([0, 0, 0, 0])]).toString('base64');
    expect(parsePublicKey(`ssh-ed25519 ${padded}`)).toMatchObject({ ok: false, error: expect.stringMatching(/damaged/) });
  });

  it('computes the fingerprint over the decoded blob (SHA-256, unpadded base64)', () => {
    const blob = Buffer.from(K.ECDSA384_PUB.split(' ')[1]!, 'base64');
    const expected = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    expect(parsePublicKey(K.ECDSA384_PUB)).toMatchObject({ ok: true, key: { fingerprint: expected } });
  });
});
