/**
 * `npm run demo`: validates the environment like the bot does (one line per bad variable, exit 1),
 * then plays the offline demo and exits 0 only when every step passed.
 */
import { loadConfigOrExit } from '../config';
import { runDemo } from './run';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const summary = await runDemo({ config });
  process.exit(summary.ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`the demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
