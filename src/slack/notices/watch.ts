/** Renderers of the watcher's notices: the living status message and the thread replies. */
import { instanceState } from '../../fluence/model';
import { shortId } from '../views/format';
import { renderInstanceStatusMessage } from '../views/status-message';
import { renderEndedReply, renderFailedReply, renderGaveUpReply, renderNotStartedReply, renderReadyReply, renderSlowReply } from '../views/watch-replies';
import type { WatchMessage } from '../../watch/notifier';
import type { RendererTable } from './registry';

type WatchKind = 'watch.legacy' | 'watch.status' | 'watch.ready' | 'watch.failed' | 'watch.ended' | 'watch.slow' | 'watch.gave_up' | 'watch.not_started';

const base = (n: { name: string; type: import('../../fluence/workload').WorkloadType; requesterId: string }, sandbox: boolean) => ({
  name: n.name,
  type: n.type,
  requesterId: n.requesterId,
  sandbox,
});

export const WATCH_RENDERERS: RendererTable<WatchKind> = {
  // rendered before the upgrade: the stored Block Kit goes out as it is
  'watch.legacy': (n) => ({ op: n.op, to: n.to, message: n.message as WatchMessage }),
  'watch.status': (n, { sandbox }) => ({
    op: 'update',
    to: n.to,
    message: renderInstanceStatusMessage({
      ...base(n, sandbox),
      planLabel: n.planLabel,
      pricePerHour: n.pricePerHour,
      status: n.status,
      state: instanceState(n.status),
      updatedAt: n.updatedAt,
    }),
  }),
  'watch.ready': (n, { sandbox }) => ({
    op: 'reply',
    to: n.to,
    message: renderReadyReply({
      ...base(n, sandbox),
      connection: n.connection,
      pricePerHour: n.pricePerHour,
      provisionedMs: n.provisionedMs,
      ...(n.lease ? { lease: { endsAt: n.lease.endsAt, instanceRef: shortId(n.instanceId) } } : {}),
    }),
  }),
  'watch.failed': (n, { sandbox }) => ({
    op: 'reply',
    to: n.to,
    message: renderFailedReply({ ...base(n, sandbox), instanceId: n.instanceId, status: n.status, lines: n.lines }),
  }),
  'watch.ended': (n, { sandbox }) => ({ op: 'reply', to: n.to, message: renderEndedReply(base(n, sandbox)) }),
  'watch.slow': (n, { sandbox }) => ({
    op: 'reply',
    to: n.to,
    message: renderSlowReply({ ...base(n, sandbox), instanceId: n.instanceId, elapsedMs: n.elapsedMs, hardLimitMs: n.hardLimitMs }),
  }),
  'watch.gave_up': (n, { sandbox }) => ({
    op: 'reply',
    to: n.to,
    message: renderGaveUpReply({ ...base(n, sandbox), elapsedMs: n.elapsedMs, lastStatus: n.lastStatus, missing: n.missing }),
  }),
  'watch.not_started': (n, { sandbox }) => ({
    op: 'reply',
    to: n.to,
    message: renderNotStartedReply({
      ...base(n, sandbox),
      instanceId: n.instanceId,
      notStartedMs: n.notStartedMs,
      containerStatus: n.containerStatus,
      lines: n.lines,
    }),
  }),
};
