/**
 * The whole bot on a manual clock, talking to the simulator through the relay (so a test can have
 * Fluence answer one request itself, or enlarge its answers). The set-up four e2e suites share.
 */
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { ManualClock } from '../../src/watch/clock';
import { startTestBot, type TestBot } from './bot-harness';
import { startRelay, type Relay } from './fluence-relay';

export interface RelayedBot {
  t: TestBot;
  sim: SimulatorHandle;
  relay: Relay;
}

export async function startRelayedBot(env?: Record<string, string>): Promise<RelayedBot> {
  const clock = new ManualClock();
  const sim = await startSimulator({ now: () => clock.now() });
  const relay = await startRelay(sim.url);
  const t = await startTestBot({ clock, sim: { ...sim, url: relay.url }, ...(env ? { env } : {}) });
  return { t, sim, relay };
}

export async function stopRelayedBot(r: Partial<RelayedBot>): Promise<void> {
  await r.t?.stop();
  await r.relay?.stop();
  await r.sim?.stop();
}
