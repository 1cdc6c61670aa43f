/**
 * The floor of the floor benchmark: a bare Bolt app in its own process, started the same way as
 * bench/bot-child.ts (tsx, IPC), that does the least a `/gpu plans` can do: ack, fetch the plans
 * from Fluence, answer through response_url. No store, no roles, no views, no caching, no logging.
 * Whatever gpu-bot costs above this is what gpu-bot itself adds.
 */
import { App, LogLevel } from '@slack/bolt';
// the same in-process ack timing as the bot's child (IPC 'timings')
import './server-timing';

interface FloorEnv {
  SLACK_SIGNING_SECRET: string;
  SLACK_BOT_TOKEN: string;
  SLACK_API_URL: string;
  FLUENCE_API_URL: string;
  FLUENCE_API_KEY: string;
}

process.once('message', async (env: FloorEnv) => {
  const app = new App({
    signingSecret: env.SLACK_SIGNING_SECRET,
    token: env.SLACK_BOT_TOKEN,
    botId: 'B_BOT',
    botUserId: 'U_BOT',
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: env.SLACK_API_URL },
    port: 0,
  });
  // a GET retried on a network error (a reused keep-alive socket the server just closed), as
  // gpu-bot's client does: without it the floor would drop answers gpu-bot delivers
  const fetchPlans = async (): Promise<unknown[] | null> => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetch(`${env.FLUENCE_API_URL}/gpu/plans/`, { headers: { 'X-API-KEY': env.FLUENCE_API_KEY, accept: 'application/json' } });
        if (res.ok) return (await res.json()) as unknown[];
      } catch {
        // retried
      }
    }
    return null;
  };
  app.command('/gpu', async ({ ack, respond }) => {
    await ack();
    const plans = await fetchPlans();
    await respond({ response_type: 'ephemeral', text: plans ? `${plans.length} plans` : 'Fluence did not answer' });
  });
  const server = (await app.start(0)) as import('node:http').Server;
  const address = server.address() as import('node:net').AddressInfo;
  process.send!({ port: address.port });
  process.on('message', async (m: unknown) => {
    if (m !== 'stop') return;
    await app.stop();
    process.exit(0);
  });
});
