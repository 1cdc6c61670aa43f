/** The runway alert (issue 11 §4): figures, who burns most, what to do. Pure. */
import { WORKLOADS } from '../../fluence/workload';
import { formatRunway } from '../../services/cost';
import type { RunwayAlertData } from '../../services/runway';
import { context, message, sandboxBlocks, section, type MessageView } from './blocks';
import { codeSpan } from './format';
import { dollars, perHour } from './spend';

const hours = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)} h`;

export function renderRunwayAlert(d: RunwayAlertData, sandbox: boolean): MessageView {
  const icon = d.threshold <= 1 ? '🚨' : '🪫';
  const crossed = d.crossed.length > 1 ? ` (crossed ${d.crossed.map(hours).join(', ')} at once)` : '';
  const head =
    `${icon} *Runway under ${hours(d.threshold)}*${crossed}: the balance of *${dollars(Math.round(d.balance * 100))}* lasts about ` +
    `*${formatRunway(d.runwayHours)}* at the current burn of *${perHour(d.burnCents)}*.`;
  const burners = d.topBurners.map((b) => `• ${codeSpan(b.name, 60)} ${WORKLOADS[b.type].label} · ${perHour(b.priceCents)} · ${b.ownerId ? `<@${b.ownerId}>` : 'outside gpu-bot'}`);
  const blocks = [
    section(head),
    ...(burners.length ? [section(`*Burning most:*\n${burners.join('\n')}`)] : []),
    context(
      'Top up the balance, or terminate what is not needed: when an hourly charge fails, Fluence terminates the instance. ' +
        'I say this once per threshold; it re-arms once the runway is back above it.',
      ...(d.unpriced ? [`⚠️ ${d.unpriced} running instance(s) could not be priced: the burn may be higher and the runway shorter.`] : []),
    ),
    ...sandboxBlocks(sandbox),
  ];
  return message(`Runway under ${hours(d.threshold)}: ${formatRunway(d.runwayHours)} left at ${perHour(d.burnCents)}`, blocks);
}
