/**
 * Changing an instance: `/gpu update` (containers: the full-replacement form) and `/gpu rename`
 * (every type), plus the card's Update / Rename buttons and the two modal submissions.
 * Order of things, always: ack -> authorise (role now, ownership as soon as the instance is known)
 * -> views.open before any Fluence call -> Fluence -> answer -> audit. Secret values typed into
 * the form are registered with the redactor before anything else reads the submission.
 */
import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { isFluenceError } from '../../fluence/errors';
import { markOutcome } from '../../metrics';
import { WORKLOADS } from '../../fluence/workload';
import { instanceNameProblem } from '../../services/form-fields';
import type { InstanceDetail } from '../../fluence/model';
import type { WorkloadType } from '../../fluence/workload';
import { apiIssuesToFieldErrors, type FormState } from '../../services/deploy-form';
import { readRenameForm, readUpdateForm, UPDATE_FORM_BLOCKS } from '../../services/update-form';
import type { BotContext } from '../context';
import { ACTION, BLOCK, VIEW } from '../ids';
import { renderFluenceError } from '../views/errors';
import { decodeRef, escapeMrkdwn } from '../views/format';
import {
  alreadySubmittedText, channelOfMeta, notRecordedText, notUpdatableText, onlyRenameText, refusalText, renamedText, renderChangeLoading, renderChangeNotice,
  renderChangeProgress, renderUpdateWithError, updatedText, withChannel,
} from '../views/instance-changes';
import { renderRenameModal } from '../views/rename-modal';
import { parseInstanceMeta, renderUpdateModal } from '../views/update-modal';
import { ACK_BUDGET_MS } from './deploy';
import type { ActionListener, Feature, ViewListener } from './feature';
import { reportFailure } from './failure';
import { actorOfAction, auditChange, authorizeChange, clickerTeam, errorDetail, lookUp } from './instance-target';
import { runRename, runUpdate, settle, typedSecrets, type ChangeResult } from './change-work';
import { formKeySources, rememberKey } from './ssh-keys';
import { NO_KEY_SOURCES } from '../../services/ssh-key-choice';
import type { CommandHandler, SlackActor } from './types';

type Kind = 'update' | 'rename';
type Target = { arg: string } | { ref: { type: WorkloadType; id: string } };
interface OpenForm {
  kind: Kind;
  client: WebClient;
  triggerId: string;
  actor: SlackActor;
  respond: RespondFn;
  target: Target;
  /** A container rename: the update form, opened with this name in it. */
  newName?: string;
}

/** Containers have no rename of their own: a new name is a full replacement, done in the update form. */
function formKind(kind: Kind, type: WorkloadType): Kind {
  return kind === 'rename' && WORKLOADS[type].updateKind === 'replace' ? 'update' : kind;
}

// ---- opening the forms --------------------------------------------------------------------

/**
 * Someone who may change nothing gets no modal at all; a button names its instance, so there the
 * full check (ownership included) runs before the modal. A typed name needs Fluence to resolve,
 * which must wait until the modal is open (the trigger dies in 3 s): then the modal says no.
 */
async function openForm(ctx: BotContext, opened: OpenForm): Promise<void> {
  const o = 'ref' in opened.target ? { ...opened, kind: formKind(opened.kind, opened.target.ref.type) } : opened;
  const say = (text: string) => o.respond({ response_type: 'ephemeral', replace_original: false, text });
  const known = 'ref' in o.target ? o.target.ref : undefined;
  const auth = await (known ? authorizeChange(ctx, o.actor, 'update', known.id) : ctx.guard.authorize(o.actor, 'update', true));
  if (!auth.allowed) {
    const named = 'arg' in o.target ? o.target.arg : null;
    await auditChange(ctx, o.actor, {
      action: o.kind, outcome: 'refused', instanceId: known?.id ?? null, instanceName: named, type: known?.type ?? null, detail: auth.reason ?? null,
    });
    await say(refusalText(auth));
    return;
  }
  if (o.kind === 'update' && known && known.type !== 'container') {
    await say(onlyRenameText({ name: known.id, type: known.type }));
    return;
  }
  let viewId: string | undefined;
  try {
    const opened = await o.client.views.open({ trigger_id: o.triggerId, view: renderChangeLoading(o.kind, 'arg' in o.target ? o.target.arg : 'the instance') });
    viewId = opened.view?.id;
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error ?? 'Slack error';
    ctx.logger.warn({ code }, `could not open the ${o.kind} modal`);
    const why = code === 'expired_trigger_id' ? 'Slack allows only 3 seconds to open it' : code;
    await say(`I could not open the ${o.kind} form (${why}). Please run the command again.`);
    return;
  }
  if (!viewId) return;
  const show = (view: ModalView) => o.client.views.update({ view_id: viewId, view: ctx.redactor.maskPayload(view) });
  try {
    await show(await formFor(ctx, o));
  } catch (err) {
    const text = isFluenceError(err)
      ? renderFluenceError(err, { action: `load the instance to ${o.kind}` }).text
      : `Something went wrong while loading the ${o.kind} form. Please try again.`;
    if (!isFluenceError(err)) ctx.logger.error({ err }, `${o.kind} form failed`);
    await show(renderChangeNotice(o.kind, escapeMrkdwn(text))).catch((e: unknown) => ctx.logger.warn({ err: e }, 'modal update failed'));
  }
}

