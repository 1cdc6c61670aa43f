import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, ConfigError, storeLocation } from '../src/config';

describe('config', () => {
  it('gives the documented defaults with an empty environment: sandbox, offline Slack', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      SLACK_API_URL: 'https://slack.com/api/',
      PORT: 3000,
      FLUENCE_API_URL: 'https://api.fluence.dev',
      DATABASE_PATH: './data/gpu-bot.sqlite',
      WATCH_INTERVAL_MS: 15000,
      WATCH_START_GRACE_MS: 300000,
      SIMULATOR_SPEED: 1,
      LOG_LEVEL: 'info',
      sandbox: true,
      slackMode: 'offline',
      GPU_BOT_ADMINS: [],
    });
  });

  it('picks Socket Mode when an app token is set, HTTP otherwise', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slackMode).toBe('socket');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slackMode).toBe('http');
    expect(loadConfig({ FLUENCE_API_KEY: 'k' }).sandbox).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT: expected number/],
    [{ PORT: '70000' }, /PORT: expected a number <= 65535/],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, /SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_SIGNING_SECRET: expected required in HTTP mode/],
    [{ FLUENCE_API_URL: 'api.fluence.dev' }, /FLUENCE_API_URL: expected an http\(s\) URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: expected one of fatal, error/],
    [{ GPU_BOT_ADMINS: 'alice' }, /GPU_BOT_ADMINS: expected Slack user ids/],
    [{ MAX_HOURLY_USD: '-3' }, /MAX_HOURLY_USD/],
    [{ SIMULATOR_SPEED: '0' }, /SIMULATOR_SPEED: expected a number > 0|SIMULATOR_SPEED/],
    [{ WATCH_START_GRACE_MS: '-1' }, /WATCH_START_GRACE_MS: expected a duration like 45m, 8h, 3d or 1w \(or a plain number of milliseconds\)/],
    [{ DEFAULT_LEASE_HOURS: '8 parsecs' }, /DEFAULT_LEASE_HOURS: expected a duration like 45m, 8h, 3d or 1w \(or a plain number of hours\)/],
    [{ DEFAULT_LEASE_HOURS: '30s' }, /DEFAULT_LEASE_HOURS: expected a duration .*at least 60000 ms/],
    [{ LEASE_REMINDER_MIN: 'soon' }, /LEASE_REMINDER_MIN: expected a duration like 45m, 8h, 3d or 1w \(or a plain number of minutes\)/],
    [{ LEASE_NAG_HOURS: '10s' }, /LEASE_NAG_HOURS: expected a duration .*at least 60000 ms/],
    [{ WATCH_TIMEOUT_MS: '100000', WATCH_HARD_LIMIT_MS: '1000' }, /WATCH_HARD_LIMIT_MS: expected must be at least WATCH_TIMEOUT_MS/],
  ])('names the bad variable and what it expects: %j', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('DATABASE_URL selects PostgreSQL; unset, SQLite at DATABASE_PATH; a bad one is named without its password', () => {
    expect(storeLocation(loadConfig({}))).toBe('./data/gpu-bot.sqlite');
    expect(storeLocation(loadConfig({ DATABASE_PATH: '/data/x.sqlite', DATABASE_URL: '' }))).toBe('/data/x.sqlite');
    const pgUrl = 'postgres://gpubot:pw@db:5432/gpubot';
    expect(storeLocation(loadConfig({ DATABASE_URL: pgUrl, DATABASE_PATH: '/data/x.sqlite' }))).toBe(pgUrl);
    expect(storeLocation(loadConfig({ DATABASE_URL: 'postgresql://db/gpubot' }))).toBe('postgresql://db/gpubot');
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(10);
    expect(loadConfig({ DATABASE_POOL_SIZE: '4' }).DATABASE_POOL_SIZE).toBe(4);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE: expected a number >= 1/);
    for (const [bad, says] of [
      ['mysql://root:hunter2secret@db/gpubot', /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL .*\(got mysql:\/\/, which is not supported\); unset it to use SQLite at DATABASE_PATH/],
      ['hunter2secret', /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/],
      ['postgres:///gpubot', /DATABASE_URL: expected .* with a host/],
    ] as const) {
      expect(() => loadConfig({ DATABASE_URL: bad })).toThrow(says);
      expect(() => loadConfig({ DATABASE_URL: bad })).not.toThrow(/hunter2/);
    }
  });

  it('reads durations as 45m / 8h / 3d / 1w, and plain numbers as before (ms, or hours for the lease)', () => {
    expect(loadConfig({}).DEFAULT_LEASE_HOURS).toBe(8);
    expect(loadConfig({})).toMatchObject({ PLAN_ALERT_INTERVAL_MS: 300_000, PLAN_ALERT_TTL_DAYS: 7 });
    expect(loadConfig({ PLAN_ALERT_INTERVAL_MS: '10m', PLAN_ALERT_TTL_DAYS: '30' })).toMatchObject({ PLAN_ALERT_INTERVAL_MS: 600_000, PLAN_ALERT_TTL_DAYS: 30 });
    expect(() => loadConfig({ PLAN_ALERT_TTL_DAYS: '0' })).toThrow(/PLAN_ALERT_TTL_DAYS: expected a number >= 1/);
    expect(loadConfig({ DEFAULT_LEASE_HOURS: '8h' }).DEFAULT_LEASE_HOURS).toBe(8);
    expect(loadConfig({ DEFAULT_LEASE_HOURS: '12' }).DEFAULT_LEASE_HOURS).toBe(12);
    expect(loadConfig({ DEFAULT_LEASE_HOURS: '45m' }).DEFAULT_LEASE_HOURS).toBe(0.75);
    expect(loadConfig({ DEFAULT_LEASE_HOURS: '3d' }).DEFAULT_LEASE_HOURS).toBe(72);
    // the lease reminder in minutes, its nag in hours; defaults 30 min and 4 h
    expect([loadConfig({}).LEASE_REMINDER_MIN, loadConfig({}).LEASE_NAG_HOURS]).toEqual([30, 4]);
    expect([loadConfig({ LEASE_REMINDER_MIN: '45' }).LEASE_REMINDER_MIN, loadConfig({ LEASE_REMINDER_MIN: '1h' }).LEASE_REMINDER_MIN]).toEqual([45, 60]);
    expect([loadConfig({ LEASE_NAG_HOURS: '2' }).LEASE_NAG_HOURS, loadConfig({ LEASE_NAG_HOURS: '30m' }).LEASE_NAG_HOURS]).toEqual([2, 0.5]);
    const c = loadConfig({ WATCH_TIMEOUT_MS: '45m', WATCH_HARD_LIMIT_MS: '1d', WATCH_INTERVAL_MS: '20000', WATCH_START_GRACE_MS: '0' });
    expect([c.WATCH_TIMEOUT_MS, c.WATCH_HARD_LIMIT_MS, c.WATCH_INTERVAL_MS, c.WATCH_START_GRACE_MS]).toEqual([2_700_000, 86_400_000, 20_000, 0]);
  });

  it('never echoes a value, which may be a secret', () => {
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxp-very-secret-user-token' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(String(e)).not.toContain('very-secret');
    }
  });

  it('stops the process with one line naming the variable', () => {
    const tsx = join(__dirname, '../node_modules/.bin/tsx');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(tsx, [join(__dirname, '../src/main.ts')], {
        env: { PATH: process.env.PATH, PORT: 'not-a-port' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 45_000, // tsx compiles on the fly: slow on a loaded 2-core machine
      });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = String(err.stderr);
    }
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['Invalid configuration: PORT: expected number']);
  }, 60_000);
});
