#!/usr/bin/env node
// Known advisories in the PRODUCTION dependencies (what the Docker image ships), from the npm
// registry's audit endpoint. Three different outcomes, never confused with one another:
//   exit 0  "audit: clean"        the registry answered: no high or critical advisory
//   exit 1  "audit: FAILED"       the registry answered: high/critical advisories (listed)
//   exit 0  "audit: UNAVAILABLE"  no answer (registry unreachable, or its audit endpoint refused
//                                 or failed): NOT a pass, just no data. With AUDIT_REQUIRED=1 this
//                                 exits 2 instead, for pipelines that must have the answer.
// Extra arguments go to `npm audit` (tests point --registry at a local fake).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN']);

// A throwaway npm cache: an earlier answer from the audit endpoint must never stand in for today's.
const cache = mkdtempSync(join(tmpdir(), 'gpu-bot-audit-'));
const run = spawnSync('npm', ['audit', '--omit=dev', '--json', ...process.argv.slice(2)], {
  encoding: 'utf8',
  env: { ...process.env, npm_config_cache: cache },
  shell: process.platform === 'win32',
});
rmSync(cache, { recursive: true, force: true });
let report = null;
try {
  report = JSON.parse(run.stdout);
} catch {
  // npm printed no JSON at all (crashed before asking): treated as unavailable below
}

const counts = report?.metadata?.vulnerabilities;
if (counts && typeof counts === 'object') {
  const serious = Object.values(report.vulnerabilities ?? {}).filter((v) => v.severity === 'high' || v.severity === 'critical');
  if (serious.length === 0) {
    const total = Object.entries(counts).filter(([k]) => k !== 'total').reduce((n, [, c]) => n + c, 0);
    console.log(`audit: clean: no high or critical advisory in production dependencies${total ? ` (${total} lower-severity, see npm audit --omit=dev)` : ''}`);
    process.exit(0);
  }
  console.log(`audit: FAILED: ${serious.length} production dependenc${serious.length === 1 ? 'y has' : 'ies have'} a known high or critical advisory:`);
  for (const v of serious) {
    const titles = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => `${x.title} ${x.url ?? ''}`.trim());
    const through = (v.via ?? []).filter((x) => typeof x === 'string');
    console.log(`  - ${v.name} (${v.severity}${v.range ? `, ${v.range}` : ""}): ${titles.join('; ') || `through ${through.join(', ')}`}${v.fixAvailable ? ' [fix available]' : ''}`);
  }
  process.exit(1);
}

// No report: say which of the two it was.
const text = String(report?.message ?? report?.error?.summary ?? run.stderr ?? '');
const code = report?.error?.code ?? report?.code ?? text.match(/\b(E[A-Z_]{3,}|[A-Z_]*CERT[A-Z_]*)\b/)?.[1];
const status = report?.statusCode;
let why;
if (typeof code === 'string' && NETWORK_CODES.has(code)) {
  why = `the registry is unreachable (${code})`;
} else if (typeof status === 'number') {
  why = `the registry answered, but its audit endpoint did not (HTTP ${status}${report?.method ? ` on ${report.method} ${report.uri ?? ''}` : ''})`;
} else {
  const detail = (report?.error?.summary || report?.message || run.stderr || '').toString().trim().split('\n')[0];
  why = `npm audit gave no report${code ? ` (${code})` : ''}${detail ? `: ${detail}` : ''}`;
}
console.log(`audit: UNAVAILABLE: ${why}. This is not a pass: no advisory data was checked.`);
process.exit(process.env.AUDIT_REQUIRED === '1' ? 2 : 0);
