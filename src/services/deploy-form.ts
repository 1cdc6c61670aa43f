/**
 * The deploy form as data: modal state in, a request the API will accept (or one precise error
 * per field) out. No Slack runtime and no HTTP: the listener hands over `view.state.values` and
 * answers `response_action: errors` with what comes back. The single-field parsers are in
 * form-fields.ts; the update and rename forms (update-form.ts) reuse readContainerSettings.
 *
 * The documented rules live in fluence/rules.ts; this module only decides which field an error
 * belongs to and how to say it. Errors are keyed by the BLOCK id of the input the user must fix,
 * because Slack shows `response_action: errors` only under input blocks (BOLT.md pitfall 3).
 */
import type { PlanOffer } from '../fluence/model';
import * as rules from '../fluence/rules';
import type { FieldIssue } from '../fluence/errors';
import type { CreateContainerRequest, CreateVmRequest } from '../fluence/schemas';
import type { WorkloadType } from '../fluence/workload';
import { BLOCK, type BlockId } from './form-ids';
import { imageProblem, instanceNameProblem, mergeKeptValues, parseEnv, parsePorts, registryHost, type EnvVar } from './form-fields';
import { isSecretEnv, restoreKeptEnv, type KeptSecrets } from './form-secrets';
import { checkedOf, field, keyedActionId, selectedOf, textOf, type FieldErrors, type FormState } from './form-state';
import { NO_KEY_SOURCES, type KeySources } from './ssh-key-choice';
import { readKeyFields, REMEMBER_KEY } from './ssh-key-fields';
import type { PublicKey } from './ssh-keys';

export { checkedOf, keyedActionId, selectedOf, textOf } from './form-state';
export type { FieldErrors, FieldState, FormState } from './form-state';

export type DeployFormResult =
  /** `rememberKey`: a pasted key the user asked to save ("remember this key"). */
  | { ok: true; request: CreateContainerRequest | CreateVmRequest; offer: PlanOffer; secrets: string[]; rememberKey?: PublicKey }
  | { ok: false; errors: FieldErrors };

/** Location select value meaning "let Fluence choose" (no `constraints`). */
export const ANY_LOCATION = 'any';
/** Image preset select value meaning "type your own image". */
export const CUSTOM_PRESET = 'custom';

/** OS option values over Slack's 75-char option-value limit are sent as `#<index>`. */
export function osOptionValue(options: readonly string[], os: string): string {
  return os.length <= 75 ? os : `#${options.indexOf(os)}`;
}

function osFromValue(options: readonly string[], value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^#(\d+)$/.exec(value);
  if (m) return options[Number(m[1])];
  return options.includes(value) ? value : undefined;
}

// ---- deploy -----------------------------------------------------------------------------

/**
 * `kept`: the secrets the bot kept when it re-rendered this form (form-secrets.ts). `keys`: the
 * saved and account keys the form offered (ssh-key-choice.ts).
 */
