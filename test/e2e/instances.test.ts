import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { buttonsOf, nthResponse, responsesTo, simCalls, visibleText } from '../support/responses';

let t: TestBot;
let ctr: string; // ACTIVE container "web-0"
let vm: string; // ACTIVE VM "box-0"
let ended: string; // ENDED container "old-0"
let dupes: string[]; // two live bare-metal machines both named "twin-0"

beforeAll(async () => {
  // an admin: logs, events and startup commands are for owners and admins (instance-privacy.test.ts),
  // and these instances were seeded outside the bot, so nobody owns them
  t = await startTestBot({ env: { GPU_BOT_ADMINS: 'UOPS' } });
  t.user = t.user.withUser('UOPS');
  const c = t.sim.control;
  ended = c.seedInstances(1, 'container', { status: 'ENDED', namePrefix: 'old' })[0]!;
  vm = c.seedInstances(1, 'vm', { namePrefix: 'box' })[0]!;
  dupes = [...c.seedInstances(1, 'baremetal', { namePrefix: 'twin' }), ...c.seedInstances(1, 'baremetal', { namePrefix: 'twin', status: 'INITIALIZED' })];
  ctr = c.seedInstances(1, 'container', { namePrefix: 'web' })[0]!;
});
afterAll(async () => {
  await t.stop();
});
afterEach(() => t.sim.control.clearFaults());

async function answer(text: string): Promise<any> {
  const ack = await t.user.command(text);
  expect(ack.status).toBe(200);
  return nthResponse(t.standin, ack.responseUrl!);
}

const header = (msg: any): string => msg.blocks.find((b: any) => b.type === 'header')?.text.text ?? '';

describe('/gpu list', () => {
  it('shows live instances of all three types with an Open button each, and counts the hidden ended ones', async () => {
    const msg = await answer('list');
    const opens = buttonsOf(msg, ACTION.openInstance).map((b) => b.value);
    expect(opens).toHaveLength(4);
    expect(opens).toEqual(expect.arrayContaining([`container:${ctr}`, `vm:${vm}`, `baremetal:${dupes[0]}`, `baremetal:${dupes[1]}`]));
    expect(opens).not.toContain(`container:${ended}`);
    expect(visibleText(msg)).toContain('1 ended instance hidden');
  });

  it('`list all` includes ended instances', async () => {
    const msg = await answer('ls all');
    expect(buttonsOf(msg, ACTION.openInstance).map((b) => b.value)).toContain(`container:${ended}`);
    expect(visibleText(msg)).not.toContain('hidden');
  });

  it('Open shows the instance card', async () => {
    const list = await answer('list');
    const click = await t.user.clickButton(list, ACTION.openInstance, { value: `vm:${vm}` });
    const card = await nthResponse(t.standin, click.responseUrl!);
    expect(header(card)).toContain('box-0');
    expect(card.replace_original).toBe(false);
  });

  it('when one type cannot be read, shows the others with a warning', async () => {
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: /instances\/vms/ });
    const msg = await answer('list');
    expect(visibleText(msg)).toMatch(/Fluence did not answer for VMs/);
    const opens = buttonsOf(msg, ACTION.openInstance).map((b) => b.value);
    expect(opens).toContain(`container:${ctr}`);
    expect(opens).not.toContain(`vm:${vm}`);
  });

  it('a Fluence outage gives a clear ephemeral message, and the ack does not wait for Fluence', async () => {
    t.sim.control.setFaults({ errorRate: 1, latencyMs: 600 });
    const ack = await t.user.command('list');
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(600);
    const msg = await nthResponse(t.standin, ack.responseUrl!);
    expect(msg.response_type).toBe('ephemeral');
    expect(visibleText(msg)).toMatch(/Fluence is unreachable or too slow right now, so I could not list your instances/);
  });
});

