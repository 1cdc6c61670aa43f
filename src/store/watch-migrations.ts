import type { Migration } from './schema';

/** Owned by the watcher (watches table): versions 100–199. */
export const WATCH_MIGRATIONS: Migration[] = [];
