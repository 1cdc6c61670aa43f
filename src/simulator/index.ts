/**
 * A local stand-in for the Fluence GPU API (API.md), over real HTTP on 127.0.0.1, for sandbox
 * mode, tests, the demo and benchmarks. `startSimulator()` returns the URL, the key it expects and
 * a `control` handle for tests (faults, clock offset, balance, forced statuses, bulk seeding).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkloadType } from '../fluence/workload';
import { SimAccountKeys, type SimAccountKey } from './account-keys';
import { FaultInjector, type Faults } from './faults';
import { createHandler, type RequestRecord } from './server';
import { seedInstances, type SeedOptions } from './seed';
import { SimState, type SimInstance, type SimStatus } from './state';
import type { SimMarket } from './market';

export * from './catalog';
export type { SimAccountKey } from './account-keys';
export type { Faults, GarbageKind } from './faults';
export type { RequestRecord } from './server';
export type { SeedOptions } from './seed';
export type { SimInstance, SimStatus } from './state';
export type { NewOffer, SimMarket } from './market';

export interface SimulatorOptions {
  /** Default 0 (random); host is always 127.0.0.1. */
  port?: number;
  /** Default 'sim-key'. Every /gpu, /v1 and /v2 request needs `X-API-KEY` equal to it, else 403. */
  apiKey?: string;
  /** USDC, default 1000. */
  balance?: number;
  /**
   * Divides every default duration below (not the ones given explicitly): 1 is as slow as the real
   * GPU Cloud, 60 turns its minutes into seconds. Default 1.
   */
  speed?: number;
  /** INITIALIZED -> ACTIVE after this long. Default 120 s / speed. */
  provisioningDelayMs?: number;
  /** After ACTIVE, network.domain / ssh_connection stay null this long. Default 5 s / speed. */
  networkDelayMs?: number;
  /** After ACTIVE, a container stays NOT_STARTED this long (pulling its image). Default 30 s / speed. */
  containerStartMs?: number;
  /** Injectable clock (ms). Status and billing are computed from it on every read; no timers. */
  now?: () => number;
  /** A container PUT is "being applied" this long; a second PUT meanwhile -> 400. Default 20 s / speed. */
  updateApplyMs?: number;
  /** Instances whose name matches go INITIALIZED -> FAILED. Default /fail/. */
  failNamePattern?: RegExp;
  /** Containers whose image matches crash-loop: ACTIVE, never STARTED, BackOff events. Default CRASHLOOP_IMAGE_PATTERN. */
  crashLoopImagePattern?: RegExp;
  /** Seed of the fault PRNG. Default 1. */
  seed?: number;
  logger?: { info(...a: unknown[]): void };
}

export interface SimulatorControl {
  /** Every request (query string stripped); `status` is 0 while unanswered. */
  readonly requests: RequestRecord[];
  resetRequests(): void;
  setFaults(f: Faults): void;
  clearFaults(): void;
  setBalance(n: number): void;
  balance(): number;
  /** The account's own billing totals (what every instance deployed through the API was charged, and their burn). */
  totals(): { spent: number; hourly: number; deposited: number };
  /** One instance's `total_spendings` now, as its detail would show it (seeded ones included). */
  spentOf(id: string): number;
  /** Forces a status from now on (ENDED elsewhere, FAILED...). Throws on an unknown id. */
  setStatus(id: string, status: SimStatus): void;
  /** All instances of every type, raw. */
  instances(): SimInstance[];
  /** Bulk-creates n instances (ACTIVE unless opts.status), without touching the balance. Returns their ids. */
  seedInstances(n: number, type: WorkloadType, opts?: SeedOptions): string[];
  /** Adds a key to the account's SSH keys (main API GET /v1/ssh_keys lists them). */
  addAccountSshKey(name: string, publicKey: string): SimAccountKey;
  /** 401/403: GET /v1/ssh_keys is refused (as it may be for API keys: API.md §6.2); null: answered. */
  refuseAccountSshKeys(status: 401 | 403 | null): void;
  /**
   * The offers it serves, changeable while it runs: `market.setPrice(id, usd)`, `withdraw(id)` /
   * `restore(id)`, `add(type, {gpu, count, pricePerHour, locations})`.
   */
  readonly market: SimMarket;
  /** Moves the simulator's clock forward by ms (added to the injected `now`). */
  advance(ms: number): void;
  /** The simulator's current time (injected `now` + advance offset). */
  now(): number;
}

