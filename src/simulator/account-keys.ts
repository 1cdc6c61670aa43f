/**
 * The main API's account SSH keys (API.md §6.2, S12 `/v1/ssh_keys`) as the simulator keeps them.
 * The real spec lists only JWT security for these endpoints, so whether an API key may call them
 * is unknown: `refuse` answers them the way the main API refuses (`{code, error}`), and the bot
 * must then fall back silently.
 */
import { randomUUID, createHash } from 'node:crypto';

export interface SimAccountKey {
  id: string;
  userId: string;
  name: string;
  publicKey: string;
  algorithm: string;
  fingerprint: string;
}

const ACCOUNT_USER = '00000000-0000-4000-8000-00000000051a';

export class SimAccountKeys {
  private readonly keys: SimAccountKey[] = [];
  /** 401 or 403: every /v1/ssh_keys call is refused with that status. */
  refuse: 401 | 403 | null = null;

  add(name: string, publicKey: string): SimAccountKey {
    const [type = '', body = ''] = publicKey.trim().split(/\s+/);
    const fingerprint = `SHA256:${createHash('sha256').update(Buffer.from(body, 'base64')).digest('base64').replace(/=+$/, '')}`;
    const key = { id: randomUUID(), userId: ACCOUNT_USER, name, publicKey: publicKey.trim(), algorithm: type, fingerprint };
    this.keys.push(key);
    return key;
  }

  all(): SimAccountKey[] {
    return [...this.keys];
  }

  /** The main API's answer to GET /v1/ssh_keys?page&perPage (pages counted from 0 here). */
  answer(query: URLSearchParams): { status: number; body: unknown } {
    if (this.refuse === 401) return { status: 401, body: { code: 'unauthorized', error: 'Auth token invalid or missing' } };
    if (this.refuse === 403) return { status: 403, body: { code: 'forbidden', error: 'Not allowed to call this endpoint' } };
    const perPage = Math.max(1, Math.min(1000, Number(query.get('perPage') ?? 20) || 20));
    const page = Math.max(0, Number(query.get('page') ?? 0) || 0);
    const items = this.keys.slice(page * perPage, (page + 1) * perPage);
    const totalPages = Math.ceil(this.keys.length / perPage);
    return {
      status: 200,
      body: { items, pagination: { totalRecords: this.keys.length, filteredRecords: this.keys.length, totalPages, currentPage: page, perPage } },
    };
  }
}
