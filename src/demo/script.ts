/**
 * The session the offline demo plays, step by step, through signed Slack requests only (SlackUser):
 * browse, deploy a container and a VM through the modal, wait for the watcher's thread replies,
 * list, status, terminate with its confirmation. Each step throws with a reason a person can act
 * on when what a user would see did not happen; run.ts times the steps and prints the summary.
 */
import { CRASHLOOP_IMAGE, PLAN_H100_1X, type SimMarket } from '../simulator';
import type { SlackStandin, SlackUser, StoredMessage } from '../standin';
import { ACTION, BLOCK, INPUT_ACTION } from '../slack/ids';
import type { Transcript } from './transcript';

export interface DemoSession {
  user: SlackUser;
  standin: SlackStandin;
  out: Transcript;
  /** How long to wait for the watcher (the instances' provisioning delay plus a few cycles). */
  readyTimeoutMs: number;
  /** The simulated Fluence market (the world outside the bot): a price drop for the plan-alert step. */
  market?: SimMarket;
}

export interface DemoStep {
  name: string;
  run(s: DemoSession, state: DemoState): Promise<string | void>;
}

/** What earlier steps leave for later ones. */
export interface DemoState {
  deployed: Array<{ name: string; kind: string; announcement?: StoredMessage; crashes?: boolean }>;
}

/** A public demo key: the simulator checks the format, nothing ever connects with it. */
export const DEMO_SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl demo@gpu-bot';
const WAIT_MS = 8000;

/** Types a command, waits for its first answer on the response_url, prints what arrived. */
async function command(s: DemoSession, text: string): Promise<any> {
  s.out.user(`@${s.user.userId}`, `/gpu ${text}`);
  const ack = await s.user.command(text);
  if (ack.status !== 200) throw new Error(`Slack would show "dispatch_failed": the bot answered HTTP ${ack.status}`);
  const id = decodeURIComponent(ack.responseUrl!.slice(ack.responseUrl!.lastIndexOf('/') + 1));
  const answer = await s.standin.waitFor(() => s.standin.responses.find((r) => r.id === id), WAIT_MS);
  s.out.flush();
  return answer.body;
}

/** Clicks a button on a message as the demo user, waits for the (ephemeral) answer, prints it. */
async function clickForAnswer(s: DemoSession, message: StoredMessage, actionId: string, label: string): Promise<any> {
  s.out.user(`@${s.user.userId}`, `clicks “${label}”`);
  const click = await s.user.clickButton(message, actionId);
  if (click.status !== 200) throw new Error(`the bot answered the ${label} click with HTTP ${click.status}`);
  const id = decodeURIComponent(click.responseUrl!.slice(click.responseUrl!.lastIndexOf('/') + 1));
  const answer = await s.standin.waitFor(() => s.standin.responses.find((r) => r.id === id), WAIT_MS);
  s.out.flush();
  return answer.body;
}

function latestView(standin: SlackStandin): any {
  const views = [...standin.views().values()];
  return views[views.length - 1];
}

const blockOf = (view: any, blockId: string) => view?.blocks?.find((b: any) => b.block_id === blockId);

