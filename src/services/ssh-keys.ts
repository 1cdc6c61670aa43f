/**
 * SSH public keys as users paste them: one OpenSSH public key line (`ssh-ed25519 AAAA… me@laptop`),
 * checked the way sshd would read it rather than by its look. The base64 body is decoded and its
 * wire format walked (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709): the type inside must match the type
 * outside, an ed25519 key holds 32 bytes, an ECDSA point sits on the named curve's size, and an
 * RSA modulus is counted bit by bit (at least 2048). The SHA256 fingerprint is `ssh-keygen -l`'s.
 *
 * A private key pasted by mistake is recognised before anything else and refused with a warning;
 * no message here ever repeats what was pasted (it may be that private key). Pure: no Slack, no
 * store, no logging.
 */
import { createHash } from 'node:crypto';

export type KeyAlgorithm = 'ED25519' | 'ECDSA' | 'RSA';

export interface PublicKey {
  /** The wire type, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  type: string;
  algorithm: KeyAlgorithm;
  bits: number;
  /** `SHA256:` + unpadded base64 of the SHA-256 of the key blob (what `ssh-keygen -lf` prints). */
  fingerprint: string;
  /** The comment after the key (often user@host), '' when none; never trusted as markup. */
  comment: string;
  /** The key as one normalised line: `type base64 [comment]`. What is stored and sent. */
  text: string;
}

export type KeyCheck =
  | { ok: true; key: PublicKey }
  /** `privateKey`: a private key was pasted; the caller must not keep, log or show the input. */
  | { ok: false; error: string; privateKey?: true };

export const MIN_RSA_BITS = 2048;
/** Far above a 16384-bit RSA key (about 2,800 characters); anything longer is not one key. */
export const MAX_KEY_TEXT = 16_384;
const MAX_COMMENT = 200;

/** Plain text (it is shown under form fields, where Slack renders no markup). */
export const PRIVATE_KEY_WARNING =
  '⚠️ That is a PRIVATE key: never share it, here or anywhere. I did not keep it. Paste the public key instead: the contents of the .pub file (e.g. ~/.ssh/id_ed25519.pub), one line starting with ssh-ed25519, ecdsa-sha2-… or ssh-rsa.';

const ECDSA_POINT_BYTES: Readonly<Record<string, { bytes: number; bits: number }>> = {
  nistp256: { bytes: 65, bits: 256 },
  nistp384: { bytes: 97, bits: 384 },
  nistp521: { bytes: 133, bits: 521 },
};

/**
 * True when `text` holds a private key in any common form: PEM/OpenSSH armour (`BEGIN … PRIVATE
 * KEY`), a PuTTY .ppk, or the bare base64 body of an OpenSSH private key (`openssh-key-v1`).
 */
export function looksLikePrivateKey(text: string): boolean {
  if (/-{3,}\s*BEGIN [A-Z0-9 ]*PRIVATE KEY/i.test(text)) return true;
  if (/PRIVATE KEY-{3,}/i.test(text)) return true;
  if (/PuTTY-User-Key-File-\d/i.test(text) || /^\s*Private-Lines:/im.test(text)) return true;
  // base64("openssh-key-v1\0") starts with b3BlbnNzaC1rZXktdjE: the private key container
  return /b3BlbnNzaC1rZXktdjE/.test(text);
}

/** Reads one SSH public key. Errors say what is wrong and what to do, and never quote the input. */
export function parsePublicKey(input: string): KeyCheck {
  if (looksLikePrivateKey(input)) return { ok: false, error: PRIVATE_KEY_WARNING, privateKey: true };
  const text = input.trim();
  if (!text) return { ok: false, error: 'Paste your SSH public key (the .pub file, one line).' };
  if (text.length > MAX_KEY_TEXT) return { ok: false, error: `That is ${text.length} characters: one SSH public key is at most a few thousand. Paste a single key.` };
  if (/-{4}\s*BEGIN SSH2 PUBLIC KEY/i.test(text) || /-{5}BEGIN (RSA )?PUBLIC KEY/i.test(text)) {
    return { ok: false, error: 'That is a public key in PEM/SSH2 format. Convert it to one OpenSSH line with `ssh-keygen -i -f key.pub` and paste that.' };
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length > 1) return { ok: false, error: `That is ${lines.length} lines: paste exactly one SSH public key.` };
  const [type = '', body = '', ...rest] = (lines[0] ?? '').split(/\s+/);
  if (rest.some((w, i) => (isKnownType(w) || unsupportedType(w)) && /^AAAA/.test(rest[i + 1] ?? ''))) {
    return { ok: false, error: 'That line holds more than one key: paste exactly one SSH public key.' };
  }
  const unsupported = unsupportedType(type);
  if (unsupported) return { ok: false, error: unsupported };
  if (!isKnownType(type)) {
    return { ok: false, error: 'This is not an OpenSSH public key: it should be one line starting with `ssh-ed25519`, `ecdsa-sha2-nistp256` (or 384/521) or `ssh-rsa`, as in your .pub file.' };
  }
  if (!body) return { ok: false, error: `The key data after \`${type}\` is missing: paste the whole line of the .pub file.` };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    return { ok: false, error: 'The key data is not valid base64: it may have been cut or changed while copying. Paste the whole .pub line again.' };
  }
  const blob = Buffer.from(body, 'base64');
  const read = readBlob(type, blob);
  if (!read.ok) return read;
  const comment = rest.join(' ').slice(0, MAX_COMMENT);
  const normalised = [type, body, ...(comment ? [comment] : [])].join(' ');
  return {
    ok: true,
    key: {
      type,
      algorithm: read.algorithm,
      bits: read.bits,
      fingerprint: fingerprintOf(blob),
      comment,
      text: normalised,
    },
  };
}

