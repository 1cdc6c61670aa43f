/** The bot's workspace id: learned from auth.test; unknown (no channel grant applies) until Slack answers. */
import { HomeTeam } from '../../src/slack/home-team';
import { createLogger } from '../../src/log';
import { SecretRedactor } from '../../src/secrets';
import { Writable } from 'node:stream';

const logger = createLogger({ level: 'silent', redactor: new SecretRedactor(), destination: new Writable({ write: (_c, _e, cb) => cb() }) });

function fakeClient(answers: Array<() => Promise<{ team_id?: string }>>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    auth: { test: () => answers[Math.min(calls++, answers.length - 1)]!() } as never,
  };
}

test('learns the team id at start', async () => {
  const client = fakeClient([async () => ({ team_id: 'T123' })]);
  const home = new HomeTeam(client, logger, () => 0);
  await home.learn();
  expect(home.current()).toBe('T123');
});

test('when Slack fails at start: unknown (fail closed), asked again at most once a minute', async () => {
  let now = 0;
  const client = fakeClient([() => Promise.reject(new Error('down')), async () => ({ team_id: 'T123' })]);
  const home = new HomeTeam(client, logger, () => now);
  await home.learn();
  expect(home.current()).toBeNull();
  expect(client.calls).toBe(1); // 0 ms since the last attempt: no new call
  now = 61_000;
  expect(home.current()).toBeNull(); // starts the retry
  await home.learn(); // joins it
  expect(client.calls).toBe(2);
  expect(home.current()).toBe('T123');
});
