/**
 * `npm run simulator`: the Fluence simulator alone, for poking at it with curl or pointing a
 * bot at it. SIMULATOR_PORT (default 8080), SIMULATOR_API_KEY (default sim-key), SIMULATOR_SPEED
 * (default 1: deploys take as long as on the real GPU Cloud), SIMULATOR_PROVISIONING_MS (default
 * 120 s / speed). Stops on SIGINT/SIGTERM.
 */
import { REALISTIC_TIMINGS, startSimulator } from './index';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    // Name the variable, not its value: env values are treated as secrets in this project.
    throw new Error(`${name} must be a non-negative integer`);
  }
  return n;
}

async function main(): Promise<void> {
  const apiKey = process.env['SIMULATOR_API_KEY'] || 'sim-key';
  const speed = Number(process.env['SIMULATOR_SPEED'] || '1');
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error('SIMULATOR_SPEED must be a positive number');
  const sim = await startSimulator({
    port: intFromEnv('SIMULATOR_PORT', 8080),
    apiKey,
    speed,
    provisioningDelayMs: intFromEnv('SIMULATOR_PROVISIONING_MS', Math.round(REALISTIC_TIMINGS.provisioningDelayMs / speed)),
  });
  // The key is printed only when it is the well-known default; a custom one may be a real secret.
  const shownKey = apiKey === 'sim-key' ? apiKey : '<your SIMULATOR_API_KEY>';
  process.stdout.write(
    `Fluence simulator on ${sim.url} (X-API-KEY: ${shownKey}); try: curl -H 'X-API-KEY: ${shownKey}' ${sim.url}/gpu/plans/\n`,
  );
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
