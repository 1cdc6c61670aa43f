/**
 * `/gpu key`, `/gpu key set [<key>]`, `/gpu key clear` and the key modal (issue 12 §2). Anyone may
 * keep a key (it costs nothing and only affects their own forms). Whatever was pasted is checked
 * by services/ssh-keys.ts; a refusal (a private key included) is answered without repeating it
 * and nothing of it is kept or logged.
 */
import type { WebClient } from '@slack/web-api';
import { selectedOf, type FormState } from '../../services/deploy-form';
import { NO_KEY_SOURCES, type KeySources } from '../../services/ssh-key-choice';
import type { PublicKey } from '../../services/ssh-keys';
import type { BotContext } from '../context';
import { SUBMIT_PLANS_MAX_AGE_MS } from './deploy-form-view';
import { ACTION, BLOCK, VIEW } from '../ids';
import { renderKeyCleared, renderKeyModal, renderKeyModalSaved, renderKeySaved, renderKeyStatus } from '../views/ssh-key';
import type { ActionListener, Feature, ViewListener } from './feature';
import type { CommandHandler } from './types';

const keyCommand: CommandHandler<'key'> = async ({ ctx, command, actor, client, triggerId, respond }) => {
  if (command.action === 'show') {
    const view = renderKeyStatus(await ctx.sshKeys.saved(actor.userId), ctx.sandbox);
    await respond({ response_type: 'ephemeral', ...view });
    return;
  }
  if (command.action === 'clear') {
    await respond({ response_type: 'ephemeral', ...renderKeyCleared(await ctx.sshKeys.clear(actor.userId), ctx.sandbox) });
    return;
  }
  if (command.text !== undefined) {
    const saved = await ctx.sshKeys.save(actor.userId, command.text);
    await respond({ response_type: 'ephemeral', ...(saved.ok ? renderKeySaved(saved.key, ctx.sandbox) : { text: `⚠️ ${saved.error}\nNothing was saved.` }) });
    return;
  }
  try {
    await openKeyModal(ctx, client, triggerId, actor.userId);
  } catch (err) {
    ctx.logger.warn({ code: (err as { data?: { error?: string } }).data?.error }, 'could not open the SSH key modal');
    await respond({ response_type: 'ephemeral', text: 'I could not open the key form in time. Run `/gpu key set` again, or `/gpu key set ssh-ed25519 AAAA…` to save a key at once.' });
  }
};

async function openKeyModal(ctx: BotContext, client: WebClient, triggerId: string, userId: string): Promise<void> {
  // the store read is local and quick: the 3 s trigger is still fresh when views.open goes out
  await client.views.open({ trigger_id: triggerId, view: renderKeyModal(await ctx.sshKeys.saved(userId), ctx.sandbox) });
}

/** "Save a key" / "Replace key" on the `/gpu key` answer (or the Home tab). */
const onSetButton = (ctx: BotContext): ActionListener => async ({ ack, body, client }) => {
  await ack();
  try {
    await openKeyModal(ctx, client, body.trigger_id, body.user.id);
  } catch (err) {
    ctx.logger.warn({ code: (err as { data?: { error?: string } }).data?.error }, 'could not open the SSH key modal');
  }
};

const onSubmit = (ctx: BotContext): ViewListener => async ({ ack, body, view }) => {
  // as typed (multi-line input): the parser trims, and recognises a private key in any shape
  const text = Object.values(view.state.values[BLOCK.sshKey] ?? {})[0]?.value ?? '';
  let saved;
  try {
    saved = await ctx.sshKeys.save(body.user.id, text);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not save an SSH key');
    await ack({ response_action: 'errors', errors: { [BLOCK.sshKey]: "I could not save it (the bot's database is busy). Nothing was saved: submit again in a moment." } });
    return;
  }
  if (!saved.ok) {
    await ack({ response_action: 'errors', errors: { [BLOCK.sshKey]: saved.error } });
    return;
  }
  await ack({ response_action: 'update', view: renderKeyModalSaved(saved.key, ctx.sandbox) });
};

/**
 * The keys a deploy or update form offers (`state` absent: rendering it) or offered (`state`: reading
 * its submission: the saved key always, a store read; the account's keys only when one was picked,
 * from what the form was rendered with when fresh enough). Never throws: no keys on a store error.
 */
export async function formKeySources(ctx: BotContext, userId: string, state?: FormState): Promise<KeySources> {
  try {
    const account = state ? (selectedOf(state, BLOCK.sshKeyChoice)?.startsWith('account:') ?? false) : true;
    return await ctx.sshKeys.sources(userId, { account, maxAgeMs: SUBMIT_PLANS_MAX_AGE_MS });
  } catch (err) {
    // the saved key could not be read: the form then says to pick or paste another
    ctx.logger.warn({ err }, 'could not read the saved SSH key for a form');
    return NO_KEY_SOURCES;
  }
}

/** "Remember this key" ticked: the pasted (public) key becomes the user's saved key. */
export async function rememberKey(ctx: BotContext, userId: string, key: PublicKey): Promise<void> {
  try {
    await ctx.sshKeys.remember(userId, key);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not remember the SSH key pasted in a form');
  }
}

export const feature: Feature = {
  name: 'ssh-keys',
  commands: { key: keyCommand },
  actions: [{ actionId: ACTION.sshKeySet, listener: onSetButton }],
  views: [{ callbackId: VIEW.sshKey, listener: onSubmit }],
};