export function readDeployForm(
  type: WorkloadType,
  state: FormState,
  offers: readonly PlanOffer[],
  kept?: KeptSecrets,
  keys: KeySources = NO_KEY_SOURCES,
): DeployFormResult {
  const errors: FieldErrors = {};
  const planId = selectedOf(state, BLOCK.plan);
  const offer = planId ? offers.find((o) => o.planId === planId && o.type === type) : undefined;
  if (!planId) errors[BLOCK.plan] = 'Pick a plan.';
  else if (!offer) errors[BLOCK.plan] = 'This plan is no longer offered. Pick another one.';

  const name = textOf(state, BLOCK.name);
  const nameError = instanceNameProblem(name);
  if (nameError) errors[BLOCK.name] = nameError;

  const keyRead = readKeyFields(state, keys, { form: 'deploy', required: type !== 'container' }, kept?.sshKey);
  Object.assign(errors, keyRead.errors);
  const key = keyRead.resolved.ok ? keyRead.resolved.key : undefined;
  const sshKey = key?.text ?? '';
  const keySecrets = sshKey ? [sshKey] : [];
  const remembered = keyRead.resolved.ok && keyRead.resolved.remember ? { rememberKey: keyRead.resolved.remember } : {};

  if (type !== 'container') {
    const osOptions = offer?.osOptions ?? [];
    const osImage = osFromValue(osOptions, selectedOf(state, BLOCK.osImage));
    // with no OS options the modal has no OS field to hang the error on: it goes on the plan
    if (offer && !osOptions.length) errors[BLOCK.plan] = 'This plan lists no OS images. Pick another plan.';
    else if (offer && !osImage) errors[BLOCK.osImage] = `Pick an OS image this plan offers: ${osOptions.join(', ')}.`;
    if (!offer || !osImage || Object.keys(errors).length) return { ok: false, errors };
    const request: CreateVmRequest = { plan_id: offer.planId, name, ssh_key: sshKey, os_image: osImage };
    return { ok: true, request, offer, secrets: keySecrets, ...remembered };
  }

  const settings = readContainerSettings(state, errors, sshKey, { withPorts: true, ...(kept ? { kept } : {}) });
  const location = selectedOf(state, BLOCK.location);
  if (offer && location && location !== ANY_LOCATION && !offer.locations.includes(location)) {
    errors[BLOCK.location] =
      `${location} is not available for this plan. Pick one of: ${[...offer.locations, 'Any location'].join(', ')}.`;
  }
  if (!offer || !settings || Object.keys(errors).length) return { ok: false, errors };

  const request: CreateContainerRequest = {
    plan_id: offer.planId,
    name,
    container_settings: {
      image: settings.image,
      expose: settings.expose,
      ...(settings.env.length ? { environment: settings.env } : {}),
      ...(settings.startup ? { startup_command: settings.startup } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    },
    ...(location && location !== ANY_LOCATION ? { constraints: { location } } : {}),
    ...(sshKey ? { ssh_key: sshKey } : {}),
  };
  return { ok: true, request, offer, secrets: [...settings.secrets, ...keySecrets], ...remembered };
}

export interface ContainerSettingsRead {
  image: string;
  expose: Array<{ port: string; protocol: rules.Protocol }>;
  env: EnvVar[];
  startup: string;
  credentials?: { host: (typeof rules.REGISTRY_HOSTS)[number]; username: string; password: string };
  secrets: string[];
}

/**
 * The container fields shared by deploy and update. `mergeEnv` (update only) fills `KEY=` lines
 * with the current value. Records errors into `errors`; returns undefined when any field failed.
 */
export function readContainerSettings(
  state: FormState,
  errors: FieldErrors,
  sshKey: string,
  opts: { withPorts?: boolean; mergeEnv?: ReadonlyArray<{ name: string; value: string }>; kept?: KeptSecrets } = { withPorts: true },
): ContainerSettingsRead | undefined {
  const image = textOf(state, BLOCK.image);
  const imageError = imageProblem(image);
  if (imageError) errors[BLOCK.image] = imageError;

  let expose: ContainerSettingsRead['expose'] = [];
  if (opts.withPorts) {
    const ports = parsePorts(textOf(state, BLOCK.ports));
    if (ports.ok) expose = ports.expose;
    else errors[BLOCK.ports] = ports.error;
  }

  let env: EnvVar[] = [];
  let marked: string[] = [];
  const parsed = parseEnv(field(state, BLOCK.env)?.value.value ?? '');
  if (!parsed.ok) errors[BLOCK.env] = parsed.error;
  else {
    marked = parsed.marked;
    env = opts.mergeEnv ? mergeKeptValues(parsed.env, opts.mergeEnv) : parsed.env;
    if (!opts.mergeEnv) {
      const restored = restoreKeptEnv(env, marked, opts.kept);
      env = restored.env;
      if (restored.missing.length) {
        errors[BLOCK.env] =
          `Type the secret value of ${restored.missing.join(', ')} again after the "!": the bot no longer keeps the one you typed before.`;
      }
    }
    if (sshKey && env.some((v) => v.name === rules.RESERVED_SSH_ENV)) {
      errors[BLOCK.env] =
        `Remove ${rules.RESERVED_SSH_ENV}: it is set from the SSH public key field, and defining both makes the deploy fail.`;
    }
  }

  const startup = (field(state, BLOCK.startup)?.value.value ?? '').trim();
  if (startup.length > rules.STARTUP_COMMAND_MAX) {
    errors[BLOCK.startup] =
      `Startup command must be at most ${rules.STARTUP_COMMAND_MAX} characters (it has ${startup.length}).`;
  }

  const username = textOf(state, BLOCK.registryUser);
  // a password may legitimately start or end with spaces: keep it as typed
  // an empty password field means "the one you typed before" while the bot keeps one
  const password = field(state, BLOCK.registryPassword)?.value.value || opts.kept?.registryPassword || '';
  let credentials: ContainerSettingsRead['credentials'];
  if (username && !password) {
    errors[BLOCK.registryPassword] = `Enter the password or access token for ${username}, or clear the username.`;
  } else if (!username && password) {
    errors[BLOCK.registryUser] = 'Enter the registry username, or clear the password.';
  } else if (username && password && !imageError) {
    const host = registryHost(image);
    if (rules.isRegistryHost(host)) credentials = { host, username, password };
    else {
      errors[BLOCK.image] =
        `Registry credentials work only for images on ${rules.REGISTRY_HOSTS.join(' or ')}; this image is on ${host}.`;
    }
  }

  if (Object.keys(errors).length) return undefined;
  const secrets = [...env.filter((v) => isSecretEnv(v, marked)).map((v) => v.value), ...(credentials ? [credentials.password] : [])].filter((s) => s.length > 0);
  return { image, expose, env, startup, ...(credentials ? { credentials } : {}), secrets };
}

// ---- re-rendering -----------------------------------------------------------------------

/** What the user has entered so far, to keep when the modal is re-rendered. Never the password. */
export interface DeployFormValues {
  planId?: string;
  imagePreset?: string;
  name?: string;
  image?: string;
  ports?: string;
  env?: string;
  startup?: string;
  registryUser?: string;
  location?: string;
  sshKey?: string;
  /** The channel picked in a form opened from the shortcut. */
  channel?: string;
  /** The key select's value and the "remember this key" box, kept across re-renders. */
  sshKeyChoice?: string;
  rememberKey?: boolean;
  osImage?: string;
  /** A private key was pasted into the key field: dropped, never kept; the form warns. */
  privateKeyDropped?: boolean;
  /** Which secrets the bot keeps for this form (never their values): the form says so. */
  kept?: { env: boolean; registryPassword: boolean; sshKey: boolean };
}

/**
 * Reads the values to carry into a re-render. Fields prefilled from the preset (or offered by
 * the plan) are dropped when the preset (or plan) just changed, so the new prefill shows: the
 * action id of such a field records which preset/plan it was rendered for (keyedActionId).
 */
export function deployFormValues(state: FormState): DeployFormValues {
  const out: DeployFormValues = {};
  const put = (key: Exclude<keyof DeployFormValues, 'kept' | 'rememberKey' | 'privateKeyDropped'>, v: string | undefined | null) => {
    if (v !== undefined && v !== null && v !== '') out[key] = v;
  };
  const planId = selectedOf(state, BLOCK.plan);
  const preset = selectedOf(state, BLOCK.imagePreset);
  put('planId', planId);
  put('imagePreset', preset);
  put('name', field(state, BLOCK.name)?.value.value);
  put('registryUser', field(state, BLOCK.registryUser)?.value.value);
  put('sshKey', field(state, BLOCK.sshKey)?.value.value);
  put('sshKeyChoice', selectedOf(state, BLOCK.sshKeyChoice));
  put('channel', field(state, BLOCK.channel)?.value.selected_conversation);
  if (checkedOf(state, BLOCK.sshKeyRemember).includes(REMEMBER_KEY)) out.rememberKey = true;
  const presetFields = [['image', BLOCK.image], ['ports', BLOCK.ports], ['env', BLOCK.env], ['startup', BLOCK.startup]] as const;
  for (const [key, block] of presetFields) {
    const f = field(state, block);
    if (f && f.actionId === keyedActionId(preset)) put(key, f.value.value);
  }
  for (const [key, block] of [['location', BLOCK.location], ['osImage', BLOCK.osImage]] as const) {
    const f = field(state, block);
    if (f && f.actionId === keyedActionId(planId)) put(key, f.value.selected_option?.value);
  }
  return out;
}

// ---- API validation errors ---------------------------------------------------------------

/** Every input block the deploy modal of a type has. */
export function deployFormBlocks(type: WorkloadType): BlockId[] {
  return type === 'container'
    ? [BLOCK.plan, BLOCK.name, BLOCK.image, BLOCK.ports, BLOCK.env, BLOCK.startup, BLOCK.registryUser,
       BLOCK.registryPassword, BLOCK.location, BLOCK.sshKey]
    : [BLOCK.plan, BLOCK.name, BLOCK.sshKey, BLOCK.osImage];
  // (the key select and the remember box have no API field of their own: ssh_key errors go under the paste field)
}

/** First matching `loc` segment wins, so environment[0].name is the env field, not the name. */
const LOC_BLOCK: Record<string, BlockId> = {
  expose: BLOCK.ports,
  environment: BLOCK.env,
  name: BLOCK.name,
  image: BLOCK.image,
  startup_command: BLOCK.startup,
  constraints: BLOCK.location,
  location: BLOCK.location,
  ssh_key: BLOCK.sshKey,
  os_image: BLOCK.osImage,
  plan_id: BLOCK.plan,
};

/**
 * 422 issues -> errors under the fields (BOLT.md pitfall 3). Only `loc` and `msg` are used: the
 * issue's `input` may be a secret the user typed. Slack rejects errors keyed by a block the view
 * does not have, so anything that maps outside `blocks` goes to `fallback`, naming its loc path.
 */
export function apiIssuesToFieldErrors(
  issues: readonly FieldIssue[],
  opts: { blocks?: readonly BlockId[]; fallback?: BlockId } = {},
): FieldErrors {
  const fallback = opts.fallback ?? BLOCK.plan;
  const out: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.loc[0] === 'body' ? issue.loc.slice(1) : issue.loc;
    const msg = issue.msg.replace(/^Value error, /, '');
    let block: BlockId | undefined;
    let text = msg;
    for (const [i, seg] of path.entries()) {
      if (seg === 'credentials') {
        block = path[i + 1] === 'password' ? BLOCK.registryPassword : path[i + 1] === 'host' ? BLOCK.image : BLOCK.registryUser;
        text = `Registry credentials: ${msg}`;
        break;
      }
      const hit = typeof seg === 'string' ? LOC_BLOCK[seg] : undefined;
      if (!hit) continue;
      block = hit;
      const index = path[i + 1];
      if (typeof index === 'number') text = `${seg === 'expose' ? 'Port' : 'Variable'} ${index + 1}: ${msg}`;
      break;
    }
    if (!block || (opts.blocks && !opts.blocks.includes(block))) {
      block = fallback;
      text = `${path.join('.') || 'request'}: ${msg}`;
    }
    out[block] = out[block] ? `${out[block]} · ${text}` : text;
  }
  return out;
}