/** `savedKey`: leave the key field alone, the form starts on the key saved with /gpu key set. */
async function deploy(s: DemoSession, state: DemoState, o: { text: string; name: string; kind: string; image?: string; savedKey?: boolean }): Promise<string> {
  s.out.user(`@${s.user.userId}`, `/gpu ${o.text}`);
  const ack = await s.user.command(o.text);
  if (ack.status !== 200) throw new Error(`the bot answered HTTP ${ack.status}`);
  const form = await s.standin.waitFor(() => {
    const v = latestView(s.standin);
    return blockOf(v, BLOCK.plan)?.element?.options?.length ? v : undefined;
  }, WAIT_MS);
  s.out.flush();

  const planSelect = blockOf(form, BLOCK.plan).element;
  const plan = planSelect.options[0];
  s.out.user(`@${s.user.userId}`, `picks the plan “${plan.text.text}”`);
  await s.user.selectOption(form, planSelect.action_id, plan.value);
  const picked = await s.standin.waitFor(() => {
    const v = latestView(s.standin);
    const ready = o.kind === 'vm' ? blockOf(v, BLOCK.osImage)?.element : /\/h/.test(blockOf(v, BLOCK.cost)?.text?.text ?? '');
    return ready ? v : undefined;
  }, WAIT_MS);
  s.out.flush();

  const values: Record<string, Record<string, unknown>> = {
    [BLOCK.name]: { [actionOf(picked, BLOCK.name)]: o.name },
    ...(o.savedKey ? {} : { [BLOCK.sshKey]: { [actionOf(picked, BLOCK.sshKey)]: DEMO_SSH_KEY } }),
  };
  if (o.kind === 'vm') {
    const os = blockOf(picked, BLOCK.osImage).element;
    values[BLOCK.osImage] = { [os.action_id]: os.initial_option?.value ?? os.options[0].value };
  } else {
    values[BLOCK.ports] = { [actionOf(picked, BLOCK.ports)]: '22/tcp, 8000' };
    if (o.image) values[BLOCK.image] = { [actionOf(picked, BLOCK.image)]: o.image };
  }
  const key = o.savedKey ? `keeps “${blockOf(picked, BLOCK.sshKeyChoice)?.element?.initial_option?.text?.text ?? 'no key'}”` : 'pastes an SSH key';
  s.out.user(`@${s.user.userId}`, `names it “${o.name}”${o.image ? `, types the image ${o.image}` : ''}, ${key} and presses Deploy`);
  const submitted = await s.user.submitView(picked, values);
  s.out.ack(submitted.body);
  if (submitted.body?.response_action === 'errors') throw new Error(`the form was refused: ${JSON.stringify(submitted.body.errors)}`);
  const announcement = await s.standin.waitFor(
    () => s.standin.messages(s.user.channelId).find((m) => !m.thread_ts && (m.text ?? '').includes(o.name)),
    WAIT_MS,
  );
  s.out.flush();
  state.deployed.push({ name: o.name, kind: o.kind, announcement, ...(o.image === CRASHLOOP_IMAGE ? { crashes: true } : {}) });
  return `announced in #${announcement.channel}`;
}

function actionOf(view: any, blockId: string): string {
  return blockOf(view, blockId)?.element?.action_id ?? INPUT_ACTION;
}

