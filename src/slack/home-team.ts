/**
 * The bot's own workspace id, learned once from `auth.test` at start. Channel grants apply only to
 * requests carrying this team_id (services/guard.ts). If Slack cannot be asked at start, the id
 * stays unknown (no channel grant applies: fail closed) and is asked again at most once a minute,
 * when a request needs it.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log';

const RETRY_MS = 60_000;

export class HomeTeam {
  private id: string | null = null;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private asking: Promise<void> | null = null;

  constructor(
    private readonly client: Pick<WebClient, 'auth'>,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** The team id, or null while unknown (then a background retry is started, rate-limited). */
  current(): string | null {
    if (this.id === null && this.now() - this.lastAttempt >= RETRY_MS) void this.learn();
    return this.id;
  }

  /** Asks Slack once (concurrent callers share the call); never throws. */
  learn(): Promise<void> {
    if (this.asking) return this.asking;
    this.lastAttempt = this.now();
    this.asking = this.client.auth
      .test()
      .then((r) => {
        if (typeof r.team_id === 'string' && r.team_id) this.id = r.team_id;
        else this.logger.warn('auth.test returned no team_id: channel grants stay off until it does');
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'auth.test failed: channel grants stay off until the workspace is known'))
      .finally(() => {
        this.asking = null;
      });
    return this.asking;
  }
}
