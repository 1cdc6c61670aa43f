/**
 * Test doubles for the watcher tests: an in-memory FluenceApi that counts its calls and can fail on
 * demand, a recording WatchNotifier with scripted failures, a captured logger, and a setup helper
 * over a real SQLite temp file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FluenceApi } from '../../src/fluence/api';
import { FluenceError } from '../../src/fluence/errors';
import { instanceState, type Connection, type InstanceDetail, type InstanceSummary } from '../../src/fluence/model';
import type { WorkloadType } from '../../src/fluence/workload';
import { createLogger } from '../../src/log';
import { openStore, type Store } from '../../src/store';
import type { WatchStore, WatchInput, WatchRecord } from '../../src/store/watches';
import type { OutboxStore } from '../../src/store/outbox';
import { NoticeDelivery } from '../../src/background/delivery';
import { RENDERERS, slackNoticeSender } from '../../src/slack/notices';
import { ManualClock } from '../../src/watch/clock';
import type { NotifyResult, WatchMessage, WatchNotifier, WatchTarget } from '../../src/watch/notifier';
import { InstanceWatcher } from '../../src/watch/watcher';

export interface FakeInstance {
  type: WorkloadType;
  id: string;
  name: string;
  status: string;
  connection?: Connection | null;
  /** Containers: NOT_STARTED | STARTED (absent: the field is not sent). */
  containerStatus?: string | null;
  /** The detail call fails with this, every time (say, a body that does not parse). */
  detailError?: FluenceError;
  events?: string[];
  logs?: string[];
}

const gpu = { vendor: 'nvidia', model: 'h100', vram: '80Gi', interface: 'sxm', count: 1 };

export class FakeFluence implements Partial<FluenceApi> {
  readonly instances = new Map<string, FakeInstance>();
  calls: string[] = [];
  /** Types whose calls fail with this error (an outage). */
  faults = new Map<WorkloadType, FluenceError>();
  /** The `last` argument of every events/logs call, in order. */
  lastArgs: Array<number | undefined> = [];

  put(i: FakeInstance): void {
    this.instances.set(i.id, i);
  }
  set(id: string, patch: Partial<FakeInstance>): void {
    this.instances.set(id, { ...this.instances.get(id)!, ...patch });
  }
  resetCalls(): void {
    this.calls = [];
  }
  private fault(type: WorkloadType): void {
    const f = this.faults.get(type);
    if (f) throw f;
  }
  private summary(i: FakeInstance): InstanceSummary {
    return {
      type: i.type, id: i.id, name: i.name, status: i.status, state: instanceState(i.status), gpu, vcpu: 8,
      memory: { count: 64, units: 'Gi' }, storage: { count: 100, units: 'Gi' }, location: 'US', domain: null,
      createdAt: '2026-02-07T14:00:00Z', updatedAt: '2026-02-07T14:00:00Z',
    } as InstanceSummary;
  }
  async listInstances(type: WorkloadType): Promise<InstanceSummary[]> {
    this.calls.push(`list:${type}`);
    this.fault(type);
    return [...this.instances.values()].filter((i) => i.type === type).map((i) => this.summary(i));
  }
  async getInstance(type: WorkloadType, id: string): Promise<InstanceDetail> {
    this.calls.push(`get:${type}:${id}`);
    this.fault(type);
    const i = this.instances.get(id);
    if (!i || i.type !== type) throw new FluenceError('not_found', 'not found', { status: 404 });
    if (i.detailError) throw i.detailError;
    const active = instanceState(i.status) === 'active';
    return {
      ...this.summary(i),
      billing: null,
      connection: active ? (i.connection ?? null) : null,
      ...(i.containerStatus !== undefined ? { containerStatus: i.containerStatus } : {}),
    };
  }
  async getEvents(id: string, last?: number): Promise<string[]> {
    this.calls.push(`events:${id}`);
    this.lastArgs.push(last);
    return this.instances.get(id)?.events ?? [];
  }
  async getLogs(id: string, last?: number): Promise<string[]> {
    this.calls.push(`logs:${id}`);
    this.lastArgs.push(last);
    return this.instances.get(id)?.logs ?? [];
  }
}

export interface SentMessage {
  method: 'updateStatus' | 'reply' | 'dm' | 'post';
  to: string;
  message: WatchMessage;
}

export class RecordingNotifier implements WatchNotifier {
  sent: SentMessage[] = [];
  /** Scripted results, consumed one per call of that method; default ok. */
  script: Record<SentMessage['method'], NotifyResult[]> = { updateStatus: [], reply: [], dm: [], post: [] };
  attempts = 0;

