/**
 * The one redaction step in front of Slack: every Web API call and every `respond()` goes through
 * this fetch (Bolt 5 and @slack/web-api 8 take `clientOptions.fetch`). The body is decoded back
 * into the payload it was built from, secret values are masked in its text leaves only
 * (SecretRedactor.maskPayload: never a `type`, an id, a boolean or a button value), and it is
 * encoded again. Replacing text inside the serialized bytes would corrupt the payload whenever a
 * secret equals a piece of its structure (a value `true` turned `"emoji":true` into invalid JSON).
 */
import { STRUCTURAL_KEYS, type SecretRedactor } from '../secrets';

type Fetch = typeof fetch;

/** Web API arguments @slack/web-api sends as JSON text inside the form body (it JSON-encodes every object argument). */
const JSON_ARGUMENTS = new Set(['blocks', 'attachments', 'view', 'metadata']);

export function maskingFetch(redactor: SecretRedactor, inner: Fetch = globalThis.fetch): Fetch {
  return (async (input: Parameters<Fetch>[0], init?: Parameters<Fetch>[1]) => {
    if (init?.body != null && redactor.size > 0) {
      init = { ...init, body: maskBody(redactor, init.body, contentType(init.headers)) };
    }
    return inner(input, init);
  }) as Fetch;
}

function contentType(headers: RequestInit['headers']): string {
  if (!headers) return '';
  const h = new Headers(headers as ConstructorParameters<typeof Headers>[0]);
  return (h.get('content-type') ?? '').toLowerCase();
}

function maskBody(redactor: SecretRedactor, body: NonNullable<RequestInit['body']>, type: string): RequestInit['body'] {
  if (typeof body === 'string') {
    // respond() posts JSON; the Web API client posts a form whose object arguments are JSON text
    if (type.includes('application/json')) return maskJson(redactor, body) ?? redactor.mask(body);
    return maskForm(redactor, new URLSearchParams(body)).toString();
  }
  if (body instanceof URLSearchParams) return maskForm(redactor, body);
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    const out = new FormData();
    for (const [k, v] of body) out.append(k, typeof v === 'string' ? maskArgument(redactor, k, v) : v);
    return out;
  }
  return body;
}

function maskForm(redactor: SecretRedactor, form: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of form) out.append(k, maskArgument(redactor, k, v));
  return out;
}

function maskArgument(redactor: SecretRedactor, key: string, value: string): string {
  if (STRUCTURAL_KEYS.has(key)) return value;
  if (JSON_ARGUMENTS.has(key)) return maskJson(redactor, value) ?? redactor.mask(value);
  return redactor.mask(value);
}

/** The JSON text with its text leaves masked; undefined when it is not JSON. */
function maskJson(redactor: SecretRedactor, text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return JSON.stringify(redactor.maskPayload(parsed));
}
