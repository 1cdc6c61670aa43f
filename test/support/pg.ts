/**
 * A PostgreSQL database of its own for one test file, on the run's one server (TEST_DATABASE_URL,
 * or the embedded one pg-global-setup.ts started). Fails loudly when there is no server: a test
 * that needs PostgreSQL never passes without it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { STATE_ENV } from './pg-global-setup';

/** How long a test waits for the embedded server to come up (initdb is slow on a loaded machine). */
const START_TIMEOUT_MS = 120_000;

let serverUrl: Promise<string> | undefined;

function waitForServer(): Promise<string> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return Promise.resolve(given);
  const stateFile = process.env[STATE_ENV];
  if (!stateFile) {
    return Promise.reject(new Error('No PostgreSQL for the tests: TEST_DATABASE_URL is unset and jest did not run test/support/pg-global-setup.ts (run the tests through jest.config.js).'));
  }
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const poll = () => {
      if (existsSync(stateFile)) {
        const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url?: string; error?: string };
        if (state.url) return resolve(state.url);
        return reject(new Error(`The embedded PostgreSQL server for the tests did not start: ${state.error ?? 'no reason given'}`));
      }
      if (Date.now() > deadline) return reject(new Error(`The embedded PostgreSQL server for the tests did not start within ${START_TIMEOUT_MS / 1000} s.`));
      setTimeout(poll, 100);
    };
    poll();
  });
}

export function testServerUrl(): Promise<string> {
  serverUrl ??= waitForServer();
  return serverUrl;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test server; `drop` removes it (and ends its connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await testServerUrl();
  const name = `gpu_bot_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
