/**
 * Small formatting helpers shared by every view: money, sizes, GPU labels, status icons, ids,
 * Slack date tokens, and the escaping/clamping of user-controlled text. Pure, no Slack runtime.
 */
import type { GpuSpec, InstanceState } from '../../fluence/model';
import type { Quantity } from '../../fluence/schemas';
import { isWorkloadType, type WorkloadType } from '../../fluence/workload';

const ELLIPSIS = '…';

/**
 * The one escaping of text from outside (Fluence's detail, instance and image names, hosts, URIs,
 * log and event lines, whatever a user typed) for mrkdwn: Slack reads `<…>` as a mention, a
 * broadcast or a link anywhere in mrkdwn, inside code spans and code blocks too, so every view
 * passes such text through escapeMrkdwn, escapeClamp or codeSpan (all three use this table).
 */
const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes Slack's mrkdwn control characters (&, <, >) and clamps the RESULT to `max` chars without
 * cutting an entity or a surrogate pair in half, so user text can neither break the layout nor
 * inject `<!channel>`-style mentions, and never exceeds a Block Kit limit after escaping.
 */
export function escapeClamp(text: string, max: number): string {
  const pieces: string[] = [];
  let length = 0;
  for (const ch of text) {
    const piece = ENTITY[ch] ?? ch;
    if (length + piece.length > max) {
      // drop whole pieces (entities, code points) until the ellipsis fits
      while (pieces.length > 0 && length + ELLIPSIS.length > max) length -= pieces.pop()!.length;
      return length + ELLIPSIS.length <= max ? pieces.join('') + ELLIPSIS : pieces.join('');
    }
    pieces.push(piece);
    length += piece.length;
  }
  return pieces.join('');
}

function clampRaw(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** Clamps plain text (no escaping: plain_text objects are not parsed by Slack). */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  return clampRaw(text, Math.max(0, max - ELLIPSIS.length)) + ELLIPSIS;
}

export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (ch) => ENTITY[ch] ?? ch);
}

/**
 * User text inside an inline code span: backticks would close the span early, so they become a
 * look-alike (U+02CB); newlines would end it too.
 */
export function codeSpan(text: string, max = 200): string {
  return '`' + escapeClamp(noBackticks(text).replace(/[\r\n]+/g, ' '), max) + '`';
}

export function noBackticks(text: string): string {
  return text.replace(/`/g, 'ˋ');
}

/** USD(C) amount: 2 decimals; small amounts keep at least 3 so $0.045 does not read as $0.05. */
export function formatMoney(amount: number): string {
  if (!Number.isFinite(amount)) return '$?';
  const abs = Math.abs(amount);
  let decimals = 2;
  if (abs > 0 && abs < 0.1) decimals = Math.min(6, Math.max(3, Math.ceil(-Math.log10(abs)) + 1));
  const sign = amount < 0 ? '-' : '';
  return `${sign}$${abs.toFixed(decimals)}`;
}

export function formatHourly(amount: number): string {
  return `${formatMoney(amount)}/h`;
}

const UNIT_NAMES: Record<string, string> = {
  ki: 'KiB', mi: 'MiB', gi: 'GiB', ti: 'TiB', pi: 'PiB',
  k: 'KB', m: 'MB', g: 'GB', t: 'TB', p: 'PB',
  kb: 'KB', mb: 'MB', gb: 'GB', tb: 'TB', pb: 'PB',
  kib: 'KiB', mib: 'MiB', gib: 'GiB', tib: 'TiB', pib: 'PiB',
};

/** RAM/disk as the API counts them: `{count: 512, units: "Gi"}` -> "512 GiB"; 2048 Gi -> "2 TiB". */
export function formatSize(q: Quantity): string {
  const unit = UNIT_NAMES[q.units.trim().toLowerCase()] ?? q.units;
  if (unit === 'GiB' && q.count >= 1024) return `${trimNumber(q.count / 1024)} TiB`;
  if (unit === 'GB' && q.count >= 1000) return `${trimNumber(q.count / 1000)} TB`;
  return `${trimNumber(q.count)} ${unit}`;
}

function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, '');
}

/** GPU memory is marketed in GB: "80Gi" -> "80 GB" (the API's Gi here means the card's GB). */
export function formatVram(vram: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(vram);
  if (!m) return vram;
  return `${m[1]} ${(m[2] ?? '').toLowerCase().startsWith('t') ? 'TB' : 'GB'}`;
}

/** "H100 80GB SXM": model upper-cased, VRAM compact, interface upper-cased. */
export function gpuLabel(gpu: Pick<GpuSpec, 'model' | 'vram' | 'interface'>): string {
  return [gpu.model.toUpperCase(), formatVram(gpu.vram).replace(' ', ''), gpu.interface.toUpperCase()]
    .filter((s) => s.length > 0)
    .join(' ');
}

/** "H100 80GB SXM × 8" */
export function gpuWithCount(gpu: GpuSpec): string {
  return `${gpuLabel(gpu)} × ${gpu.count}`;
}

export const STATE_ICON: Readonly<Record<InstanceState, string>> = {
  active: '🟢',
  provisioning: '🟡',
  failed: '🔴',
  ended: '⚫',
};

export function statusIcon(state: InstanceState): string {
  return STATE_ICON[state];
}

/** First 8 characters of an instance id: enough to name it in `/gpu status <prefix>`. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A Slack date token: every reader sees their own time zone; the fallback is UTC ISO. */
export function slackDate(at: string | number | Date, format = '{date_short_pretty} {time}'): string {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return escapeClamp(String(at), 64);
  return `<!date^${Math.floor(ms / 1000)}^${format}|${new Date(ms).toISOString()}>`;
}

export const SANDBOX_NOTE = '🧪 Sandbox: simulated Fluence API, nothing real is deployed and no money moves.';

/**
 * Button values that point at a plan or an instance: `${type}:${id}`. The listeners decode them
 * with `decodeRef`, which never throws and rejects anything that is not one of ours.
 */
export function encodeRef(type: WorkloadType, id: string): string {
  return `${type}:${id}`;
}

export function decodeRef(value: string): { type: WorkloadType; id: string } | undefined {
  const i = value.indexOf(':');
  if (i <= 0) return undefined;
  const type = value.slice(0, i);
  const id = value.slice(i + 1);
  if (!isWorkloadType(type) || id.length === 0) return undefined;
  return { type, id };
}