/** The form, or a notice saying why there is none. Throws Fluence errors. */
async function formFor(ctx: BotContext, o: OpenForm): Promise<ModalView> {
  let ref: { type: WorkloadType; id: string; name?: string };
  if ('ref' in o.target) ref = o.target.ref;
  else {
    const found = await lookUp(ctx, o.target.arg);
    if (!found.ok) return renderChangeNotice(o.kind, escapeMrkdwn(found.view.text));
    ref = found.instance;
  }
  if (o.kind === 'update' && ref.type !== 'container') return renderChangeNotice(o.kind, onlyRenameText({ name: ref.name ?? ref.id, type: ref.type }));
  const auth = await authorizeChange(ctx, o.actor, 'update', ref.id);
  if (!auth.allowed) {
    await auditChange(ctx, o.actor, { action: o.kind, outcome: 'refused', instanceId: ref.id, type: ref.type, detail: auth.reason ?? null });
    return renderChangeNotice(o.kind, refusalText(auth), 'Not allowed');
  }
  const instance = await ctx.fluence.getInstance(ref.type, ref.id);
  const kind = formKind(o.kind, ref.type);
  if (kind === 'rename') return withChannel(renderRenameModal({ instance }), o.actor.channelId);
  if (instance.state !== 'active') return renderChangeNotice(o.kind, notUpdatableText(instance));
  const newName = o.newName ?? (o.kind === 'rename' ? instance.name : undefined);
  const keys = await formKeySources(ctx, o.actor.userId);
  return withChannel(renderUpdateModal({ instance, requestId: randomUUID(), keys, ...(newName !== undefined ? { newName } : {}) }), o.actor.channelId);
}

const updateCommand: CommandHandler<'update'> = ({ ctx, command, actor, respond, client, triggerId }) =>
  openForm(ctx, { kind: 'update', client, triggerId, actor, respond, target: { arg: command.instance } });

const onFormButton = (kind: Kind) => (ctx: BotContext): ActionListener => async ({ ack, body, action, respond, client }) => {
  await ack();
  const ref = action.type === 'button' ? decodeRef(action.value ?? '') : undefined;
  if (!ref) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: `This button is out of date. Use \`/gpu ${kind} <instance>\`.` });
    return;
  }
  await openForm(ctx, { kind, client, triggerId: body.trigger_id, actor: actorOfAction(body), respond, target: { ref } });
};

// ---- /gpu rename <x> <new-name> -------------------------------------------------------------

/**
 * VMs and bare metal are renamed at once. A container is not: its rename is a full replacement
 * (restart, registry credentials sent again), so the command opens the update form with the new
 * name in it. That needs the trigger, valid 3 s: the lookup before it is one list call per type.
 */
const renameCommand: CommandHandler<'rename'> = async ({ ctx, command, actor, respond, client, triggerId }) => {
  const say = (text: string) => respond({ response_type: 'ephemeral', text });
  const problem = instanceNameProblem(command.newName);
  if (problem) {
    await say(`I can't use \`${escapeMrkdwn(command.newName)}\` as a name: ${problem}`);
    return;
  }
  const found = await lookUp(ctx, command.instance);
  if (!found.ok) {
    await respond({ response_type: 'ephemeral', ...found.view });
    return;
  }
  const i = found.instance;
  const audit = { action: 'rename' as const, instanceId: i.id, instanceName: command.newName, type: i.type };
  const auth = await authorizeChange(ctx, actor, 'update', i.id);
  if (!auth.allowed) {
    await auditChange(ctx, actor, { ...audit, outcome: 'refused', detail: auth.reason ?? null });
    await say(refusalText(auth));
    return;
  }
  if (i.name === command.newName) {
    await say(`\`${escapeMrkdwn(i.name)}\` already has that name: nothing to change.`);
    return;
  }
  if (formKind('rename', i.type) === 'update') {
    await openForm(ctx, { kind: 'update', client, triggerId, actor, respond, target: { ref: { type: i.type, id: i.id } }, newName: command.newName });
    return;
  }
  try {
    await ctx.fluence.renameInstance(i.type, i.id, command.newName);
  } catch (err) {
    await auditChange(ctx, actor, { ...audit, outcome: 'error', detail: errorDetail(err) });
    await reportFailure(ctx, respond, err, `rename ${i.name}`);
    return;
  }
  await auditChange(ctx, actor, { ...audit, outcome: 'ok', detail: `was ${i.name}` });
  await say(renamedText({ type: i.type, oldName: i.name, newName: command.newName }));
};