describe('/gpu status', () => {
  it.each([
    ['the full id', () => ctr],
    ['an 8-character id prefix', () => ctr.slice(0, 8)],
    ['the exact name', () => 'web-0'],
  ])('finds an instance by %s and shows its card with the connect command', async (_how, arg) => {
    const card = await answer(`status ${arg()}`);
    expect(header(card)).toBe('🟢 web-0');
    const text = visibleText(card);
    expect(text).toMatch(/ssh -p \d+ root@/);
    expect(buttonsOf(card).map((b) => b.action_id)).toEqual(
      expect.arrayContaining([ACTION.refresh, ACTION.logs, ACTION.events, ACTION.terminate]),
    );
  });

  it('prefers the live instance when a name was reused', async () => {
    const [again] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'old' }); // "old-0" again, ACTIVE
    const card = await answer('status old-0');
    expect(buttonsOf(card, ACTION.refresh)[0].value).toBe(`container:${again}`);
  });

  it('too short a prefix is refused with the rule', async () => {
    const msg = await answer(`status ${ctr.slice(0, 6)}`);
    expect(visibleText(msg)).toContain('is too short to identify an instance: give at least 8 characters');
  });

  it('an unknown instance says so', async () => {
    const msg = await answer('status no-such-box');
    expect(visibleText(msg)).toContain('No instance matches `no-such-box`');
  });

  it('an ambiguous name lists the candidates, each with an Open button', async () => {
    const msg = await answer('status twin-0');
    expect(visibleText(msg)).toContain('Several instances are named `twin-0`');
    expect(buttonsOf(msg, ACTION.openInstance).map((b) => b.value).sort()).toEqual(dupes.map((id) => `baremetal:${id}`).sort());
  });

  it('a Fluence outage gives a clear ephemeral message', async () => {
    t.sim.control.setFaults({ errorRate: 1 });
    const ack = await t.user.command(`status ${ctr}`);
    expect(ack.status).toBe(200);
    const msg = await nthResponse(t.standin, ack.responseUrl!);
    expect(msg.response_type).toBe('ephemeral');
    expect(visibleText(msg)).toMatch(/could not be read from Fluence/);
  });

  it('Refresh re-fetches and replaces the card in place', async () => {
    const card = await answer(`status ${vm}`);
    expect(header(card)).toBe('🟢 box-0');
    t.sim.control.setStatus(vm, 'ENDED');
    const click = await t.user.clickButton(card, ACTION.refresh);
    const fresh = await nthResponse(t.standin, click.responseUrl!);
    expect(fresh.replace_original).toBe(true);
    expect(header(fresh)).toBe('⚫ box-0');
    expect(buttonsOf(fresh, ACTION.terminate)).toEqual([]);
  });
});

describe('/gpu logs and /gpu events', () => {
  it('shows the last n log lines of a container', async () => {
    t.sim.control.resetRequests();
    const msg = await answer('logs web-0 5');
    expect(header(msg)).toBe('Logs: web-0');
    expect(visibleText(msg)).toMatch(/last \d+ log lines \(asked for 5\)/);
    expect(t.sim.control.requests.some((r) => /\/logs$/.test(r.path))).toBe(true);
  });

  it('shows events of a container', async () => {
    const msg = await answer(`events ${ctr.slice(0, 10)}`);
    expect(header(msg)).toBe('Events: web-0');
    expect(msg.blocks.some((b: any) => b.type === 'section' && b.text.text.startsWith('```'))).toBe(true);
  });

  it.each([['logs'], ['events']])('%s of a VM explain they are for containers, without asking Fluence', async (kind) => {
    const [other] = t.sim.control.seedInstances(1, 'vm', { namePrefix: `vm-${kind}` });
    t.sim.control.resetRequests();
    const msg = await answer(`${kind} ${other}`);
    expect(visibleText(msg)).toContain('only available for containers');
    expect(simCalls(t.sim, 'GET', /\/(logs|events)$/)).toBe(0);
  });

  it('the Logs and Events buttons on a card show lines under the instance name', async () => {
    const card = await answer('status web-0');
    for (const [action, title] of [
      [ACTION.logs, 'Logs: web-0'],
      [ACTION.events, 'Events: web-0'],
    ] as const) {
      const click = await t.user.clickButton(card, action);
      const lines = await nthResponse(t.standin, click.responseUrl!);
      expect(header(lines)).toBe(title);
      expect(lines.replace_original).toBe(false);
    }
  });

  it('a Logs button naming a VM (an old or forged message) gets an explanation and no API call', async () => {
    t.sim.control.resetRequests();
    const forged = { blocks: [{ type: 'actions', block_id: 'x', elements: [{ type: 'button', action_id: ACTION.logs, value: `vm:${vm}`, text: { type: 'plain_text', text: 'Logs' } }] }] };
    const click = await t.user.clickButton(forged, ACTION.logs);
    const msg = await nthResponse(t.standin, click.responseUrl!);
    expect(visibleText(msg)).toContain('only available for containers');
    expect(t.sim.control.requests).toEqual([]);
    expect(responsesTo(t.standin, click.responseUrl!)).toHaveLength(1);
  });
});
