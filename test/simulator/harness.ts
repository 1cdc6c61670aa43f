/** Starts a simulator on a fake clock and talks to it over real HTTP (redirects not followed). */
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator';

export const T0 = Date.UTC(2026, 1, 7, 14, 42, 29, 472); // 2026-02-07T14:42:29.472Z, as in the docs' examples

export interface Answer { status: number; json: any; text: string; headers: Headers }

export interface Harness {
  sim: SimulatorHandle;
  clock: { t: number };
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

export async function startHarness(opts: SimulatorOptions = {}): Promise<Harness> {
  const clock = { t: T0 };
  const sim = await startSimulator({ now: () => clock.t, ...opts });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(sim.url + path, {
      method,
      redirect: 'manual',
      headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  return { sim, clock, call };
}

export const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbW9jayBrZXk user@host';
