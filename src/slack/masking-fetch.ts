/**
 * The one redaction step in front of Slack: every Web API call and every `respond()` goes through
 * this fetch (Bolt 5 and @slack/web-api 8 take `clientOptions.fetch`), and every secret value the
 * bot has seen is masked in the outgoing body, whatever view or error message put it there.
 */
import type { SecretRedactor } from '../secrets';

type Fetch = typeof fetch;

export function maskingFetch(redactor: SecretRedactor, inner: Fetch = globalThis.fetch): Fetch {
  return (async (input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => {
    if (init?.body != null && redactor.size > 0) {
      init = { ...init, body: maskBody(redactor, init.body) };
    }
    return inner(input, init);
  }) as Fetch;
}

function maskBody(redactor: SecretRedactor, body: NonNullable<RequestInit['body']>): RequestInit['body'] {
  if (typeof body === 'string') return maskString(redactor, body);
  if (body instanceof URLSearchParams) {
    const out = new URLSearchParams();
    for (const [k, v] of body) out.append(k, maskString(redactor, v));
    return out;
  }
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    const out = new FormData();
    for (const [k, v] of body) out.append(k, typeof v === 'string' ? maskString(redactor, v) : v);
    return out;
  }
  return body;
}

/** The redactor knows each secret's raw, JSON-escaped and URL-encoded forms. */
function maskString(redactor: SecretRedactor, s: string): string {
  return redactor.mask(s);
}
