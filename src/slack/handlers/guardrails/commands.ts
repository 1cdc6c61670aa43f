/**
 * `/gpu access`, `/gpu budget`, `/gpu audit`, `/gpu balance`. Showing access, budgets and the
 * balance is open to everyone (knowing the rules is how people follow them); changing grants and
 * budgets and reading the audit log is for admins, checked now, and every change is audited.
 */
import type { InstanceListing } from '../../../services/instances';
import type { WorkloadType } from '../../../fluence/workload';
import { MAX_CHANNEL_ROLE } from '../../../services/access';
import type { Authorization } from '../../../services/guard';
import { runwayHours } from '../../../services/spend';
import type { BotContext } from '../../context';
import {
  renderAccess,
  renderAudit,
  renderBalance,
  renderBudgetChange,
  renderBudgets,
  renderGrantChange,
  renderRefusal,
} from '../../views/guardrails';
import type { MessageView } from '../../views/blocks';
import type { CommandHandler, CommandRequest } from '../types';

async function reply(req: { respond: CommandRequest['respond'] }, view: MessageView): Promise<void> {
  await req.respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
}

/** Refuses (ephemeral) and returns false unless the actor may do `action` right now. */
async function allowed(req: { respond: CommandRequest['respond'] }, auth: Authorization): Promise<boolean> {
  if (auth.allowed) return true;
  await reply(req, renderRefusal(auth));
  return false;
}

// ---- access -------------------------------------------------------------------------------

export const accessCommand: CommandHandler<'access'> = async (req) => {
  const { ctx, command, actor } = req;
  if (command.action === 'show') {
    await reply(
      req,
      renderAccess({
        grants: await ctx.store.grants.list(),
        bootstrapAdmins: ctx.config.GPU_BOT_ADMINS,
        yourRole: await ctx.guard.roleOf(actor),
        sandbox: ctx.sandbox,
      }),
    );
    return;
  }
  const auth = await ctx.guard.authorize(actor, 'manage-access');
  const action = command.action === 'grant' ? 'grant' : 'revoke';
  const target = command.subject.kind === 'user' ? `<@${command.subject.id}>` : `<#${command.subject.id}>`;
  if (!auth.allowed) {
    await ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action, outcome: 'refused', detail: `${target}: ${auth.reason ?? ''}` });
    await reply(req, renderRefusal(auth));
    return;
  }
  if (command.action === 'grant' && command.subject.kind === 'channel' && command.role === 'admin') {
    const text =
      `⛔ A channel cannot be granted *admin*: everyone who joins ${target} (in a shared channel, people from other organisations too) ` +
      `would become an admin. Grant admin to people one by one (\`/gpu access grant @user admin\`); a channel may be at most *${MAX_CHANNEL_ROLE}*.`;
    await ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action, outcome: 'refused', detail: `${target}: admin for a channel` });
    await req.respond({ response_type: 'ephemeral', text });
    return;
  }
  const admins = await ctx.guard.admins();
  const wouldLeaveNoAdmin =
    command.subject.kind === 'user' &&
    admins.length === 1 &&
    admins[0] === command.subject.id &&
    !ctx.config.GPU_BOT_ADMINS.includes(command.subject.id) &&
    (command.action === 'revoke' || command.role !== 'admin');
  if (wouldLeaveNoAdmin) {
    const text = `⛔ ${target} is the only admin: nobody could manage access after this. Grant admin to someone else first, or list admins in GPU_BOT_ADMINS.`;
    await req.respond({ response_type: 'ephemeral', text });
    return;
  }
  const change =
    command.action === 'grant'
      ? await ctx.store.grants.set(command.subject, command.role, actor.userId)
      : await ctx.store.grants.revoke(command.subject, actor.userId);
  await ctx.guard.audit({
    actorId: actor.userId,
    channelId: actor.channelId,
    action,
    outcome: 'ok',
    detail: `${target}: ${change.before ?? 'none'} → ${change.after ?? 'none'}${change.changed ? '' : ' (unchanged)'}`,
  });
  await reply(
    req,
    renderGrantChange({
      ...change,
      bootstrapAdmin: command.subject.kind === 'user' && ctx.config.GPU_BOT_ADMINS.includes(command.subject.id) && change.after !== 'admin',
    }),
  );
};

