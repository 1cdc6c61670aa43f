/**
 * Large inputs through the real handlers: catalogs, lists and texts bigger than one Slack message,
 * section or select can hold. The Slack stand-in refuses what real Slack would refuse
 * (src/standin/block-kit-limits.ts), so each test checks both that the payload was accepted and
 * that the cut is visible to the user. Fluence is the simulator behind a relay that enlarges its
 * answers (more OS images, locations, presets or log lines than a select or message can show).
 */
import type { SimulatorHandle } from '../../src/simulator';
import { describeRejection } from '../../src/standin';
import { ACTION, BLOCK } from '../../src/slack/ids';
import type { TestBot } from '../support/bot-harness';
import type { Relay } from '../support/fluence-relay';
import { startRelayedBot, stopRelayedBot } from '../support/relayed-bot';
import { fill, waitForField } from '../support/modal';
import { buttonsOf, nthResponse, visibleText } from '../support/responses';

/** Logs are for the instance's owner and admins; the seeded instances have no owner here. */
const ADMIN = 'UADMIN';
let sim: SimulatorHandle;
let relay: Relay;
let t: TestBot;

beforeEach(async () => {
  ({ t, sim, relay } = await startRelayedBot({ GPU_BOT_ADMINS: ADMIN }));
});
afterEach(async () => stopRelayedBot({ t, sim, relay }));

/** Nothing the bot sent was refused by the stand-in (said here so the failing test is named). */
function expectNoRejections(): void {
  expect(t.standin.rejections.map(describeRejection)).toEqual([]);
}

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const planSelect = (view: any) => view.blocks.find((b: any) => b.block_id === BLOCK.plan).element;
const field = (view: any, blockId: string) => view.blocks.find((b: any) => b.block_id === blockId);

/** Opens the deploy modal, picks the cheapest plan and waits for the form re-rendered for it. */
async function pickFirstPlan(command: string, then: string): Promise<any> {
  await t.user.command(command);
  const view = await waitForField(t.standin, BLOCK.plan);
  const plan = planSelect(view);
  await t.user.selectOption(view, plan.action_id, plan.options[0].value);
  return t.standin.waitFor(() => {
    const v = [...t.standin.views().values()].at(-1);
    return planSelect(v)?.initial_option?.value === plan.options[0].value && field(v, then) ? v : undefined;
  });
}

describe('the deploy modal keeps every select within 100 options', () => {
  it('a VM plan offering 150 OS images shows 100 of them and says so', async () => {
    relay.rewrite({
      method: 'GET',
      path: /^\/gpu\/plans\/vms/,
      body: (json) => {
        for (const gpu of json.data) for (const a of gpu.availability_by_number) for (const o of a.options) o.os_options = range(150, (i) => `ubuntu-22.04-build-${i}`);
        return json;
      },
    });
    const form = await pickFirstPlan('deploy vm', BLOCK.osImage);
    const os = field(form, BLOCK.osImage);
    expect(os.element.options).toHaveLength(100);
    expect(os.hint.text).toContain('Showing 100 of 150 OS images');
    expectNoRejections();
  });

  it('a container plan in 150 locations shows 99 and "Any location", and the form still deploys', async () => {
    relay.rewrite({
      method: 'GET',
      path: /^\/gpu\/plans\/$/,
      body: (json) => json.map((p: any) => ({ ...p, attributes: { ...p.attributes, location: range(150, (i) => `L${i}`) } })),
    });
    const form = await pickFirstPlan('deploy', BLOCK.location);
    const location = field(form, BLOCK.location);
    expect(location.element.options).toHaveLength(100);
    expect(location.element.options.at(-1).text.text).toBe('Any location');
    expect(location.hint.text).toContain('Showing 99 of 150 locations');
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.plan]: planSelect(form).options[0].value, [BLOCK.name]: 'many-places', [BLOCK.ports]: '22' }));
    expect(ack.body.response_action).toBe('update');
    await t.standin.waitFor(() => sim.control.instances().length === 1);
    expectNoRejections();
  });

  it('120 image presets: 99 of them plus "Custom image", with a pointer to /gpu images', async () => {
    relay.rewrite({
      method: 'GET',
      path: /^\/gpu\/default-images\/$/,
      body: (json) => range(120, (i) => ({ ...json[0], slug: `preset-${i}`, name: `Preset ${i}` })),
    });
    await t.user.command('deploy');
    const form = await waitForField(t.standin, BLOCK.imagePreset);
    const presets = field(form, BLOCK.imagePreset);
    expect(presets.element.options).toHaveLength(100);
    expect(presets.element.options.at(-1).text.text).toBe('Custom image');
    expect(presets.hint.text).toContain('Showing 99 of 120 presets: /gpu images lists them all.');
    expectNoRejections();
  });
});