// ---- submissions ----------------------------------------------------------------------------

type Ack = Parameters<ViewListener>[0]['ack'];

const onSubmit = (kind: Kind) => (ctx: BotContext): ViewListener => async ({ ack, body, view, client }) => {
  const state = (view.state?.values ?? {}) as FormState;
  ctx.redactor.add(...typedSecrets(state));
  const meta = parseInstanceMeta(view.private_metadata ?? '');
  // a rename form for a container (an old modal, or a forged one) would PUT without credentials
  if (!meta || formKind(kind, meta.type) !== kind || (kind === 'update' && meta.type !== 'container')) {
    await ack({ response_action: 'errors', errors: { [BLOCK.name]: `This form is out of date. Close it and run /gpu ${kind} again.` } });
    return;
  }
  const actor: SlackActor = { userId: body.user.id, channelId: channelOfMeta(view.private_metadata) ?? body.user.id, teamId: clickerTeam(body) };
  // local rules first: a typo costs no Fluence call
  const shownName = initialName(view.blocks);
  // (the name the form opened with may be kept even if it looks like an id; runUpdate checks again against the real one)
  const keys = kind === 'update' ? await formKeySources(ctx, body.user.id, state) : NO_KEY_SOURCES;
  const local = kind === 'update' ? readUpdateForm(state, shownName === undefined ? {} : { name: shownName }, keys) : readRenameForm(state);
  if (!local.ok) {
    await ack({ response_action: 'errors', errors: local.errors as Record<string, string> });
    return;
  }
  // a rename opens the update form with the NEW name in it: the real old name comes with the result
  const oldName = shownName ?? meta.instanceId;
  const base = { action: kind, instanceId: meta.instanceId, type: meta.type } as const;
  const auth = await authorizeChange(ctx, actor, 'update', meta.instanceId);
  if (!auth.allowed) {
    await auditChange(ctx, actor, { ...base, outcome: 'refused', instanceName: oldName, detail: auth.reason ?? null });
    await ack({ response_action: 'update', view: renderChangeNotice(kind, refusalText(auth), 'Not allowed') });
    return;
  }
  const key = kind === 'update' ? (meta.requestId ?? view.id) : `rename:${view.id}`;
  const settled = await settle(ctx, key, () =>
    kind === 'update' ? runUpdate(ctx, meta.instanceId, state, keys) : runRename(ctx, meta.type, meta.instanceId, (local as { name: string }).name),
  );
  if (!settled.first && settled.state === 'unrecorded') {
    await ack({ response_action: 'errors', errors: { [BLOCK.name]: notRecordedText(kind) } });
    return;
  }
  if (!settled.first) {
    // A double submit or a Slack retry: the first submission answers (its ack, or its views.update
    // when Fluence is slow) and audits; this one sends nothing. Done already: close, as it did.
    markOutcome('duplicate');
    await ack(settled.state === 'done' ? undefined : { response_action: 'update', view: renderChangeNotice(kind, alreadySubmittedText(kind)) });
    return;
  }
  const { work } = settled;
  const early = await Promise.race([work, delay(ACK_BUDGET_MS).then(() => null)]);
  const ackWith = (a: Parameters<Ack>[0]) => ack(ctx.redactor.maskPayload(a));
  const form: FormRef = { requestId: meta.requestId ?? randomUUID(), channelId: actor.channelId };
  if (early) await ackWith(earlyAnswer(ctx, kind, early, form));
  else await ackWith({ response_action: 'update', view: renderChangeProgress(kind, oldName) });
  const result = early ?? (await work);
  const was = result.instance?.name ?? oldName;
  if (!early) {
    await client.views
      .update({ view_id: view.id, view: ctx.redactor.maskPayload(lateView(ctx, kind, result, form, was)) })
      .catch((err: unknown) => ctx.logger.warn({ err }, `${kind} result could not be shown`));
  }
  if (result.kind === 'ok') {
    if (result.rememberKey) await rememberKey(ctx, actor.userId, result.rememberKey);
    await auditChange(ctx, actor, { ...base, outcome: 'ok', instanceName: result.name, detail: result.name !== was ? `was ${was}` : null });
    const text = kind === 'update' ? updatedText({ oldName: was, newName: result.name }) : renamedText({ type: meta.type, oldName: was, newName: result.name });
    await confirm(ctx, client, actor, text);
  } else if (result.kind === 'failed') {
    await auditChange(ctx, actor, { ...base, outcome: 'error', instanceName: was, detail: errorDetail(result.error) });
  }
};

