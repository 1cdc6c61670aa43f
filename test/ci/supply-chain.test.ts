/**
 * Issue 10 §6: what the image and CI are built from. The Docker image runs a supported LTS Node
 * pinned by digest, installs with every install script off and rebuilds only the native addon;
 * CI installs the same way, checks advisories (.ci/audit.mjs, tested in audit.test.ts), then tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

test('every Docker stage starts from an LTS Node image (22 or 24) pinned by sha256 digest', () => {
  const dockerfile = read('Dockerfile');
  const images = [...dockerfile.matchAll(/^ARG NODE_IMAGE=(\S+)$/gm)].map((m) => m[1]!);
  expect(images).toHaveLength(1);
  expect(images[0]).toMatch(/^node:(22|24)[\w.-]*@sha256:[0-9a-f]{64}$/);
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  expect(froms.length).toBeGreaterThanOrEqual(2);
  expect(new Set(froms)).toEqual(new Set(['${NODE_IMAGE}']));
});

test('the image installs with install scripts off and rebuilds better-sqlite3 explicitly from source', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/npm ci --ignore-scripts/);
  expect(dockerfile).toMatch(/npm_config_build_from_source=better-sqlite3 npm rebuild better-sqlite3/);
  expect(dockerfile).not.toMatch(/npm (install|i) /);
});

test('better-sqlite3 as locked supports the image’s Node major', () => {
  const major = read('Dockerfile').match(/^ARG NODE_IMAGE=node:(\d+)/m)![1];
  const lock = JSON.parse(read('package-lock.json'));
  const engines: string = lock.packages['node_modules/better-sqlite3'].engines.node;
  expect(engines.split('||').map((s) => s.trim())).toContain(`${major}.x`);
});

test('CI installs the same way, runs the production advisory check, then the tests (their summary last)', () => {
  const ci = read('.ci/run');
  expect(ci).toMatch(/npm ci --ignore-scripts/);
  expect(ci).toMatch(/npm_config_build_from_source=better-sqlite3 npm rebuild better-sqlite3/);
  expect(ci.indexOf('node .ci/audit.mjs')).toBeGreaterThan(ci.indexOf('npm rebuild better-sqlite3'));
  expect(ci.trimEnd().endsWith('npm test')).toBe(true);
});
