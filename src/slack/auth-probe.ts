/**
 * Readiness of the Slack side: does `auth.test` accept the bot token? Asked at most once a minute
 * while it succeeds (and every 10 s while it fails), whatever the probe rate, and concurrent
 * probes share one call: the load balancer's probes must not spend the workspace's rate limit.
 */
import type { WebClient } from '@slack/web-api';
import type { Probe } from '../readiness';

const OK_FOR_MS = 60_000;
const FAILURE_FOR_MS = 10_000;

export function slackAuthProbe(client: Pick<WebClient, 'auth'>, now: () => number = Date.now): Probe {
  let last: { at: number; error: string | null } | null = null;
  let asking: Promise<void> | null = null;
  const ask = async (): Promise<void> => {
    try {
      await client.auth.test();
      last = { at: now(), error: null };
    } catch (err) {
      // a 429 says nothing against the token: Slack answered, keep serving
      last = { at: now(), error: (err as { code?: unknown }).code === 'slack_webapi_rate_limited_error' ? null : describe(err) };
    }
  };
  return {
    name: 'slack',
    async check() {
      const fresh = last && now() - last.at < (last.error ? FAILURE_FOR_MS : OK_FOR_MS);
      if (!fresh) {
        asking ??= ask().finally(() => {
          asking = null;
        });
        await asking;
      }
      if (last?.error) throw new Error(last.error);
    },
  };
}

/** Slack's error code (invalid_auth, token_revoked...) or the transport failure, never the token. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; data?: { error?: unknown }; message?: unknown };
  if (typeof e.data?.error === 'string') return `auth.test failed: ${e.data.error}`;
  if (e.code === 'slack_webapi_request_error') return 'Slack could not be reached';
  return 'auth.test failed';
}