export const DEMO_STEPS: DemoStep[] = [
  { name: '/gpu help', run: async (s) => void (await command(s, 'help')) },
  { name: '/gpu plans', run: async (s) => void (await command(s, 'plans')) },
  { name: '/gpu plans vms h100', run: async (s) => void (await command(s, 'plans vms h100')) },
  { name: 'deploy a container', run: (s, st) => deploy(s, st, { text: 'deploy', name: 'demo-llm', kind: 'container' }) },
  { name: '/gpu key set', run: async (s) => void (await command(s, `key set ${DEMO_SSH_KEY}`)) },
  { name: 'deploy a VM', run: (s, st) => deploy(s, st, { text: 'deploy vm', name: 'demo-train', kind: 'vm', savedKey: true }) },
  {
    name: 'deploy a crash-looping container',
    run: (s, st) => deploy(s, st, { text: 'deploy', name: 'demo-broken', kind: 'container', image: CRASHLOOP_IMAGE }),
  },
  {
    name: 'watcher: ready replies',
    run: async (s, state) => {
      const healthy = state.deployed.filter((d) => !d.crashes);
      if (healthy.length === 0) throw new Error('nothing was deployed, so nothing can become ready');
      s.out.note(`the watcher polls Fluence until ${healthy.map((d) => d.name).join(' and ')} are ACTIVE and started (real clock)`);
      const started = Date.now();
      await s.standin.waitFor(() => {
        s.out.flush();
        return healthy.every((d) => s.standin.messages().some((m) => m.thread_ts === d.announcement?.ts && /ready/i.test(m.text ?? '')));
      }, s.readyTimeoutMs);
      s.out.flush();
      return `${healthy.length} ready replies after ${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
  },
  {
    name: 'watcher: not-started diagnostics',
    run: async (s, state) => {
      const broken = state.deployed.find((d) => d.crashes);
      if (!broken) throw new Error('the crash-looping container was not deployed');
      s.out.note(`${broken.name} turns ACTIVE but its container never starts: after the start grace period the watcher replies in the thread`);
      const reply = await s.standin.waitFor(
        () => s.standin.messages().find((m) => m.thread_ts === broken.announcement?.ts && /has not started/.test(m.text ?? '')),
        s.readyTimeoutMs,
      );
      s.out.flush();
      // the channel reads the thread, and log lines may hold secrets: the owner reads them through the buttons
      if (/BackOff/.test(JSON.stringify(reply.blocks ?? []))) throw new Error('the channel reply shows event lines, which may hold secrets');
      if (s.standin.messages().some((m) => m.thread_ts === broken.announcement?.ts && /is ready/.test(m.text ?? ''))) {
        throw new Error(`${broken.name} was called ready although its container never started`);
      }
      const events = await clickForAnswer(s, reply, ACTION.events, 'Events');
      if (!/BackOff/.test(JSON.stringify(events))) throw new Error('the Events button does not show the BackOff events');
      const logs = await clickForAnswer(s, reply, ACTION.logs, 'Logs');
      if (!/ModuleNotFoundError/.test(JSON.stringify(logs))) throw new Error('the Logs button does not show why it crashes');
      return 'reply with Refresh / Events / Logs / Terminate; the owner reads BackOff events and the crash in the logs';
    },
  },
  { name: 'plan alert: a price drop, Deploy preselected', run: planAlert },
  { name: '/gpu list', run: async (s) => void (await command(s, 'list')) },
  {
    name: '/gpu status',
    run: async (s, state) => {
      const target = state.deployed[0]?.name ?? 'demo-llm';
      await command(s, `status ${target}`);
    },
  },
  {
    name: 'App Home tab',
    run: async (s) => {
      const mine = () => s.standin.callsTo('views.publish').filter((c) => c.args.user_id === s.user.userId);
      const before = mine().length;
      s.out.user(`@${s.user.userId}`, 'opens the GPU Bot app in Slack: the Home tab');
      const ack = await s.user.openHome();
      if (ack.status !== 200) throw new Error(`the bot answered the app_home_opened event with HTTP ${ack.status}`);
      const call = await s.standin.waitFor(() => mine()[before], WAIT_MS);
      s.out.flush();
      if (call.error) throw new Error(`Slack refused the Home view: ${call.error}`);
      s.out.home(call.args.view);
      const text = JSON.stringify(call.args.view);
      if (!/My instances \(/.test(text) || !/\*Balance\*/.test(text)) throw new Error('the Home misses its balance or My instances section');
      return `${call.args.view.blocks.length} blocks: balance, burn and runway; my instances with Open / Terminate; the team`;
    },
  },
  {
    name: 'lease reminder + Extend 2 h',
    run: async (s, state) => {
      const target = state.deployed.find((d) => d.kind === 'container' && !d.crashes);
      if (!target?.announcement) throw new Error('no running container to put a short lease on');
      // 20 minutes is inside the 30-minute reminder window: the lease job reminds at its next tick
      await command(s, `lease ${target.name} 20m`);
      s.out.note('the lease now ends in 20 minutes; the lease job posts its reminder in the deploy thread');
      const reminder = await s.standin.waitFor(
        () => s.standin.messages().find((m) => m.thread_ts === target.announcement?.ts && /lease of .* ends in/.test(m.text ?? '')),
        s.readyTimeoutMs,
      );
      s.out.flush();
      const labels = (reminder.blocks ?? []).flatMap((b: any) => (b.type === 'actions' ? b.elements : [])).map((e: any) => e.text.text);
      if (labels.join(' / ') !== 'Extend 2 h / Extend 8 h / Terminate now') throw new Error(`the reminder's buttons are ${labels.join(' / ') || 'missing'}`);
      const extended = await clickForAnswer(s, reminder, ACTION.leaseExtend2h, 'Extend 2 h');
      if (!/extended the lease/.test(JSON.stringify(extended))) throw new Error('Extend 2 h did not extend the lease');
      return 'reminder with Extend 2 h / Extend 8 h / Terminate now; Extend 2 h moved the end';
    },
  },
  {
    name: '/gpu terminate + confirm',
    run: async (s, state) => {
      const target = state.deployed.find((d) => d.kind === 'vm')?.name ?? state.deployed[0]?.name ?? 'demo-train';
      const card = await command(s, `terminate ${target}`);
      const button = (card.blocks ?? [])
        .flatMap((b: any) => [...(b.elements ?? []), b.accessory].filter(Boolean))
        .find((e: any) => e.action_id === ACTION.terminate);
      if (!button) throw new Error(`the card for ${target} has no Terminate button`);
      if (button.confirm) s.out.note(`Slack asks first: “${button.confirm.title.text}” → the user presses “${button.confirm.confirm.text}”`);
      s.out.user(`@${s.user.userId}`, `clicks “${button.text.text}” and confirms`);
      const before = s.standin.responses.length;
      const click = await s.user.clickButton(card, ACTION.terminate);
      const id = decodeURIComponent(click.responseUrl!.slice(click.responseUrl!.lastIndexOf('/') + 1));
      const ended = await s.standin.waitFor(
        () => s.standin.responses.slice(before).find((r) => r.id === id && /ENDED|Terminated|⚫/i.test(JSON.stringify(r.body))),
        WAIT_MS,
      );
      s.out.flush();
      return ended.body.replace_original ? 'card replaced by the ENDED card' : 'terminated';
    },
  },
  {
    name: '/gpu spend',
    run: async (s) => {
      const report = await command(s, 'spend today by=instance');
      const text = JSON.stringify(report.blocks ?? []);
      const total = /\*(≥?\$[\d,.]+)\* spent/.exec(text)?.[1];
      if (!total) throw new Error('the spend report has no total');
      if (total !== '$0.00' && !/[█▏▎▍▌▋▊▉]/.test(text)) throw new Error('the spend report has money spent but no bars');
      return `${total} today, one aligned row with a bar per instance, burn per hour and top burners`;
    },
  },
];

