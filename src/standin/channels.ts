/**
 * Conversations the stand-in knows by name: who is a member (the bot included or not), private or
 * public, archived. Slack answers posts by what it knows of the channel: `not_in_channel` when the
 * bot is not a member of a public channel, `channel_not_found` for a private one it cannot see,
 * `is_archived`, and for an ephemeral message `user_not_in_channel` when the recipient is not a
 * member. Channels never registered behave as before: open to everyone, the bot a member.
 */

export interface StandinChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  /** User ids of the members; the bot's user id when the bot was invited. */
  members: string[];
}

export interface ChannelInput {
  id: string;
  name?: string;
  isPrivate?: boolean;
  isArchived?: boolean;
  members?: string[];
}

export class ChannelRegistry {
  private readonly channels = new Map<string, StandinChannel>();

  constructor(private readonly botUserId: string) {}

  add(c: ChannelInput): StandinChannel {
    const channel = { id: c.id, name: c.name ?? c.id.toLowerCase(), isPrivate: c.isPrivate ?? c.id.startsWith('G'), isArchived: c.isArchived ?? false, members: [...(c.members ?? [])] };
    this.channels.set(c.id, channel);
    return channel;
  }

  get(id: string): StandinChannel | undefined {
    return this.channels.get(id);
  }

  clear(): void {
    this.channels.clear();
  }

  /** The error Slack answers a bot post (chat.postMessage / chat.update) with, if any. */
  postError(channelId: string): string | undefined {
    const c = this.channels.get(channelId);
    if (!c) return undefined;
    const botIn = c.members.includes(this.botUserId);
    if (!botIn) return c.isPrivate ? 'channel_not_found' : 'not_in_channel';
    return c.isArchived ? 'is_archived' : undefined;
  }

  /** chat.postEphemeral: the bot must be able to post there, and `user` must be a member. */
  ephemeralError(channelId: string, user: unknown): string | undefined {
    const own = this.postError(channelId);
    if (own) return own;
    const c = this.channels.get(channelId);
    if (c && (typeof user !== 'string' || !c.members.includes(user))) return 'user_not_in_channel';
    return undefined;
  }
}
