/**
 * The deploy rules Fluence documents (API.md §4.1, §5.1), as data and small predicates.
 * The bot checks a deploy against them before any money moves (so the user sees the error on
 * the right field at once), and the simulator enforces the same documented rules as the server.
 */

/** 1–25 chars, [a-z0-9-], no leading/trailing hyphen. */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,23}[a-z0-9])?$/;
export const NAME_MAX = 25;
export const IMAGE_MAX = 255;
export const STARTUP_COMMAND_MAX = 2048;
export const EXPOSE_MIN = 1;
export const EXPOSE_MAX = 10;
export const ENV_MAX = 64;
/** Uppercase letters, digits, `_`, starting with a letter. */
export const ENV_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;
export const PROTOCOLS = ['tcp', 'udp', 'http'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** Only port 80 may be http. */
export const HTTP_PORT = '80';
export const REGISTRY_HOSTS = ['docker.io', 'ghcr.io'] as const;
/** Injected from `ssh_key` on predefined images; defining both fails the deploy (API.md §1.6). */
export const RESERVED_SSH_ENV = 'SSH_PUBKEY';

export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'Name is required.';
  if (name.length > NAME_MAX) return `Name must be at most ${NAME_MAX} characters (it has ${name.length}).`;
  if (/[^a-z0-9-]/.test(name)) return 'Name may contain only lowercase letters, digits and hyphens.';
  if (name.startsWith('-') || name.endsWith('-')) return 'Name must not start or end with a hyphen.';
  return null;
}

/** Port as a string of digits within 1–65535 (the API's own message for out-of-range). */
export function portProblem(port: string): string | null {
  if (!/^\d+$/.test(port)) return `"${port}" is not a port number.`;
  const n = Number(port);
  if (n < 1 || n > 65535) return 'Port must be between 1 and 65535';
  return null;
}

export function envNameProblem(name: string): string | null {
  if (!ENV_NAME_PATTERN.test(name)) {
    return `"${name}" is not a valid variable name: use uppercase letters, digits and _, starting with a letter.`;
  }
  return null;
}

export function isProtocol(p: string): p is Protocol {
  return (PROTOCOLS as readonly string[]).includes(p);
}

export function isRegistryHost(h: string): h is (typeof REGISTRY_HOSTS)[number] {
  return (REGISTRY_HOSTS as readonly string[]).includes(h);
}

/** Looks like one OpenSSH public key line. The API takes the text, not a key id. */
export function sshKeyProblem(key: string): string | null {
  const k = key.trim();
  if (!k) return 'An SSH public key is required.';
  if (/PRIVATE KEY/.test(k)) return 'That is a private key. Paste the public key (the .pub file) instead.';
  if (!/^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/.test(k)) {
    return 'This does not look like an OpenSSH public key (it should start with ssh-ed25519, ssh-rsa or ecdsa-sha2-…).';
  }
  if (k.includes('\n')) return 'Paste one public key only.';
  return null;
}
