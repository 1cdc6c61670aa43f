/**
 * Who may do what. Deny by default: with no grant a user is a viewer. Pure rules; the store keeps
 * the grants and the listeners ask here at the moment of every action (a button in an old message
 * gives no more rights than its clicker has now).
 */

export const ROLES = ['viewer', 'deployer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  | 'read' // plans, images, list, status (the card without its private parts), balance
  | 'read-private' // logs, events, the startup command: owner and admins (they routinely hold secrets)
  | 'deploy'
  | 'update' // update, rename
  | 'terminate'
  | 'lease' // set or change an instance's lease: like update, admins any, deployers their own
  | 'watch'
  | 'approve' // approve / deny deploy requests
  | 'admin' // budgets, audit
  | 'manage-access'; // grant / revoke: a PERSONAL admin only (see personalRole)

const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

export function higherRole(a: Role | null | undefined, b: Role | null | undefined): Role {
  const ra = a ? RANK[a] : 0;
  const rb = b ? RANK[b] : 0;
  return ra >= rb ? (a ?? 'viewer') : (b ?? 'viewer');
}

export interface RoleInputs {
  userGrant: Role | null;
  /** Only when the request comes from the bot's own workspace (the caller checks team_id). */
  channelGrant: Role | null;
  /** In GPU_BOT_ADMINS. */
  bootstrapAdmin: boolean;
  /** Sandbox mode: no real money, everyone may deploy. */
  sandbox: boolean;
}

/**
 * The highest role a channel grant can give. A channel is not a person: anyone who joins it (or,
 * in a shared channel, anyone in another organisation) would inherit it, so admin never comes
 * from a channel, whatever an older database row says.
 */
export const MAX_CHANNEL_ROLE: Role = 'deployer';

export function effectiveRole(i: RoleInputs): Role {
  if (i.bootstrapAdmin) return 'admin';
  const channel = i.channelGrant && RANK[i.channelGrant] > RANK[MAX_CHANNEL_ROLE] ? MAX_CHANNEL_ROLE : i.channelGrant;
  const granted = higherRole(i.userGrant, channel);
  return i.sandbox ? higherRole(granted, 'deployer') : granted;
}

/** The role a person holds themselves (own grant or bootstrap), ignoring channel grants and sandbox. */
export function personalRole(i: Pick<RoleInputs, 'userGrant' | 'bootstrapAdmin'>): Role {
  return i.bootstrapAdmin ? 'admin' : (i.userGrant ?? 'viewer');
}

export interface Decision {
  allowed: boolean;
  /** The least role that would allow it. */
  needs: Role;
  /** Why, in words a user understands (only when refused). */
  reason?: string;
}

/**
 * `ownsInstance`: the user deployed this instance through the bot (deployers may only change their
 * own); unknown ownership (deployed elsewhere) counts as not theirs.
 */
export function decide(role: Role, action: Action, ownsInstance = false): Decision {
  switch (action) {
    case 'read':
      return { allowed: true, needs: 'viewer' };
    case 'read-private':
      if (role === 'admin' || ownsInstance) return { allowed: true, needs: ownsInstance ? 'viewer' : 'admin' };
      return {
        allowed: false,
        needs: 'admin',
        reason: 'Logs, events and the startup command often hold secrets: only the instance\'s owner and admins see them.',
      };
    case 'deploy':
    case 'watch':
      return verdict(role, 'deployer', action === 'deploy' ? 'deploy instances' : 'watch instances');
    case 'update':
    case 'terminate':
    case 'lease': {
      if (role === 'admin') return { allowed: true, needs: 'admin' };
      if (role === 'deployer' && ownsInstance) return { allowed: true, needs: 'deployer' };
      const verb = action === 'terminate' ? 'terminate' : action === 'lease' ? 'set the lease of' : 'change';
      return role === 'deployer'
        ? { allowed: false, needs: 'admin', reason: `Deployers may only ${verb} instances they deployed; this one is someone else's.` }
        : { allowed: false, needs: ownsInstance ? 'deployer' : 'admin', reason: `You need the deployer role to ${verb} your own instances, or admin for anyone's.` };
    }
    case 'approve':
      return verdict(role, 'admin', 'approve or deny deploy requests');
    case 'admin':
      return verdict(role, 'admin', 'manage access, budgets and the audit log');
    case 'manage-access':
      // `role` must be the personal role here (Guard.authorize passes it for this action)
      return verdict(role, 'admin', 'grant or revoke access (an admin by their own grant, not through a channel)');
  }
}

function verdict(role: Role, needs: Role, what: string): Decision {
  return RANK[role] >= RANK[needs]
    ? { allowed: true, needs }
    : { allowed: false, needs, reason: `You need the ${needs} role to ${what}; you are a ${role}.` };
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
