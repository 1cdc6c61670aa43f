/**
 * Issue 11 §5: the arrows point down. Background jobs (src/watch, src/background), the services and
 * the store never import src/slack: they emit typed notices, and src/slack renders them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module a file imports (static and dynamic), resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(file, '..', s)));
}

test.each(['watch', 'background', 'services', 'store'])('src/%s imports nothing from src/slack', (layer) => {
  const upward = files(join(SRC, layer)).flatMap((f) => importsOf(f).filter((i) => i === 'slack' || i.startsWith('slack/')).map((i) => `${relative(SRC, f)} → ${i}`));
  expect(upward).toEqual([]);
});
