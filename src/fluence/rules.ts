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

// ---- image references ------------------------------------------------------------------------

/** One parsed OCI image reference (github.com/distribution/reference grammar). */
export interface ImageReference {
  /** Registry host[:port], or null when the reference names none (docker.io is implied). */
  domain: string | null;
  /** Repository path, e.g. `fluencelabs/debian-ssh-root`. */
  path: string;
  tag: string | null;
  digest: string | null;
}

// The grammar, piece by piece (distribution/reference regexp.go):
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]+
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]; domain := host [':' port]
//   tag := [\w][\w.-]{0,127}; digest := algorithm ':' hex{32,}
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Splits a reference; null when it does not follow the grammar (see imageProblem for why). */
export function parseImageReference(image: string): ImageReference | null {
  let rest = image;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return null;
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  // a ':' after the last '/' is a tag; one before it belongs to the registry's port
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return null;
  }
  const parts = rest.split('/');
  let domain: string | null = null;
  // docker's rule: the first component is a registry when it has '.' or ':' or is localhost. (Docker
  // also takes an uppercase first component for a host; `MyOrg/app` almost surely means Docker Hub,
  // so here it is a repository, and refused for its case.)
  const first = parts[0] ?? '';
  if (parts.length > 1 && (/[.:]/.test(first) || first === 'localhost')) {
    domain = first;
    parts.shift();
    if (!DOMAIN.test(domain)) return null;
  }
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) return null;
  return { domain, path: parts.join('/'), tag, digest };
}

/**
 * Why an image reference would be refused, or null. Fluence documents "lowercase, max 255"; the
 * OCI grammar it follows makes only the repository lowercase: `ghcr.io/org/app:V1` is valid.
 */
export function imageProblem(image: string): string | null {
  if (!image) return 'Image is required (e.g. docker.io/fluencelabs/debian-ssh-root:11).';
  if (/\s/.test(image)) return 'Image must not contain spaces.';
  if (image.length > IMAGE_MAX) return `Image must be at most ${IMAGE_MAX} characters (it has ${image.length}).`;
  if (parseImageReference(image)) return null;
  // say what is wrong in the most common cases: an uppercase repository, a bad tag or digest
  const at = image.indexOf('@');
  const nameAndTag = at >= 0 ? image.slice(0, at) : image;
  if (at >= 0 && !DIGEST.test(image.slice(at + 1))) return 'The digest after "@" must look like sha256:<64 hex digits>.';
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  if (hasTag && !TAG.test(nameAndTag.slice(colon + 1))) {
    return 'The tag after ":" may contain letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-").';
  }
  const slash = name.indexOf('/');
  const repo = slash >= 0 && /[.:]|^localhost$/.test(name.slice(0, slash)) ? name.slice(slash + 1) : name;
  if (repo !== repo.toLowerCase()) {
    const fixed = image.replace(repo, repo.toLowerCase());
    if (parseImageReference(fixed)) return `The repository name must be lowercase (the tag may keep its case): ${fixed}`;
  }
  return 'This is not a valid image reference: use [registry/]repository[:tag][@sha256:digest], e.g. ghcr.io/org/app:v1.';
}

/** The image every docs example uses; it logs in as root with the key from `ssh_key` (API.md §3.1). */
export const ROOT_SSH_IMAGE_REPOSITORY = 'fluencelabs/debian-ssh-root';

/** True for the docs' root-SSH image on Docker Hub, whatever its tag or digest. */
export function isRootSshImage(image: string): boolean {
  const ref = parseImageReference(image.trim());
  if (!ref) return false;
  const hub = ref.domain === null || ['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(ref.domain.toLowerCase());
  return hub && ref.path === ROOT_SSH_IMAGE_REPOSITORY;
}
