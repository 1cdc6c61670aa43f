/**
 * Text from outside is escaped everywhere (issue 10 §3). Reproduced before: a Fluence 400 whose
 * detail echoed `<!channel>` and `<https://evil.example|console>` was posted raw to the audit
 * channel, pinging everyone there and rendering a forged link.
 */
import type { SimulatorHandle } from '../../src/simulator';
import { BLOCK } from '../../src/slack/ids';
import type { TestBot } from '../support/bot-harness';
import type { Relay } from '../support/fluence-relay';
import { startRelayedBot, stopRelayedBot } from '../support/relayed-bot';
import { fill, waitForField } from '../support/modal';
import { textOf } from './guardrails-kit';

const HOSTILE = 'Rejected <!channel> see <https://evil.example|console> & retry';

let sim: SimulatorHandle;
let relay: Relay;
let t: TestBot;
beforeEach(async () => {
  ({ t, sim, relay } = await startRelayedBot({ AUDIT_CHANNEL: 'CAUDIT' }));
});
afterEach(async () => stopRelayedBot({ t, sim, relay }));

test('a Fluence 400 echoing a mention and a link is escaped in the modal and in the audit channel line', async () => {
  await t.user.command('deploy container');
  const form = await waitForField(t.standin, BLOCK.ports);
  const plan = form.blocks.find((b: any) => b.block_id === BLOCK.plan).element.options[0].value;
  relay.answerNext({ method: 'POST', path: /^\/gpu\/instances\/$/, status: 400, body: { detail: HOSTILE } });
  const ack = await t.user.submitView(form, fill(form, { [BLOCK.plan]: plan, [BLOCK.name]: 'hostile-detail', [BLOCK.ports]: '22/tcp' }));
  expect(ack.body.response_action).toBe('update');
  const audit = await t.standin.waitFor(() => t.standin.messages('CAUDIT').find((m) => textOf(m).includes('hostile-detail')));
  for (const text of [textOf(audit), JSON.stringify(ack.body.view)]) {
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
  }
  expect(textOf(audit)).toContain('&lt;!channel&gt;');
});