  private next(method: SentMessage['method'], to: string, message: WatchMessage): NotifyResult {
    this.attempts += 1;
    const res = this.script[method].shift() ?? { ok: true };
    if (res.ok) this.sent.push({ method, to, message });
    return res;
  }
  async updateStatus(t: WatchTarget, m: WatchMessage) {
    return this.next('updateStatus', `${t.channelId}/${t.messageTs}`, m);
  }
  async reply(t: WatchTarget, m: WatchMessage) {
    return this.next('reply', `${t.channelId}/${t.messageTs}`, m);
  }
  async dm(userId: string, m: WatchMessage) {
    return this.next('dm', userId, m);
  }
  async post(channelId: string, m: WatchMessage) {
    return this.next('post', channelId, m);
  }
  replies(): SentMessage[] {
    return this.sent.filter((s) => s.method !== 'updateStatus');
  }
}

export function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

export const MIN = 60_000;

export interface Harness {
  dir: string;
  path: string;
  /** The whole store on the file (the watcher uses its watches and outbox). */
  db: Store;
  store: WatchStore;
  /** The one outbox the watcher's notices go through (same file). */
  outbox: OutboxStore;
  clock: ManualClock;
  notifier: RecordingNotifier;
  watcher: InstanceWatcher;
  logs: Array<Record<string, unknown>>;
  /** Closes the watcher and DB and opens new ones on the same file (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  fake: Partial<FluenceApi>,
  opts: { sandbox?: boolean; notifier?: RecordingNotifier; clock?: ManualClock; startGraceMs?: number; mayReadLines?: (w: WatchRecord) => boolean } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-watch-'));
  const fluence = fake as FluenceApi;
  const path = join(dir, 'watch.sqlite');
  const clock = opts.clock ?? new ManualClock();
  const { logger, lines } = captureLogger();
  // the notifier plays the Slack workspace: it survives a restart of the bot
  const notifier = opts.notifier ?? new RecordingNotifier();
  const build = async () => {
    const db = await openStore(path, { now: () => clock.now() });
    const store = db.watches;
    const outbox = db.outbox;
    const sandbox = opts.sandbox ?? false;
    const delivery = new NoticeDelivery({ outbox, sender: slackNoticeSender(notifier, RENDERERS, { sandbox }), logger, now: () => clock.now(), intervalMs: 15_000 });
    const watcher = new InstanceWatcher({
      store, fluence, delivery, clock, logger,
      intervalMs: 15_000, timeoutMs: 30 * MIN, hardLimitMs: 360 * MIN,
      ...(opts.startGraceMs !== undefined ? { startGraceMs: opts.startGraceMs } : {}),
      ...(opts.mayReadLines ? { mayReadLines: opts.mayReadLines } : {}),
    });
    return { db, store, outbox, watcher };
  };
  const h = { dir, path, clock, notifier, logs: lines, ...(await build()) } as Harness;
  h.restart = async () => {
    await h.watcher.stop();
    await h.db.close();
    Object.assign(h, await build());
  };
  h.close = async () => {
    await h.watcher.stop();
    await h.db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return h;
}

let seq = 0;
export function watchInput(id: string, type: WorkloadType, extra: Partial<WatchInput> = {}): WatchInput {
  seq += 1;
  return {
    instanceId: id, type, teamId: 'T1', channelId: 'C1', messageTs: `1700000000.${String(seq).padStart(6, '0')}`,
    requesterId: 'U1', name: `inst-${id}`, planLabel: 'H100 80GB × 1', pricePerHour: 2.96, status: 'INITIALIZED', ...extra,
  };
}

export const CONNECTIONS: Record<WorkloadType, Connection> = {
  container: {
    host: 'provider.a100.pub',
    ssh: 'ssh -p 32345 root@provider.a100.pub',
    ports: [
      { port: '22', externalPort: '32345', protocol: 'tcp', endpoint: 'provider.a100.pub:32345' },
      { port: '8000', externalPort: '31234', protocol: 'tcp', endpoint: 'provider.a100.pub:31234' },
    ],
    uri: 'https://abc.provider.a100.pub',
  },
  vm: { ssh: 'ssh ubuntu@216.81.248.90', host: '216.81.248.90', ports: [] },
  baremetal: { ssh: 'ssh ubuntu@203.0.113.7', host: '203.0.113.7', ports: [] },
};

export function textOf(m: WatchMessage): string {
  return JSON.stringify(m.blocks);
}
