/**
 * `npm run demo`: validates the environment like the bot does (one line per bad variable, exit 1),
 * then plays the offline demo and exits 0 only when every step passed.
 */
import { ConfigError, loadConfig, type Config } from '../config';
import { runDemo } from './run';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const summary = await runDemo({ config });
  process.exit(summary.ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`the demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
