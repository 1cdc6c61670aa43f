/**
 * Every secret that comes from the environment is masked wherever the bot writes text (logs,
 * Slack), the sealing key included: nothing is known to print it, and if something ever does,
 * the redactor catches it.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';

const SEAL_KEY = 'seal-key-for-the-masking-test-0123456789abcdef';

let t: TestBot;
afterEach(async () => t?.stop());

test('the configured secrets, GPU_BOT_SEAL_KEY included, are masked in any text', async () => {
  t = await startTestBot({ env: { GPU_BOT_SEAL_KEY: SEAL_KEY } });
  const { config, redactor } = t.bot.context;
  for (const secret of [SEAL_KEY, config.SLACK_BOT_TOKEN!, config.SLACK_SIGNING_SECRET!]) {
    expect(redactor.mask(`oops: ${secret} leaked`)).not.toContain(secret);
  }
});
