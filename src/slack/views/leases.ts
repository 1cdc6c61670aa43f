/**
 * What leases and channel policies look like: the lease end on the card, in the list and in the
 * ready reply (a Slack date token: each reader sees their own time zone), `/gpu policy`, and the
 * answers to `/gpu lease`. Pure: data in, Block Kit out.
 */
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../duration';
import type { EffectivePolicy } from '../../services/leases';
import { context, header, message, section, type MessageView } from './blocks';
import { SANDBOX_NOTE, codeSpan, slackDate } from './format';

const channel = (id: string) => `<#${id}>`;

/** The part of a lease a reader needs: its end, null = until terminated. */
export interface LeaseEnd {
  endsAt: number | null;
}

/** "<!date…> (in 7h59m)", "<!date…> (ended 5m ago)" or "until terminated". */
export function leaseEndText(lease: LeaseEnd, now: number): string {
  if (lease.endsAt === null) return 'until terminated';
  const left = lease.endsAt - now;
  const when = slackDate(lease.endsAt);
  return left > 0 ? `${when} (in ${formatDuration(left)})` : `${when} (ended ${formatDuration(-left)} ago)`;
}

/**
 * The card's Lease field. `undefined` lease: the caller does not know (no field); `null`: the
 * instance has none, with how to set one.
 */
export function leaseField(lease: LeaseEnd | null, now: number, instanceRef: string): string {
  if (!lease) return `*Lease*\nnone: \`/gpu lease ${instanceRef} 8h\``;
  return `*Lease*\n${lease.endsAt === null ? 'until terminated' : `ends ${leaseEndText(lease, now)}`}`;
}

/** A short clause for a list line or a reply: "lease ends <!date…>", "no lease end". */
export function leaseClause(lease: LeaseEnd | null | undefined): string | undefined {
  if (lease === undefined) return undefined;
  if (lease === null) return 'no lease';
  return lease.endsAt === null ? 'runs until terminated' : `lease ends ${slackDate(lease.endsAt)}`;
}

function policyLine(p: EffectivePolicy): string {
  return `lease *${formatDuration(p.leaseMs)}* · max-lease *${p.maxLeaseMs === null ? 'none' : formatDuration(p.maxLeaseMs)}* · on-expiry *${p.onExpiry}*`;
}

export interface PoliciesData {
  policies: readonly EffectivePolicy[];
  defaultLeaseMs: number;
  /** The channel the command was run in. */
  here: EffectivePolicy;
  sandbox: boolean;
}

export function renderPolicies(d: PoliciesData): MessageView {
  const lines = d.policies.map((p) => `• ${channel(p.channelId)}: ${policyLine(p)}`);
  const blocks: KnownBlock[] = [
    header('Lease policies'),
    section(
      `*Without a policy:* lease *${formatDuration(d.defaultLeaseMs)}* (DEFAULT_LEASE_HOURS) · no maximum · on-expiry *remind*\n` +
        `*Channel policies*\n${lines.length ? lines.join('\n') : 'none'}`,
    ),
    section(`*Here* (${channel(d.here.channelId)}${d.here.custom ? '' : ', the defaults'}): ${policyLine(d.here)}`),
    context(
      'Every deploy has a lease: the form offers the default and shorter or longer ones (up to max-lease; "until I terminate it" only without a maximum). ' +
        'Owners change their own with `/gpu lease <instance> <8h|3d|off>`, admins anyone\'s and past max-lease. ' +
        'Admins set policies with `/gpu policy #channel lease=8h max-lease=72h on-expiry=remind|terminate` (`max-lease=none` clears, `/gpu policy #channel off` removes).',
    ),
  ];
  if (d.sandbox) blocks.push(context(SANDBOX_NOTE));
  return message(`Lease policies: ${d.policies.length} channel(s)`, blocks);
}

export function renderPolicyChange(c: { channelId: string; before: EffectivePolicy; after: EffectivePolicy | null }): MessageView {
  const where = channel(c.channelId);
  const text =
    c.after === null
      ? `✅ Removed ${where}'s lease policy (was ${policyLine(c.before)}). The defaults apply there now.`
      : `✅ ${where}'s lease policy is now ${policyLine(c.after)} (was ${policyLine(c.before)}${c.before.custom ? '' : ', the defaults'}). It applies to new deploys and lease changes from now on.`;
  return message(text, [section(text)]);
}

export function renderLeaseChange(c: { name: string; before: LeaseEnd | undefined; after: LeaseEnd; now: number; byAdminPastMax: boolean }): MessageView {
  const what = codeSpan(c.name, 100);
  const was = c.before ? ` (was ${c.before.endsAt === null ? 'until terminated' : `ending ${slackDate(c.before.endsAt)}`})` : ' (it had no lease)';
  const head =
    c.after.endsAt === null
      ? `✅ ${what} now runs until someone terminates it${was}.`
      : `✅ The lease of ${what} now ends ${leaseEndText(c.after, c.now)}${was}.`;
  const text = c.byAdminPastMax ? `${head} As an admin you went past the channel's max-lease.` : head;
  return message(text, [section(text)]);
}
