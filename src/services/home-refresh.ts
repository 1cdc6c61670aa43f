/**
 * Keeps App Homes current (issue 12 §1): a change to a user's instances (deployed, ready, failed,
 * ended, terminated, updated) re-publishes that user's Home, debounced: every change within
 * `debounceMs` of the first one is served by one publish. Publishes for one user never overlap (a
 * slow one finishing after a newer one would show the older state); a change during a publish
 * schedules one more after it. Opening the Home publishes at once (no debounce).
 *
 * Changes come in as user ids, or as instance ids whose owner is looked up when the publish is due
 * (a fresh deploy's owner is recorded just after Fluence answers the POST). No Slack here: the
 * caller supplies `publish`. Nothing is kept across restarts: the next open publishes anyway.
 */
import type { FluenceApi } from '../fluence/api';
import type { Clock, TimerHandle } from '../watch/clock';
import type { WatchNotifier } from '../watch/notifier';

export const HOME_DEBOUNCE_MS = 2_000;

export interface HomeRefreshOptions {
  clock: Clock;
  debounceMs?: number;
  /** Builds and publishes the Home of one user; a rejection is logged by the caller's `onError`. */
  publish: (userId: string) => Promise<void>;
  /** The users whose Home shows this instance as theirs (its owner); may be empty. */
  ownersOf: (instanceId: string) => Promise<string[]>;
  onError: (err: unknown, userId: string) => void;
}

export class HomeRefresher {
  private readonly due = new Set<string>();
  private readonly dueInstances = new Set<string>();
  private timer: TimerHandle | null = null;
  /** Per user: the publish running now (publishes of one user run one after another). */
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly o: HomeRefreshOptions) {}

  /** The Home of these users shows something that changed. */
  userChanged(...userIds: Array<string | null | undefined>): void {
    for (const u of userIds) if (u) this.due.add(u);
    this.arm();
  }

  /** An instance changed (deployed, terminated, updated): its owner's Home is re-published. */
  instanceChanged(instanceId: string): void {
    this.dueInstances.add(instanceId);
    this.arm();
  }

  /** The user opened the Home tab: publish now. */
  opened(userId: string): Promise<void> {
    return this.run(userId);
  }

  /** Publishes everything due now (tests, shutdown) and waits for it. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      this.o.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    const instances = [...this.dueInstances];
    this.dueInstances.clear();
    for (const id of instances) {
      try {
        for (const u of await this.o.ownersOf(id)) this.due.add(u);
      } catch (err) {
        this.o.onError(err, `(owner of ${id})`);
      }
    }
    const users = [...this.due];
    this.due.clear();
    await Promise.all(users.map((u) => this.run(u)));
  }

  /** Publishes still running (shutdown waits for them). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.o.debounceMs ?? HOME_DEBOUNCE_MS);
  }

  private run(userId: string): Promise<void> {
    const before = this.running.get(userId) ?? Promise.resolve();
    const mine = before
      .then(() => (this.stopped ? undefined : this.o.publish(userId)))
      .catch((err) => this.o.onError(err, userId))
      .finally(() => {
        if (this.running.get(userId) === mine) this.running.delete(userId);
      });
    this.running.set(userId, mine);
    return mine;
  }
}

/**
 * The Fluence API, telling `onChange` the id of every instance a call created, terminated, updated
 * or renamed, after Fluence accepted it. Every path that changes an instance (the deploy form, an
 * approved deploy, the Terminate button, a lease policy) goes through here, so none is missed.
 */
export function observeInstanceChanges(fluence: FluenceApi, onChange: (instanceId: string) => void): FluenceApi {
  const tell = (id: string) => {
    try {
      onChange(id);
    } catch {
      // a Home refresh must never fail the change itself
    }
  };
  const changes: Partial<Record<keyof FluenceApi, (args: unknown[], result: unknown) => string | undefined>> = {
    createInstance: (_a, r) => (r as { instanceId?: string } | undefined)?.instanceId,
    terminateInstance: (a) => a[1] as string,
    updateContainer: (a) => a[0] as string,
    renameInstance: (a) => a[1] as string,
  };
  return new Proxy(fluence, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      const idOf = changes[prop as keyof FluenceApi];
      if (!idOf || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const id = idOf(args, result);
        if (id) tell(id);
        return result;
      };
    },
  });
}

/** The watcher's notifier, telling `onUser` whose instance it just wrote about (ready, failed, ended, taking long). */
export function homeAwareNotifier(notifier: WatchNotifier, onUser: (userId: string) => void): WatchNotifier {
  const after = async <T>(userId: string, p: Promise<T>): Promise<T> => {
    const r = await p;
    onUser(userId);
    return r;
  };
  return {
    updateStatus: (t, m) => after(t.requesterId, notifier.updateStatus(t, m)),
    reply: (t, m) => after(t.requesterId, notifier.reply(t, m)),
    dm: (u, m) => notifier.dm(u, m),
    post: (c, m) => notifier.post(c, m),
  };
}