it('a 5000-character Fluence error full of markup is shown escaped and clamped at the top of the modal', async () => {
  const form = await pickFirstPlan('deploy', BLOCK.ports);
  const values = fill(form, { [BLOCK.plan]: planSelect(form).options[0].value, [BLOCK.name]: 'html-error', [BLOCK.ports]: '22' });
  // a proxy's HTML error page quoted in `detail`: every < and > grows to 4 characters when escaped
  const detail = `<html><body>${'<p>upstream &amp; gateway failed</p>'.repeat(140)}</body></html>`;
  expect(detail.length).toBeGreaterThan(5000);
  relay.answerNext({ method: 'POST', path: /^\/gpu\/instances\/$/, status: 400, body: { detail } });
  const ack = await t.user.submitView(form, values);
  expect(ack.body.response_action).toBe('update');
  const top = ack.body.view.blocks[0].text.text as string;
  expect(top.length).toBeLessThanOrEqual(3000);
  expect(top).toMatch(/^⚠️ \*Fluence refused this deploy:\* &lt;html&gt;&lt;body&gt;&lt;p&gt;upstream &amp;amp; gateway/);
  expect(top.endsWith('…')).toBe(true);
  expectNoRejections();
  // the modal Slack shows is the error form, values kept
  const shown = [...t.standin.views().values()].at(-1);
  expect(shown.blocks[0].text.text).toBe(top);
  expect(field(shown, BLOCK.name).element.initial_value).toBe('html-error');
});

it('/gpu access with 80 user grants lists every one of them over several sections', async () => {
  const users = range(80, (i) => `UGRANTEE${String(i).padStart(3, '0')}`);
  for (const id of users) await t.bot.context.store.grants.set({ kind: 'user', id }, 'deployer', 'U_ALICE');
  const ack = await t.user.command('access');
  const msg = await nthResponse(t.standin, ack.responseUrl!);
  const text = visibleText(msg);
  for (const id of users) expect(text).toContain(`<@${id}>`);
  const sections = msg.blocks.filter((b: any) => b.type === 'section' && /<@UGRANTEE/.test(b.text.text));
  expect(sections.length).toBeGreaterThan(1);
  expectNoRejections();
});

it('/gpu list all with 500 instances shows what fits and says how many more there are', async () => {
  sim.control.seedInstances(500, 'container', { namePrefix: 'fleet' });
  const ack = await t.user.command('list all');
  const msg = await nthResponse(t.standin, ack.responseUrl!);
  expect(msg.blocks.length).toBeLessThanOrEqual(50);
  const shown = buttonsOf(msg, ACTION.openInstance).length;
  expect(visibleText(msg)).toContain(`…and ${500 - shown} more`);
  expectNoRejections();
});

it('/gpu logs when Fluence returns 3000 long lines: the newest part, in one message Slack accepts', async () => {
  const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'chatty' });
  relay.rewrite({ method: 'GET', path: /\/logs/, body: () => range(3000, (i) => `line ${i} <${'x'.repeat(190)}> & more`) });
  const ack = await t.user.withUser(ADMIN).command(`logs ${id} 1000`);
  const msg = await nthResponse(t.standin, ack.responseUrl!);
  const text = visibleText(msg);
  expect(text).toContain('line 2999 ');
  expect(text).not.toContain('line 0 ');
  expect(text).toContain('the oldest part did not fit in one message');
  expectNoRejections();
});
