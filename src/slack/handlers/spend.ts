/**
 * `/gpu spend [today|7d|30d|month] [by=user|channel|instance]`. The router has already acked (a
 * report over thousands of instances takes longer than Slack's 3 s); the answer goes to the
 * response_url, ephemeral. Reading spend is open to every role that may read (like the balance).
 */
import { DETAIL_CONCURRENCY } from '../../services/spend-facts';
import { renderRefusal } from '../views/guardrails';
import { renderSpendReport } from '../views/spend';
import type { Feature } from './feature';
import type { CommandHandler } from './types';

/** From this many detail calls on, a "reading…" note comes first (a response_url allows 5 posts). */
const READING_NOTE_FROM = 100;

const spendCommand: CommandHandler<'spend'> = async ({ ctx, command, actor, respond }) => {
  const auth = await ctx.guard.authorize(actor, 'read');
  if (!auth.allowed) {
    const view = renderRefusal(auth);
    await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
    return;
  }
  let interim = false;
  const report = await ctx.money.report(command.period, command.by, undefined, {
    // many figures to read (the first report over a big fleet): say so, then replace it with the answer
    onReading: async (count) => {
      if (count < READING_NOTE_FROM) return;
      interim = true;
      await respond({ response_type: 'ephemeral', text: `⏳ Reading the billing of ${count.toLocaleString('en-US')} instances from Fluence (${DETAIL_CONCURRENCY} at a time); the report follows here.` });
    },
  });
  ctx.logger.info(
    { period: command.period, by: command.by, instances: report.instances, detailCalls: report.detailCalls, cacheHits: report.cacheHits, unread: report.unread },
    'spend report',
  );
  const view = renderSpendReport(report, ctx.sandbox);
  await respond({ response_type: 'ephemeral', ...(interim ? { replace_original: true } : {}), text: view.text, blocks: view.blocks });
};

export const feature: Feature = {
  name: 'spend',
  commands: { spend: spendCommand },
};
