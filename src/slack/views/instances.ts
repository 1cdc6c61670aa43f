/** `/gpu list`: one line per instance (newest first, as the caller sorted them) with an Open button. */
import type { KnownBlock } from '@slack/types';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { InstanceSummary } from '../../fluence/model';
import { WORKLOADS } from '../../fluence/workload';
import { ACTION } from '../ids';
import { leaseClause, type LeaseEnd } from './leases';
import { codeSpan, encodeRef, escapeClamp, gpuWithCount, shortId, statusIcon } from './format';
import { LIMITS, button, context, header, message, section, type MessageView } from './blocks';

/** Header + "more" + footer leave room for this many instance lines. */
const MAX_ROWS = LIMITS.blocksPerMessage - 4;

export interface InstanceListInput {
  instances: InstanceSummary[];
  all: boolean;
  hiddenEnded: number;
  /** For the age column: pass it for stable output; defaults to the current time. */
  now?: Date;
  /** Lease ends by instance id (issue 11); instances without one show none. */
  leases?: ReadonlyMap<string, LeaseEnd>;
}

export function age(createdAt: string, now: Date): string {
  const at = Date.parse(createdAt);
  if (!Number.isFinite(at)) return 'age unknown';
  return at > now.getTime() ? 'just now' : formatDistanceStrict(at, now, { addSuffix: true });
}

export function instanceLine(i: InstanceSummary, now: Date, lease?: LeaseEnd): string {
  const running = i.state === 'active' || i.state === 'provisioning';
  return [
    `${statusIcon(i.state)} *${escapeClamp(i.name, 100)}* ${codeSpan(shortId(i.id), 20)}`,
    WORKLOADS[i.type].label,
    escapeClamp(i.status, 40),
    escapeClamp(gpuWithCount(i.gpu), 100),
    escapeClamp(i.location ?? 'location pending', 60),
    age(i.createdAt, now),
    ...(lease && running ? [leaseClause(lease)!] : []),
  ].join(' · ');
}

export function renderInstanceList(input: InstanceListInput): MessageView {
  const now = input.now ?? new Date();
  const { instances } = input;
  const title = input.all ? 'All instances' : 'Your instances';
  const blocks: KnownBlock[] = [header(title)];
  if (instances.length === 0) {
    blocks.push(section(input.all ? 'No instances yet. Start with `/gpu plans` or `/gpu deploy`.' : 'No running instances. Start with `/gpu plans` or `/gpu deploy`.'));
  }
  for (const i of instances.slice(0, MAX_ROWS)) {
    blocks.push(section(instanceLine(i, now, input.leases?.get(i.id)), button({ text: 'Open', actionId: ACTION.openInstance, value: encodeRef(i.type, i.id) })));
  }
  const notes: string[] = [];
  if (instances.length > MAX_ROWS) notes.push(`…and ${instances.length - MAX_ROWS} more; open one with \`/gpu status <id or name>\`.`);
  if (!input.all && input.hiddenEnded > 0) {
    notes.push(`${input.hiddenEnded} ended instance${input.hiddenEnded === 1 ? '' : 's'} hidden — \`/gpu list all\``);
  }
  if (notes.length) blocks.push(context(...notes));
  const active = instances.filter((i) => i.state === 'active').length;
  return message(`${instances.length} instance${instances.length === 1 ? '' : 's'} (${active} active).`, blocks);
}
