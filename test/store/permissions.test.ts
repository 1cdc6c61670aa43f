import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('the database on disk is private to the bot', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'gpu-bot-perm-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('a directory it creates is 0700; the database, its WAL and shared-memory files are 0600', async () => {
    const path = join(root, 'data', 'nested', 'bot.sqlite');
    const store = await openStore(path);
    try {
      await store.grants.set({ kind: 'user', id: 'U1' }, 'admin', 'U0');
      expect({ dir: mode(join(root, 'data')), nested: mode(join(root, 'data', 'nested')) }).toEqual({ dir: '700', nested: '700' });
      expect({ db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`) }).toEqual({ db: '600', wal: '600', shm: '600' });
    } finally {
      await store.close();
    }
  });

  test('an existing database file readable by others is narrowed to 0600; an existing directory is left alone', async () => {
    const path = join(root, 'bot.sqlite');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    chmodSync(root, 0o755);
    await (await openStore(path)).close();
    expect(mode(path)).toBe('600');
    expect(mode(root)).toBe('755');
  });
});