/** `SHA256:…` of a key line that parses; undefined otherwise. */
export function fingerprint(text: string): string | undefined {
  const r = parsePublicKey(text);
  return r.ok ? r.key.fingerprint : undefined;
}

/** "ED25519 SHA256:abc…" : how a key is named to users and in logs (never the key itself). */
export function describeKey(key: Pick<PublicKey, 'algorithm' | 'fingerprint' | 'bits'>): string {
  return key.algorithm === 'ED25519' ? `ED25519 ${key.fingerprint}` : `${key.algorithm}-${key.bits} ${key.fingerprint}`;
}

function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function isKnownType(type: string): boolean {
  return type === 'ssh-ed25519' || type === 'ssh-rsa' || /^ecdsa-sha2-nistp(256|384|521)$/.test(type);
}

function unsupportedType(type: string): string | undefined {
  if (type === 'ssh-dss') return 'DSA (ssh-dss) keys are no longer accepted by OpenSSH. Make an ed25519 key with `ssh-keygen -t ed25519` and paste its .pub file.';
  if (/-cert-v0\d@openssh\.com$/.test(type)) return 'That is an SSH certificate, not a public key. Paste the public key itself (the .pub file without -cert).';
  if (type.startsWith('sk-')) return 'Security-key (FIDO, sk-…) SSH keys are not supported by Fluence. Paste an ed25519, ecdsa or rsa public key.';
  return undefined;
}

type BlobRead = { ok: true; algorithm: KeyAlgorithm; bits: number } | { ok: false; error: string };

const CORRUPT = 'The key data is damaged (it does not decode to a whole key): paste the whole .pub line again, exactly as in the file.';

/** Walks the decoded key: `string type` then the type's fields, nothing left over. */
function readBlob(type: string, blob: Buffer): BlobRead {
  const r = new WireReader(blob);
  const inner = r.string();
  if (inner === undefined) return { ok: false, error: CORRUPT };
  if (inner.toString('latin1') !== type) {
    return { ok: false, error: `The key says \`${type}\` but its data is a ${printable(inner)} key: the line was edited or mixed up. Paste the .pub file unchanged.` };
  }
  let out: BlobRead;
  if (type === 'ssh-ed25519') {
    const pk = r.string();
    out = pk?.length === 32 ? { ok: true, algorithm: 'ED25519', bits: 256 } : { ok: false, error: CORRUPT };
  } else if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    if (!e || !n || !mpintPositive(e) || !mpintPositive(n)) out = { ok: false, error: CORRUPT };
    else {
      const bits = bitLength(n);
      out = bits < MIN_RSA_BITS
        ? { ok: false, error: `This RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed. Make a new key with \`ssh-keygen -t ed25519\` (or \`-t rsa -b 4096\`) and paste its .pub file.` }
        : { ok: true, algorithm: 'RSA', bits };
    }
  } else {
    const curve = r.string()?.toString('latin1') ?? '';
    const point = r.string();
    const spec = ECDSA_POINT_BYTES[curve];
    out = spec && type === `ecdsa-sha2-${curve}` && point?.length === spec.bytes && point[0] === 0x04
      ? { ok: true, algorithm: 'ECDSA', bits: spec.bits }
      : { ok: false, error: CORRUPT };
  }
  if (out.ok && !r.done()) return { ok: false, error: CORRUPT };
  return out;
}

function printable(b: Buffer): string {
  const s = b.toString('latin1');
  return /^[a-z0-9@.-]{1,40}$/.test(s) ? `\`${s}\`` : 'different';
}

/** An SSH mpint is two's complement: positive means a clear top bit (a leading 0x00 pads it). */
function mpintPositive(b: Buffer): boolean {
  return b.length > 0 && (b[0]! & 0x80) === 0 && b.some((x) => x !== 0);
}

function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

class WireReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  /** uint32 length + bytes; undefined when the buffer ends first. */
  string(): Buffer | undefined {
    if (this.at + 4 > this.buf.length) return undefined;
    const len = this.buf.readUInt32BE(this.at);
    if (this.at + 4 + len > this.buf.length) return undefined;
    const out = this.buf.subarray(this.at + 4, this.at + 4 + len);
    this.at += 4 + len;
    return out;
  }

  done(): boolean {
    return this.at === this.buf.length;
  }
}
