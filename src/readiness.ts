/**
 * `GET /readyz`: can this process serve Slack right now? Each probe is a named check that throws
 * (with a reason a person can act on) when it cannot; all run at once, each bounded by a timeout,
 * so a hung database answers "not ready" instead of hanging the load balancer's probe.
 * `GET /healthz` stays the liveness check (the process and its loops are alive): a replica whose
 * database is unreachable should be taken out of rotation, not restarted in a loop.
 */

export interface Probe {
  name: string;
  /** Resolves when ready; rejects with an Error whose message says why not. */
  check(): Promise<void>;
}

export interface Readiness {
  [k: string]: unknown;
  ok: boolean;
  /** Per probe: 'ok' or why not. */
  checks: Record<string, string>;
  /** The first failing probe's reason, for a one-line answer. */
  reason?: string;
}

export function readiness(probes: Probe[], opts: { timeoutMs?: number; mask?: (text: string) => string } = {}): () => Promise<Readiness> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const mask = opts.mask ?? ((t: string) => t);
  return async () => {
    const results = await Promise.all(
      probes.map(async (p) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([p.check(), timeout]);
          return [p.name, 'ok'] as const;
        } catch (err) {
          return [p.name, mask(err instanceof Error ? err.message : String(err)).slice(0, 300)] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const failed = results.find(([, r]) => r !== 'ok');
    return { ok: !failed, checks, ...(failed ? { reason: `${failed[0]}: ${failed[1]}` } : {}) };
  };
}
