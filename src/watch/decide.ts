/**
 * The watcher's business rules, as pure functions: which instances need a detail call, and what one
 * poll of one watch means (new status, finished or not, which replies to claim). No I/O, no Slack.
 */
import { instanceState, isStartPending, isUsable, type InstanceDetail, type InstanceSummary } from '../fluence/model';
import type { ReplyKind, WatchOutcome, WatchRecord } from '../store/watches';

export interface WatchLimits {
  /** After this long without being ready: one "taking long" reply, keep watching. */
  timeoutMs: number;
  /** After this long without being ready (or while missing from the list): one "gave up" reply, stop. */
  hardLimitMs: number;
  /** ACTIVE with a container not started for this long: one diagnostics reply, keep watching. */
  startGraceMs: number;
}

export interface Observation {
  /** The instance's entry in this cycle's list call; null when the list does not contain it. */
  summary: InstanceSummary | null;
  /** Fetched only when needsDetail() said so. */
  detail: InstanceDetail | null;
}

export interface Decision {
  /** Status to record (when the instance was listed). */
  status: string | null;
  /** The status differs from the last one seen: edit the living message. */
  statusChanged: boolean;
  finish: WatchOutcome | null;
  replies: ReplyKind[];
  markSlow: boolean;
  /** First sighting of an ACTIVE container that has not started: when, to record (else undefined). */
  notStartedSince?: number;
  markStartNotified: boolean;
  /** Not in the list this cycle. */
  missing: boolean;
}

/**
 * A detail call is needed only to learn whether an ACTIVE instance is usable: the list has no
 * network fields and no container_status (API.md §4.2, §10). Active watches are exactly those that
 * just turned ACTIVE or are ACTIVE-but-not-ready (a ready one stops being watched), so this stays
 * within "changed since last seen, or ACTIVE and not ready" and is usually far fewer calls.
 */
export function needsDetail(summary: InstanceSummary | null): boolean {
  return summary !== null && summary.state === 'active';
}

export function decide(watch: WatchRecord, obs: Observation, now: number, limits: WatchLimits): Decision {
  const elapsed = now - watch.createdAt;
  const status = obs.detail?.status ?? obs.summary?.status ?? null;
  const d: Decision = {
    status,
    statusChanged: status !== null && status !== watch.lastStatus,
    finish: null,
    replies: [],
    markSlow: false,
    markStartNotified: false,
    missing: obs.summary === null,
  };
  if (status !== null) {
    const state = instanceState(status);
    if (state === 'failed') return { ...d, finish: 'failed', replies: ['failed'] };
    if (state === 'ended') return { ...d, finish: 'ended', replies: ['ended'] };
    // ACTIVE is not enough (API.md §10): the container must have STARTED and an address must be out,
    // or "connect with …" would point at something that does not answer
    if (state === 'active' && obs.detail && isUsable(obs.detail)) return { ...d, finish: 'ready', replies: ['ready'] };
  }
  // ACTIVE but the container has not started: still pulling, or crash-looping. Past the grace period
  // the requester gets its events and logs once; the watch goes on, and "ready" still comes if it starts.
  if (obs.detail && isStartPending(obs.detail)) {
    const since = watch.notStartedSince ?? now;
    if (watch.notStartedSince === null) d.notStartedSince = now;
    if (!watch.startNotified && now - since >= limits.startGraceMs) {
      d.replies.push('not_started');
      d.markStartNotified = true;
    }
  }
  if (elapsed >= limits.hardLimitMs) return { ...d, finish: 'gave_up', replies: [...d.replies, 'gave_up'] };
  if (elapsed >= limits.timeoutMs && !watch.slowNotified) return { ...d, markSlow: true, replies: [...d.replies, 'slow'] };
  return d;
}

/**
 * May a reply in this watch's thread carry the instance's log and event lines? They routinely hold
 * secrets (issue 9 §3), and a channel thread is read by everyone in the channel, so only in a DM
 * (ids start with `D`): the bot posts only in its own DM with the requester there (a deploy or
 * `/gpu watch` from elsewhere that cannot be posted falls back to that DM), so the requester is
 * its one reader, and they must be allowed to read the lines (owner or admin; `/gpu watch` is
 * open to anyone).
 */
export async function linesShownInThread(watch: WatchRecord, requesterMayRead: (w: WatchRecord) => boolean | Promise<boolean>): Promise<boolean> {
  return watch.channelId.startsWith('D') && (await requesterMayRead(watch));
}
