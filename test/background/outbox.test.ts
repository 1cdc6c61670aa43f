/**
 * The outbox and its delivery, on a real SQLite file with the real renderers and a recording Slack:
 * a notice is claimed once, delivered once across a restart, waits out a 429 for Retry-After, and a
 * claim abandoned by a killed process is delivered once after its timeout.
 */
import { NoticeDelivery } from '../../src/background/delivery';
import type { NoticeOf, OutboxEntry } from '../../src/background/notices';
import { RENDERERS, slackNoticeSender } from '../../src/slack/notices';
import type { Store } from '../../src/store';
import { tempStores, type TempStores } from '../store/temp-store';
import { captureLogger, RecordingNotifier } from '../watch/fakes';

let t: TempStores;
let notifier: RecordingNotifier;
beforeEach(() => {
  t = tempStores();
  notifier = new RecordingNotifier();
});
afterEach(() => t.cleanup());

const to = { teamId: 'T1', channelId: 'C1', messageTs: '1700000000.000100', requesterId: 'U1' };
const ended = (id: string): OutboxEntry & { notice: NoticeOf<'watch.ended'> } => ({
  key: `watch:${id}:ended`,
  notice: { kind: 'watch.ended', to, instanceId: id, name: `box-${id}`, type: 'vm', requesterId: 'U1' },
});

function delivery(store: Store, o: { claimMs?: number; owner?: string } = {}) {
  return new NoticeDelivery({
    outbox: store.outbox,
    sender: slackNoticeSender(notifier, RENDERERS, { sandbox: false }),
    logger: captureLogger().logger,
    now: t.clock.now,
    intervalMs: 15_000,
    ...o,
  });
}

test('a key is claimed once; delivered once, rendered at delivery; never again after a restart', async () => {
  let store = await t.open();
  expect(await store.outbox.enqueue([ended('i1')], t.clock.t)).toEqual(['watch:i1:ended']);
  expect(await store.outbox.enqueue([ended('i1')], t.clock.t)).toEqual([]);
  const first = await delivery(store).deliverDue();
  expect(first.map((d) => [d.key, d.via])).toEqual([['watch:i1:ended', 'thread']]);
  expect(notifier.sent).toHaveLength(1);
  expect(notifier.sent[0]).toMatchObject({ method: 'reply', to: 'C1/1700000000.000100' });
  expect(notifier.sent[0]!.message.text).toContain('box-i1');
  expect(notifier.sent[0]!.message.text).toContain('has ended');

  await store.close();
  store = await t.open(); // a restart: new process, same file
  t.clock.t += 60_000;
  expect(await store.outbox.enqueue([ended('i1')], t.clock.t)).toEqual([]); // decided again after the restart: still once
  expect(await delivery(store).deliverDue()).toEqual([]);
  expect(notifier.sent).toHaveLength(1);
  expect(await store.outbox.history('watch:i1:')).toEqual([
    { key: 'watch:i1:ended', kind: 'watch.ended', state: 'sent', via: 'thread', attempts: 1, sentTs: null },
  ]);
});

test('429: the notice waits Retry-After, the rest of its channel waits too, then each goes out once', async () => {
  const store = await t.open();
  await store.outbox.enqueue([ended('a'), ended('b'), { ...ended('c'), notice: { ...ended('c').notice, to: { ...to, channelId: 'C2' } } }], t.clock.t);
  notifier.script.reply.push({ ok: false, reason: 'rate_limited', retryAfterSeconds: 30 });
  const d = delivery(store);
  const first = await d.deliverDue();
  // a was refused with 429; b (same channel) was not even tried; c (another channel) went out
  expect(first.map((x) => x.key)).toEqual(['watch:c:ended']);
  expect(notifier.attempts).toBe(2);
  t.clock.t += 15_000;
  expect((await d.deliverDue()).map((x) => x.key)).toEqual(['watch:b:ended']); // b's claim was given back, a still waits
  t.clock.t += 14_999;
  expect(await d.deliverDue()).toEqual([]);
  t.clock.t += 1;
  expect((await d.deliverDue()).map((x) => x.key)).toEqual(['watch:a:ended']);
  expect(notifier.sent.map((s) => s.message.text.match(/box-(\w)/)![1]).sort()).toEqual(['a', 'b', 'c']);
  expect((await store.outbox.history('watch:a:'))[0]).toMatchObject({ state: 'sent', attempts: 2 });
});

