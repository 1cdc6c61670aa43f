/**
 * What a user sees around the mutating instance actions (terminate, update, rename): refusals
 * that name the role needed and the admins, the "not ACTIVE" explanation, the terminated card
 * note, and the small modals shown while the update/rename forms load or apply. Pure.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { InstanceDetail, InstanceState } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import type { Role } from '../../services/access';
import { VIEW } from '../ids';
import { context, message, section, type MessageView } from './blocks';
import { modalShell } from './modal-blocks';
import { codeSpan, escapeClamp, escapeMrkdwn } from './format';
import { renderUpdateModal } from './update-modal';

// ---- refusals -----------------------------------------------------------------------------

export interface RefusalInput {
  reason?: string | undefined;
  needs: Role;
  admins: readonly string[];
}

/** "⛔ why. This needs the admin role: ask <@A> or <@B>." (mrkdwn, for messages and modals). */
export function refusalText(r: RefusalInput): string {
  const why = escapeClamp(r.reason ?? 'You are not allowed to do that.', 500);
  const who = r.admins.length
    ? `ask ${joinOr(r.admins.slice(0, 10).map((a) => `<@${a}>`))} (\`/gpu access grant\`)`
    : 'no admin is configured yet (GPU_BOT_ADMINS)';
  return `⛔ ${why} This needs the *${r.needs}* role: ${who}.`;
}

/** The same in plain words, for the card's lock note (which escapes mentions). */
export function refusalNote(r: RefusalInput): string {
  return `${r.reason ?? 'You are not allowed to terminate this instance.'} Terminating it needs the ${r.needs} role.`;
}

