/** What the tests read from manifest.yml: the global shortcuts the stand-in may send (Slack sends no others). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export function manifestGlobalShortcuts(): string[] {
  const manifest = parse(readFileSync(join(__dirname, '../../manifest.yml'), 'utf8'));
  const shortcuts: Array<{ type?: string; callback_id?: string }> = manifest?.features?.shortcuts ?? [];
  return shortcuts.filter((s) => s.type === 'global' && s.callback_id).map((s) => s.callback_id!);
}