test('a claim left by a process killed mid-delivery is delivered once after the claim timeout, and the stale claimant cannot mark it', async () => {
  const store = await t.open();
  await store.outbox.enqueue([ended('k')], t.clock.t);
  // replica A claims it and dies before sending
  const [stale] = await store.outbox.claim(t.clock.t, { token: 'A:1', claimMs: 60_000, limit: 10 });
  expect(stale).toBeDefined();
  const b = delivery(store, { claimMs: 60_000 });
  t.clock.t += 59_999;
  expect(await b.deliverDue()).toEqual([]); // still A's
  t.clock.t += 1;
  expect((await b.deliverDue()).map((x) => x.key)).toEqual(['watch:k:ended']);
  t.clock.t += 120_000;
  expect(await b.deliverDue()).toEqual([]);
  expect(notifier.sent).toHaveLength(1);
  // A wakes up late: its claim is gone, its mark changes nothing
  expect(await store.outbox.markSent(stale!.id, stale!.token, { via: 'thread' }, t.clock.t)).toBe(false);
  expect(await store.outbox.markRetry(stale!.id, stale!.token, 0, 'late')).toBe(false);
  expect((await store.outbox.history('watch:k:'))[0]).toMatchObject({ state: 'sent', attempts: 1 });
});

test('a replaced living-message edit is sent with its newest payload; a replace during delivery is not lost', async () => {
  const store = await t.open();
  const status = (s: string): OutboxEntry => ({
    key: 'watch:s1:status',
    replace: true,
    notice: { kind: 'watch.status', to, instanceId: 's1', name: 'box', type: 'vm', requesterId: 'U1', planLabel: 'H100', pricePerHour: 2, status: s, updatedAt: t.clock.t },
  });
  await store.outbox.enqueue([status('INITIALIZED')], t.clock.t);
  await store.outbox.enqueue([status('ACTIVE')], t.clock.t);
  await delivery(store).deliverDue();
  expect(notifier.sent.map((s) => s.method)).toEqual(['updateStatus']);
  expect(notifier.sent[0]!.message.text).toContain('ACTIVE');
  // claimed, and while Slack is answering a newer status arrives: that one still goes out after
  const [c] = await store.outbox.claim(t.clock.t, { token: 'x', claimMs: 60_000, limit: 1 });
  expect(c).toBeUndefined(); // nothing pending any more
  await store.outbox.enqueue([status('FAILED')], t.clock.t);
  const [claimed] = await store.outbox.claim(t.clock.t, { token: 'x', claimMs: 60_000, limit: 1 });
  await store.outbox.enqueue([status('ENDED')], t.clock.t);
  expect(await store.outbox.markSent(claimed!.id, 'x', { via: 'update' }, t.clock.t)).toBe(false);
  await delivery(store).deliverDue();
  expect(notifier.sent.at(-1)!.message.text).toContain('ENDED');
});

test('an edit with no message to edit, and a channel the bot left, are dropped; a reply there goes to the requester as a DM', async () => {
  const store = await t.open();
  await store.outbox.enqueue(
    [
      { key: 'e1', notice: { kind: 'watch.status', to: { ...to, messageTs: '' }, instanceId: 'e1', name: 'x', type: 'vm', requesterId: 'U1', planLabel: 'p', pricePerHour: 1, status: 'ACTIVE', updatedAt: 0 } },
      ended('gone'),
    ],
    t.clock.t,
  );
  notifier.script.reply.push({ ok: false, reason: 'not_in_channel', error: 'not_in_channel' });
  const out = await delivery(store).deliverDue();
  expect(out.map((d) => [d.key, d.via])).toEqual([['watch:gone:ended', 'dm']]);
  expect(notifier.sent[0]).toMatchObject({ method: 'dm', to: 'U1' });
  expect(notifier.sent[0]!.message.text).toMatch(/could not post in <#C1>/);
  expect((await store.outbox.history('e1'))[0]).toMatchObject({ state: 'dropped' });
  expect(await store.outbox.backlog(t.clock.t)).toEqual({ pending: 0, oldestAgeSeconds: 0 });
});