/** `/gpu alert add h100 max=2`, then Fluence drops the H100 plan to $1.89/h: one message, its Deploy button opens the form on that plan. */
async function planAlert(s: DemoSession): Promise<string> {
  if (!s.market) throw new Error('the demo has no simulated market to change a price in');
  const set = await command(s, 'alert add h100 max=2');
  if (!/Alert \d+ set/.test(set.text ?? '')) throw new Error(`the alert was not set: ${set.text}`);
  s.out.note('Fluence lowers the H100 ×1 container plan from $2.10/h to $1.89/h');
  s.market.setPrice(PLAN_H100_1X, 1.89);
  const alert = await s.standin.waitFor(() => s.standin.messages(s.user.channelId).find((m) => /Plan alert \d+/.test(m.text ?? '')), WAIT_MS);
  s.out.flush();
  const opens = s.standin.callsTo('views.open').length;
  s.out.user(`@${s.user.userId}`, 'clicks “Deploy” on the alert');
  const click = await s.user.clickButton(alert, ACTION.alertDeploy);
  if (click.status !== 200) throw new Error(`the bot answered the Deploy click with HTTP ${click.status}`);
  const form = await s.standin.waitFor(() => {
    if (s.standin.callsTo('views.open').length <= opens) return undefined;
    const v = latestView(s.standin);
    return blockOf(v, BLOCK.plan)?.element?.initial_option ? v : undefined;
  }, WAIT_MS);
  s.out.flush();
  const picked = blockOf(form, BLOCK.plan).element.initial_option;
  if (picked.value !== PLAN_H100_1X) throw new Error(`the form preselected ${picked.text.text}, not the H100 plan of the alert`);
  return `one message at $1.89/h; Deploy opens the form on “${picked.text.text}”`;
}

