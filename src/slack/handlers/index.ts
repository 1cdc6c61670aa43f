/**
 * Every feature of the bot, and the `/gpu` sub-command table built from them. Two handlers for one
 * sub-command stop the bot at start; a missing one is listed by `missingCommands()` (a test keeps
 * it empty) and answers with a clear message instead of a crash.
 */
import type { CommandKind } from '../command';
import { USAGE } from '../command';
import type { Feature } from './feature';
import type { CommandHandlers } from './types';
import * as help from './help';
import * as plans from './plans';
import * as deploy from './deploy';
import * as instances from './instances';
import * as terminate from './terminate';
import * as change from './change';
import * as watch from './watch';
import * as guardrails from './guardrails';
import * as leases from './leases';
import * as sshKeys from './ssh-keys';
import * as deployShortcut from './deploy-shortcut';
import * as leaseExtend from './lease-extend';
import * as spend from './spend';
import * as digest from './digest';
import * as home from './home';
import * as planAlerts from './plan-alerts';

export const FEATURES: readonly Feature[] = [
  help.feature,
  plans.feature,
  deploy.feature,
  instances.feature,
  terminate.feature,
  change.feature,
  watch.feature,
  guardrails.feature,
  leases.feature,
  sshKeys.feature,
  deployShortcut.feature,
  leaseExtend.feature,
  spend.feature,
  digest.feature,
  home.feature,
  planAlerts.feature,
];

function buildCommandTable(features: readonly Feature[]): CommandHandlers {
  const table: Partial<Record<CommandKind, unknown>> = {};
  for (const f of features) {
    for (const [kind, handler] of Object.entries(f.commands ?? {})) {
      if (table[kind as CommandKind]) throw new Error(`Two features handle /gpu ${kind} (second: ${f.name})`);
      table[kind as CommandKind] = handler;
    }
  }
  for (const kind of missingCommands(table)) {
    table[kind] = (async ({ respond }: { respond: (m: object) => Promise<unknown> }) => {
      await respond({ response_type: 'ephemeral', text: `\`/gpu ${kind}\` is not available in this build of gpu-bot.` });
    }) as never;
  }
  return table as CommandHandlers;
}

export function missingCommands(table: Partial<Record<CommandKind, unknown>> = collect(FEATURES)): CommandKind[] {
  return (Object.keys(USAGE) as CommandKind[]).filter((k) => !table[k]);
}

function collect(features: readonly Feature[]): Partial<Record<CommandKind, unknown>> {
  return Object.assign({}, ...features.map((f) => f.commands ?? {}));
}

export const commandHandlers: CommandHandlers = buildCommandTable(FEATURES);