export interface SimulatorHandle {
  /** Origin, e.g. http://127.0.0.1:40123 (the client appends /gpu/...). */
  url: string;
  port: number;
  apiKey: string;
  control: SimulatorControl;
  /** Closes the server and any hung requests. */
  stop(): Promise<void>;
}

/**
 * How long things take on the real GPU Cloud: provisioning "typically takes 2–3 minutes" (API.md
 * §1.4), i.e. about 2 min to ACTIVE plus the image pull before the container is STARTED.
 */
export const REALISTIC_TIMINGS = {
  provisioningDelayMs: 120_000,
  networkDelayMs: 5_000,
  containerStartMs: 30_000,
  updateApplyMs: 20_000,
} as const;

/** Images the simulator treats as broken: they crash on start, so the bot's diagnostics path can be seen. */
export const CRASHLOOP_IMAGE_PATTERN = /crash/i;
/** A seeded image that crash-loops (its uppercase tag is valid: OCI tags keep their case). */
export const CRASHLOOP_IMAGE = 'ghcr.io/fluence-sim/crashloop-demo:V1';

export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const apiKey = opts.apiKey ?? 'sim-key';
  const baseNow = opts.now ?? Date.now;
  let offset = 0;
  const now = () => baseNow() + offset;
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error('simulator: speed must be a positive number');
  const scaled = (ms: number) => Math.round(ms / speed);
  const state = new SimState({
    now,
    balance: opts.balance ?? 1000,
    provisioningDelayMs: opts.provisioningDelayMs ?? scaled(REALISTIC_TIMINGS.provisioningDelayMs),
    networkDelayMs: opts.networkDelayMs ?? scaled(REALISTIC_TIMINGS.networkDelayMs),
    containerStartMs: opts.containerStartMs ?? scaled(REALISTIC_TIMINGS.containerStartMs),
    updateApplyMs: opts.updateApplyMs ?? scaled(REALISTIC_TIMINGS.updateApplyMs),
    failNamePattern: opts.failNamePattern ?? /fail/,
    crashLoopImagePattern: opts.crashLoopImagePattern ?? CRASHLOOP_IMAGE_PATTERN,
  });
  const faults = new FaultInjector(opts.seed ?? 1);
  const requests: RequestRecord[] = [];
  const accountKeys = new SimAccountKeys();
  const { handle, hung } = createHandler({ state, faults, apiKey, requests, accountKeys, ...(opts.logger ? { logger: opts.logger } : {}) });
  const server: Server = createServer(handle);
  // Clients keep connections alive; do not let an idle socket hold stop() open.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const control: SimulatorControl = {
    requests,
    resetRequests: () => void requests.splice(0, requests.length),
    setFaults: (f) => faults.set(f),
    clearFaults: () => faults.clear(),
    setBalance: (n) => state.setBalance(n),
    balance: () => state.balance(),
    totals: () => state.totals(),
    spentOf: (id) => Math.round(state.spent(state.all().find((i) => i.id === id)!) * 100) / 100,
    setStatus: (id, status) => {
      if (!state.setStatus(id, status)) throw new Error(`simulator: no instance ${id}`);
    },
    instances: () => state.all(),
    seedInstances: (n, type, seedOpts) => seedInstances(state, n, type, seedOpts),
    addAccountSshKey: (name, publicKey) => accountKeys.add(name, publicKey),
    refuseAccountSshKeys: (status) => void (accountKeys.refuse = status),
    market: state.market,
    advance: (ms) => void (offset += ms),
    now,
  };

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      hung.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };

  return { url: `http://127.0.0.1:${port}`, port, apiKey, control, stop };
}
