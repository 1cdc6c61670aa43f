/**
 * Shared steps for the fault suites: a deploy driven the way a person does it (through the modal,
 * retrying when the bot says something failed), and readers for what the user saw.
 */
import type { TestBot } from '../support/bot-harness';
import { fill, latestView, waitForField } from '../support/modal';
import { nthResponse, responsesTo, visibleText } from '../support/responses';
import { BLOCK } from '../../src/slack/ids';

export const SSH = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

/**
 * What the bot says when a Fluence call failed: names Fluence, says what happened and what to do.
 * (renderFluenceError's wording for unavailable / rate_limited / bad_response.)
 */
export const CLEAR_FLUENCE_FAILURE =
  /Fluence (is unreachable or too slow right now|is rate limiting requests|is having trouble|is limiting how fast|answered something unexpected|sent an unexpected response|did not answer)/;

/** Sends `/gpu <text>` and returns the first answer posted to its response_url, as visible text. */
export async function answerOf(t: TestBot, text: string): Promise<string> {
  const ack = await t.user.command(text);
  if (ack.status !== 200) throw new Error(`/gpu ${text} was not acked: HTTP ${ack.status}`);
  // a parse error is answered in the ack itself
  if (ack.body && typeof ack.body === 'object') return visibleText(ack.body);
  return visibleText(await nthResponse(t.standin, ack.responseUrl!));
}

/** How many response_url posts this command got so far (to check nothing more arrives). */
export function answersTo(t: TestBot, responseUrl: string): number {
  return responsesTo(t.standin, responseUrl).length;
}

/** The deploy form's plan options (empty when the plans could not be loaded). */
export function planOptions(view: any): string[] {
  const plan = view?.blocks?.find((b: any) => b.block_id === BLOCK.plan);
  return (plan?.element?.options ?? []).map((o: any) => o.value);
}

export function viewText(view: any): string {
  return visibleText({ blocks: view?.blocks ?? [] }) + '\n' + (view?.title?.text ?? '');
}

/** Top-level channel messages naming `name`, and the thread replies under the first of them. */
export function announcementOf(t: TestBot, name: string, channel = 'C_GENERAL') {
  return t.standin.messages(channel).find((m) => !m.thread_ts && String(m.text ?? '').includes(name));
}
export function threadOf(t: TestBot, ts: string, channel = 'C_GENERAL') {
  return t.standin.messages(channel).filter((m) => m.thread_ts === ts);
}

/** Opens the deploy form and waits until it shows plans (or the plans error). */
export async function openForm(t: TestBot): Promise<any> {
  const before = new Set(t.standin.views().keys());
  const ack = await t.user.command('deploy');
  if (ack.status !== 200) throw new Error(`deploy not acked: ${ack.status}`);
  return t.standin.waitFor(() => {
    const fresh = [...t.standin.views().values()].filter((v) => !before.has(v.id));
    const v = fresh[fresh.length - 1];
    return v && !/Loading/.test(JSON.stringify(v.blocks)) ? v : undefined;
  });
}

/** Submits the container form for `name` with the cheapest plan; returns the ack and the modal after it. */
export async function submitForm(t: TestBot, form: any, name: string, planId: string) {
  const ack = await t.user.submitView(form, fill(form, { [BLOCK.plan]: planId, [BLOCK.name]: name, [BLOCK.ports]: '22', [BLOCK.sshKey]: SSH }));
  return { ack, view: t.standin.views().get(form.id) ?? latestView(t.standin) };
}

export { fill, latestView, waitForField, visibleText, nthResponse, responsesTo };