// ---- budget -------------------------------------------------------------------------------

export const budgetCommand: CommandHandler<'budget'> = async (req) => {
  const { ctx, command, actor } = req;
  const channelId = command.channelId ?? actor.channelId;
  if (command.usdPerHour === undefined) {
    const burn = await ctx.deploys.channelBurnPerHour(channelId).catch(() => null);
    await reply(
      req,
      renderBudgets({
        budgets: await ctx.store.budgets.list(),
        maxHourlyUsd: ctx.config.MAX_HOURLY_USD ?? null,
        here: { channelId, burnPerHour: burn },
        sandbox: ctx.sandbox,
      }),
    );
    return;
  }
  const auth = await ctx.guard.authorize(actor, 'admin');
  if (!auth.allowed) {
    await ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'budget', outcome: 'refused', detail: `<#${channelId}>: ${auth.reason ?? ''}` });
    await reply(req, renderRefusal(auth));
    return;
  }
  const change = await ctx.store.budgets.set(channelId, command.usdPerHour, actor.userId);
  const fmt = (v: number | null) => (v === null ? 'none' : `$${v.toFixed(2)}/h`);
  await ctx.guard.audit({
    actorId: actor.userId,
    channelId: actor.channelId,
    action: 'budget',
    outcome: 'ok',
    detail: `<#${channelId}>: ${fmt(change.before)} → ${fmt(change.after)}`,
  });
  await reply(req, renderBudgetChange(change));
};

// ---- audit --------------------------------------------------------------------------------

export const auditCommand: CommandHandler<'audit'> = async (req) => {
  const { ctx, command, actor } = req;
  if (!(await allowed(req, await ctx.guard.authorize(actor, 'admin')))) return;
  // Rows are masked when written; mask again in case a secret became known after (defence in depth).
  const entries = ctx.redactor.maskDeep(await ctx.store.audit.recent(command.n));
  await reply(req, renderAudit(entries, command.n));
};

// ---- balance ------------------------------------------------------------------------------

export const balanceCommand: CommandHandler<'balance'> = async (req) => {
  const { ctx, actor } = req;
  if (!(await allowed(req, await ctx.guard.authorize(actor, 'read')))) return;
  const [balance, burn] = await Promise.all([ctx.fluence.getBalance(), hourlyBurn(ctx)]);
  await reply(
    req,
    renderBalance({
      balance: balance.balance,
      burnPerHour: burn.perHour,
      activeCount: burn.active,
      unpricedCount: burn.unpriced,
      runwayHours: runwayHours(balance.balance, burn.perHour),
      failedTypes: burn.failedTypes,
      sandbox: ctx.sandbox,
    }),
  );
};

export interface Burn {
  perHour: number;
  active: number;
  unpriced: number;
  failedTypes: WorkloadType[];
}

/**
 * Total hourly price of ACTIVE instances of every type (services/money.ts: the price the bot recorded
 * when it deployed them, the spend cache, or a bounded number of detail calls).
 * `given`: a listing the caller already read (the App Home shares one across its sections).
 */
export async function hourlyBurn(ctx: Pick<BotContext, 'instances' | 'money' | 'logger'>, given?: InstanceListing): Promise<Burn> {
  const listing = given ?? (await ctx.instances.listAll());
  const burn = await ctx.money.burn(listing.instances);
  if (burn.unpriced) ctx.logger.debug({ unpriced: burn.unpriced }, 'some active instances could not be priced for the balance');
  return { perHour: burn.cents / 100, active: burn.running, unpriced: burn.unpriced, failedTypes: listing.failed.map((f) => f.type) };
}