/** Inside Slack's 3 s: field errors under the fields, other failures in the form, success closes it. */
function earlyAnswer(ctx: BotContext, kind: Kind, r: ChangeResult, form: FormRef): Parameters<Ack>[0] {
  if (r.kind === 'ok') return undefined;
  if (r.kind === 'invalid') return { response_action: 'errors', errors: r.errors as Record<string, string> };
  const err = r.error;
  if (isFluenceError(err) && err.kind === 'validation') {
    const blocks = kind === 'update' ? UPDATE_FORM_BLOCKS : [BLOCK.name];
    const errors = apiIssuesToFieldErrors(err.details.issues ?? [], { blocks, fallback: BLOCK.name });
    if (Object.keys(errors).length) return { response_action: 'errors', errors: errors as Record<string, string> };
  }
  // rename has one field: Fluence's answer goes right under it
  if (kind === 'rename') return { response_action: 'errors', errors: { [BLOCK.name]: clip(ctx.redactor.mask(failureText(err, kind)), 500) } };
  return { response_action: 'update', view: failureView(ctx, kind, r.instance, failureMrkdwn(ctx, err, kind), form) };
}

/** After the progress view: the result, or the form again with what went wrong. */
function lateView(ctx: BotContext, kind: Kind, r: ChangeResult, form: FormRef, oldName: string): ModalView {
  if (r.kind === 'ok') {
    const text = kind === 'update' ? updatedText({ oldName, newName: r.name }) : `✅ Renamed to \`${escapeMrkdwn(r.name)}\`.`;
    return renderChangeNotice(kind, text, 'Done ✓');
  }
  const text = r.kind === 'invalid' ? escapeMrkdwn(ctx.redactor.mask(Object.values(r.errors).join(' · '))) : failureMrkdwn(ctx, r.error, kind);
  return failureView(ctx, kind, r.instance, text, form);
}

interface FormRef {
  requestId: string;
  channelId: string;
}

/** `detail` is mrkdwn, outside text in it already escaped. */
function failureView(ctx: BotContext, kind: Kind, instance: InstanceDetail | undefined, detail: string, form: FormRef): ModalView {
  if (kind === 'update' && instance) {
    return withChannel(renderUpdateWithError({ instance, requestId: form.requestId, error: detail }), form.channelId);
  }
  return renderChangeNotice(kind, `⚠️ ${detail}`);
}

/**
 * failureText as mrkdwn, masked: a 400's raw detail is escaped here; the error view's text is
 * escaped already (escaping it again showed `&lt;` literally).
 */
function failureMrkdwn(ctx: BotContext, err: unknown, kind: Kind): string {
  const text = ctx.redactor.mask(failureText(err, kind));
  return isFluenceError(err) && err.kind === 'business' ? escapeMrkdwn(text) : text;
}

/** A 400's detail verbatim (raw text); any other error as the error view says it (mrkdwn). */
function failureText(err: unknown, kind: Kind): string {
  if (!isFluenceError(err)) return `Something went wrong while trying to ${kind} (see the bot's logs). Check /gpu status before retrying.`;
  if (err.kind === 'business') return err.details.detail ?? err.message;
  return renderFluenceError(err, { action: kind === 'update' ? 'update the container' : 'rename the instance' }).text;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** An ephemeral note in the channel the form came from, or a DM when that is not possible. */
async function confirm(ctx: BotContext, client: WebClient, actor: SlackActor, text: string): Promise<void> {
  const masked = ctx.redactor.mask(text);
  try {
    if (actor.channelId !== actor.userId) {
      await client.chat.postEphemeral({ channel: actor.channelId, user: actor.userId, text: masked });
      return;
    }
  } catch (err) {
    ctx.logger.debug({ err }, 'ephemeral confirmation failed; sending a DM');
  }
  // The change is done; its confirmation must arrive: the DM waits out a 429 (patient notifier).
  const dm = await ctx.notifier.dm(actor.userId, { text: masked, blocks: [] });
  if (!dm.ok) ctx.logger.warn({ reason: dm.reason }, 'confirmation DM failed');
}

function initialName(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  const b = blocks.find((x: { block_id?: string }) => x?.block_id === BLOCK.name) as { element?: { initial_value?: unknown } } | undefined;
  return typeof b?.element?.initial_value === 'string' ? b.element.initial_value : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}


export const feature: Feature = {
  name: 'change',
  commands: { update: updateCommand, rename: renameCommand },
  actions: [
    { actionId: ACTION.update, listener: onFormButton('update') },
    { actionId: ACTION.rename, listener: onFormButton('rename') },
  ],
  views: [
    { callbackId: VIEW.update, listener: onSubmit('update') },
    { callbackId: VIEW.rename, listener: onSubmit('rename') },
  ],
};
