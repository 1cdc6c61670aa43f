/**
 * Readiness end to end (signed Slack requests, the simulator, the real watcher on the manual clock):
 * a crash-looping container is ACTIVE but never usable, so it never gets "ready, connect with …";
 * after WATCH_START_GRACE_MS its thread gets one reply saying so, with Events / Logs buttons (the lines
 * themselves only in an owner's DM: watch-diagnostics-privacy.test.ts). And the connect
 * line says `root@` only for the image known to log in as root.
 */
import { CRASHLOOP_IMAGE } from '../../src/simulator';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { visibleText } from '../support/responses';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({ env: { WATCH_START_GRACE_MS: String(3 * 60_000) } });
});
afterAll(async () => {
  await t.stop();
});

const posts = (channel: string) => t.standin.messages(channel).filter((m) => !m.thread_ts);
const replies = (ts: string) => t.standin.messages('C_GENERAL').filter((m) => m.thread_ts === ts);

async function watched(namePrefix: string, image?: string): Promise<{ id: string; ts: string }> {
  const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix, ...(image ? { image } : {}) });
  const ack = await t.user.command(`watch ${namePrefix}-0`);
  expect(ack.status).toBe(200);
  const status = await t.standin.waitFor(() => posts('C_GENERAL').find((m) => String(m.text).includes(`${namePrefix}-0`)));
  await t.tick();
  t.sim.control.setStatus(id!, 'ACTIVE');
  return { id: id!, ts: status.ts };
}

it('a crash-looping container is never called ready; after the start grace: one reply with Refresh / Events / Logs / Terminate', async () => {
  const { ts } = await watched('crashy', CRASHLOOP_IMAGE);
  for (let i = 0; i < 11; i++) await t.tick(); // 2 min 45 s of ACTIVE + NOT_STARTED
  expect(replies(ts)).toEqual([]);

  for (let i = 0; i < 2; i++) await t.tick(); // past 3 min
  const thread = replies(ts);
  expect(thread).toHaveLength(1);
  const text = visibleText(thread[0]!);
  expect(text).toMatch(/<@U_ALICE> `crashy-0` is ACTIVE and billed, but its container has not started after 3 min/);
  // a channel thread: the lines may hold secrets, so they are neither shown nor fetched
  expect(text).not.toContain('BackOff');
  expect(text).not.toMatch(/`crashy-0` is ready|ssh -p/);
  const buttons = (thread[0]!.blocks as any[]).flatMap((b) => b.elements ?? []).map((e: any) => e.action_id);
  expect(buttons).toEqual([ACTION.openInstance, ACTION.events, ACTION.logs, ACTION.terminate]);
  expect(t.sim.control.requests.filter((r) => /\/(events|logs)$/.test(r.path))).toEqual([]);

  for (let i = 0; i < 8; i++) await t.tick();
  expect(replies(ts)).toHaveLength(1);
  expect((await t.bot.context.store.watches.get(await idOf('crashy-0')))!.state).toBe('watching');
});

it('a container on another image is ready with `<user>@host` and a hint, not a root login', async () => {
  const { ts } = await watched('torch', 'docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime');
  for (let i = 0; i < 3; i++) await t.tick();
  const thread = replies(ts);
  expect(thread).toHaveLength(1);
  const text = visibleText(thread[0]!);
  expect(text).toMatch(/`torch-0` is ready/);
  expect(text).toMatch(/ssh -p \d+ &lt;user&gt;@provider\.a100\.pub/);
  expect(text).not.toMatch(/root@/);
  expect(text).toContain('Replace &lt;user&gt; with the login user of your image');
});

async function idOf(name: string): Promise<string> {
  return t.sim.control.instances().find((i) => i.name === name)!.id;
}
