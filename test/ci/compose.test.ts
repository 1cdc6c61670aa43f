/**
 * Issue 13 §4: docker-compose.yml is the documented production layout for more than one replica:
 * PostgreSQL, two gpu-bot replicas in HTTP mode on it, a reverse proxy in front. No Docker here, so
 * the file's shape is checked: what each service needs, what the proxy routes, and that the stop
 * grace period covers the bot's shutdown (FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SHUTDOWN_MARGIN_MS } from '../../src/bot';
import { ConfigSchema, loadConfig } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  env_file?: unknown;
  depends_on?: Record<string, { condition?: string }> | string[];
  stop_grace_period?: string;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: { test: unknown };
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const replicas = Object.entries(services).filter(([, s]) => s.build !== undefined || s.image?.startsWith('gpu-bot'));
const proxy = services.proxy!;

/** Compose durations as the bot would need them: "30s", "1m30s". */
function seconds(d: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || (!m[1] && !m[2])) throw new Error(`unreadable duration ${d}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

test('PostgreSQL, two gpu-bot replicas built from this Dockerfile, and a proxy', () => {
  expect(Object.keys(services).sort()).toEqual(['gpu-bot-a', 'gpu-bot-b', 'postgres', 'proxy']);
  expect(replicas.map(([name]) => name).sort()).toEqual(['gpu-bot-a', 'gpu-bot-b']);
  expect(services.postgres!.image).toMatch(/^postgres:\d+/);
  expect(services.postgres!.healthcheck?.test).toEqual(expect.arrayContaining([expect.stringContaining('pg_isready')]));
  expect(services.postgres!.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^pgdata:\/var\/lib\/postgresql\/data$/)]));
});

test.each(['gpu-bot-a', 'gpu-bot-b'])('%s: HTTP mode on the shared PostgreSQL, started once it is healthy', (name) => {
  const s = services[name]!;
  expect(s.build).toBe('.');
  const env = s.environment ?? {};
  expect(env.DATABASE_URL).toMatch(/^postgres:\/\/gpubot:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/gpubot$/);
  // Socket Mode would bypass the proxy; the app token must not be set here
  expect(env).not.toHaveProperty('SLACK_APP_TOKEN');
  expect(env.PORT).toBe('3000');
  expect(s.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  // replicas are reached through the proxy only
  expect(s.ports).toBeUndefined();
});

test('the stop grace period covers the shutdown: FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS, with room', () => {
  const needed = (loadConfig({}).FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS) / 1000;
  for (const [, s] of replicas) {
    expect(s.stop_grace_period).toBeDefined();
    expect(seconds(s.stop_grace_period!)).toBeGreaterThanOrEqual(needed + 5);
  }
});

test('the proxy publishes 80/443 and routes /slack/events to both replicas, health-checked on /readyz', () => {
  expect(proxy.image).toMatch(/^caddy:2/);
  expect(proxy.ports).toEqual(['80:80', '443:443']);
  const mount = (proxy.volumes ?? []).find((v) => v.endsWith(':/etc/caddy/Caddyfile:ro'));
  expect(mount).toBeDefined();
  const file = mount!.split(':')[0]!;
  expect(existsSync(join(ROOT, file))).toBe(true);
  const caddyfile = read(file);

  const handled = [...caddyfile.matchAll(/^\s*handle(?:\s+(\S+))?\s*\{/gm)].map((m) => m[1] ?? '(rest)');
  expect(handled).toEqual(['/slack/events', '(rest)']);
  expect(caddyfile).toMatch(/handle \{\s*respond 404\s*\}/);

  const upstreams = /reverse_proxy\s+([^{]+)\{/.exec(caddyfile)![1]!.trim().split(/\s+/);
  expect(upstreams.sort()).toEqual(replicas.map(([name, s]) => `${name}:${s.environment!.PORT}`).sort());
  expect(caddyfile).toMatch(/^\s*health_uri \/readyz$/m);
  // POSTs are re-sent to the other replica only when the connection failed (Caddy's default)
  expect(caddyfile).not.toMatch(/^\s*lb_retry_match\b/m);
  expect(caddyfile).toMatch(/^\s*lb_try_duration (\d+)s$/m);
  expect(Number(/lb_try_duration (\d+)s/.exec(caddyfile)![1])).toBeLessThan(3);
});

test('required settings fail loudly when missing instead of starting with empty values', () => {
  const text = read('docker-compose.yml');
  expect(text).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
  expect(text).toMatch(/\$\{GPU_BOT_DOMAIN:\?/);
  expect(compose.volumes).toEqual(expect.objectContaining({ pgdata: null }));
});

test('every variable the compose file sets is one the bot reads (DATABASE_URL above all)', () => {
  for (const [, s] of replicas) {
    for (const name of Object.keys(s.environment ?? {})) expect({ name, known: name in ConfigSchema.shape }).toEqual({ name, known: true });
  }
});
