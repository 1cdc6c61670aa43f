import type { Migration } from './schema';

/** Owned by the store module (deploy requests, grants, budgets, approvals, audit): versions 1–99. */
export const CORE_MIGRATIONS: Migration[] = [];
