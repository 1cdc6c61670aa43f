/**
 * Renderers: one per notice kind (src/background/notices.ts), turning a notice into the Slack message
 * it becomes and how it goes out. Pure functions over the views in src/slack/views/ (plus what the
 * bot's wiring passes in RenderContext). The registry type demands one renderer per kind.
 *
 * Adding a renderer: write `export const LEASE_RENDERERS: RendererTable<'lease.reminder' | …> = { … }`
 * in a file of this folder and spread it into RENDERERS in index.ts.
 */
import type { Notice, NoticeKind, NoticeOf, ThreadRef } from '../../background/notices';
import type { WatchMessage } from '../../watch/notifier';

/** How a rendered notice goes out. */
export type Outgoing =
  /** chat.update of `to.messageTs` (the living message). No message, or a channel the bot left: dropped (the replies carry the news). */
  | { op: 'update'; to: ThreadRef; message: WatchMessage }
  /** A reply in `to.messageTs`'s thread; a channel the bot cannot write in: a DM to `to.requesterId` saying why. */
  | { op: 'reply'; to: ThreadRef; message: WatchMessage }
  /** A top-level post; `dmFallback`: the user to DM when the channel cannot be written in. */
  | { op: 'post'; channel: string; message: WatchMessage; dmFallback?: string }
  | { op: 'dm'; userId: string; message: WatchMessage };

/** What renderers may need besides the notice (configuration, lookups done at delivery). */
export interface RenderContext {
  sandbox: boolean;
}

/** null: nothing to send any more (recorded as dropped). */
export type Renderer<K extends NoticeKind> = (notice: NoticeOf<K>, ctx: RenderContext) => Outgoing | null | Promise<Outgoing | null>;

export type RendererTable<K extends NoticeKind> = { [P in K]: Renderer<P> };

/** Renders any notice with the table (the one place the kind picks its renderer). */
export function render(table: RendererTable<NoticeKind>, notice: Notice, ctx: RenderContext): Outgoing | null | Promise<Outgoing | null> {
  const renderer = table[notice.kind] as Renderer<NoticeKind>;
  return renderer(notice as NoticeOf<NoticeKind>, ctx);
}

/** The Slack channel a notice goes to (its rate-limit lane): `to.channelId`, `channel`, else its kind. */
export function laneOf(notice: Notice): string {
  const n = notice as { to?: ThreadRef | null; channel?: string; userId?: string };
  return n.to?.channelId ?? n.channel ?? n.userId ?? notice.kind;
}