function joinOr(xs: string[]): string {
  return xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

// ---- terminate ----------------------------------------------------------------------------

/** Why nothing was sent to Fluence: only ACTIVE instances can be terminated. */
export function notTerminableText(i: { name: string; status: string; state: InstanceState }): string {
  const name = codeSpan(i.name, 80);
  switch (i.state) {
    case 'ended':
      return `${name} has already ended: nothing is running or being charged, so there is nothing to terminate.`;
    case 'failed':
      return `${name} is ${escapeClamp(i.status, 40)}: there is nothing to terminate, and its reserve is refunded.`;
    case 'provisioning':
      return (
        `${name} is ${escapeClamp(i.status, 40)}, and Fluence can terminate only ACTIVE instances. ` +
        'Provisioning usually takes 2–3 minutes: try again once it is ACTIVE.'
      );
    case 'active':
      return `${name} is ACTIVE.`;
  }
}

export function terminatedNote(actorId: string): string {
  return `✅ Terminated by <@${actorId}>. Unused reserved balance is refunded to the account.`;
}

/** The refreshed card with the "terminated, refunded" note under it. */
export function withTerminatedNote(card: MessageView, actorId: string): MessageView {
  return message(`${card.text} (terminated)`, [...card.blocks, context(terminatedNote(actorId))]);
}

// ---- update / rename modals around the forms ----------------------------------------------

type ChangeKind = 'update' | 'rename';

const TITLES: Record<ChangeKind, string> = { update: 'Update container', rename: 'Rename instance' };

/** Opened from the trigger at once, before any Fluence call; filled in by views.update. */
export function renderChangeLoading(kind: ChangeKind, what: string): ModalView {
  return modalShell({
    callbackId: VIEW[kind],
    title: TITLES[kind],
    close: 'Cancel',
    blocks: [section(`⏳ Looking up ${codeSpan(what, 100)}…`)],
  });
}

/** A modal that only says something (refusal, not found, wrong type, result). mrkdwn in. */
export function renderChangeNotice(kind: ChangeKind, mrkdwn: string, title?: string): ModalView {
  return modalShell({
    callbackId: VIEW[kind],
    title: title ?? TITLES[kind],
    close: 'Close',
    blocks: [section(clampMrkdwn(mrkdwn))],
  });
}

/** A second submission of a form whose first is still being applied (a double click, a Slack retry). */
export function alreadySubmittedText(kind: ChangeKind): string {
  const what = kind === 'update' ? 'update' : 'rename';
  return `⏳ This form was already submitted, and that ${what} is being applied: it is sent to Fluence once. This window updates when Fluence answers.`;
}

/** The submission could not be recorded (the bot's database did not answer): shown under the form's name field. */
export function notRecordedText(kind: ChangeKind): string {
  return `I could not record this ${kind === 'update' ? 'update' : 'rename'} (the bot's database did not answer), so nothing was sent to Fluence. Submit again in a moment.`;
}

/** Fluence took longer than the 3-second window: the answer comes by views.update. */
export function renderChangeProgress(kind: ChangeKind, name: string): ModalView {
  const verb = kind === 'update' ? 'Updating' : 'Renaming';
  return renderChangeNotice(kind, `⏳ ${verb} ${codeSpan(name, 80)}… Fluence is taking a moment; this window updates when it answers.`);
}

/** The update form again, with Fluence's (or our) error on top, so the user can fix and resubmit. */
export function renderUpdateWithError(data: { instance: InstanceDetail; requestId: string; error: string }): ModalView {
  const view = renderUpdateModal({ instance: data.instance, requestId: data.requestId });
  const note: KnownBlock = section(`⚠️ *Not updated:* ${clampMrkdwn(data.error, 2800)}`);
  return { ...view, blocks: [note, ...view.blocks] };
}

/** "Only the name of a VM can change": the update form exists for containers only. */
export function onlyRenameText(i: { name: string; type: WorkloadType }): string {
  const label = WORKLOADS[i.type].label;
  return `Only the name of a ${label} can change: \`/gpu rename ${escapeMrkdwn(noSpaces(i.name))} &lt;new-name&gt;\`. Updating settings is for containers.`;
}

export function notUpdatableText(i: { name: string; status: string }): string {
  return `${codeSpan(i.name, 80)} is ${escapeClamp(i.status, 40)}: Fluence can update only ACTIVE containers.`;
}

export function updatedText(d: { oldName: string; newName: string }): string {
  const renamed = d.oldName !== d.newName ? ` (renamed from ${codeSpan(d.oldName, 80)})` : '';
  return (
    `✅ ${codeSpan(d.newName, 80)}${renamed} is being updated: Fluence restarts the container with the new settings, ` +
    'which takes a minute or two. Environment values and registry passwords are never shown here.'
  );
}

export function renamedText(d: { type: WorkloadType; oldName: string; newName: string }): string {
  const restart = WORKLOADS[d.type].updateKind === 'replace' ? ' Fluence restarts the container to apply it.' : '';
  return `✅ Renamed ${codeSpan(d.oldName, 80)} to ${codeSpan(d.newName, 80)} (${WORKLOADS[d.type].label}).${restart}`;
}

// ---- private_metadata: the channel the form was opened from --------------------------------

/**
 * The update/rename metadata (update-modal.ts) has no channel, but the effective role depends on
 * the channel the user acts in (channel grants), and the confirmation goes there. The channel
 * rides along as an extra key; parseInstanceMeta ignores keys it does not know.
 */
export function withChannel(view: ModalView, channelId: string): ModalView {
  let meta: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(view.private_metadata ?? '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
  } catch {
    // not JSON: start afresh
  }
  return { ...view, private_metadata: JSON.stringify({ ...meta, channelId }) };
}

export function channelOfMeta(text: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    const ch = parsed && typeof parsed === 'object' ? (parsed as { channelId?: unknown }).channelId : undefined;
    return typeof ch === 'string' && /^[A-Z0-9_]{1,40}$/.test(ch) ? ch : undefined;
  } catch {
    return undefined;
  }
}

// ---- helpers ------------------------------------------------------------------------------

function clampMrkdwn(text: string, max = 2900): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function noSpaces(s: string): string {
  return s.replace(/\s+/g, '-').replace(/`/g, '');
}
