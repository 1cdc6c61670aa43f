/**
 * The deploy modal's type-specific inputs: a container's image, ports, environment, registry
 * credentials and location; a VM or bare-metal machine's SSH key and OS image. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { PlanOffer } from '../../fluence/model';
import { RESERVED_SSH_ENV } from '../../fluence/rules';
import type { DefaultImage } from '../../fluence/schemas';
import {
  ANY_LOCATION, CUSTOM_PRESET, keyedActionId, osOptionValue, type DeployFormValues,
} from '../../services/deploy-form';
import type { KeySources } from '../../services/ssh-key-choice';
import { ACTION, BLOCK } from '../ids';
import { option, plain, section, textInput } from './modal-blocks';
import { sshKeyBlocks } from './ssh-key-fields';
import { fitItems } from './truncate';

/** A static select holds at most 100 options (Block Kit select menu element). */
const MAX_OPTIONS = 100;

function presetOf(images: readonly DefaultImage[], values: DeployFormValues): DefaultImage | undefined {
  if (values.imagePreset === CUSTOM_PRESET) return undefined;
  return images.find((i) => i.slug === values.imagePreset) ?? (values.imagePreset ? undefined : images[0]);
}

/** Container inputs; `images` are the default-image presets (GET /gpu/default-images/). */
export function containerBlocks(images: readonly DefaultImage[], offer: PlanOffer | undefined, values: DeployFormValues, keys: KeySources): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const preset = presetOf(images, values);
  const presetKey = images.length ? (preset?.slug ?? CUSTOM_PRESET) : undefined;
  const presetAction = keyedActionId(presetKey);
  if (images.length) {
    // 99 presets + "Custom image"; the preset in use always stays selectable
    const presets = fitItems(images, MAX_OPTIONS - 1, (i) => i.slug === presetKey);
    const options = [...presets.shown.map((i) => option(i.name, i.slug)), option('Custom image', CUSTOM_PRESET)];
    blocks.push({
      type: 'input',
      block_id: BLOCK.imagePreset,
      dispatch_action: true,
      optional: true,
      label: plain('Image preset'),
      element: {
        type: 'static_select',
        action_id: ACTION.deployImagePreset,
        options,
        initial_option: options.find((o) => o.value === presetKey) ?? options[options.length - 1],
      },
      hint: plain(
        'Picking a preset fills in the image, ports, environment and startup command.' +
          (presets.hidden ? ` Showing ${presets.shown.length} of ${images.length} presets: /gpu images lists them all.` : ''),
      ),
    });
  }
  const presetPorts = preset?.expose.map((p) => `${p.port}/${p.protocol ?? 'tcp'}`).join(', ');
  const presetEnv = preset?.environment.map((e) => `${e.name}=${e.value}`).join('\n');
  blocks.push(
    textInput({
      block: BLOCK.image, action: presetAction, label: 'Image', initial: values.image ?? preset?.image,
      placeholder: 'docker.io/fluencelabs/debian-ssh-root:11', hint: 'Lowercase, at most 255 characters. Public, or private on docker.io / ghcr.io with credentials below.',
    }),
    textInput({
      block: BLOCK.ports, action: presetAction, label: 'Ports', initial: values.ports ?? presetPorts,
      placeholder: '22/tcp, 80/http, 8000',
      hint: '1–10 ports, separated by commas or spaces. Protocol tcp (default), udp, or http (port 80 only). Ports cannot change after deploy.',
    }),
    textInput({
      block: BLOCK.env, action: presetAction, label: 'Environment', initial: values.env ?? (presetEnv || undefined),
      optional: true, multiline: true, placeholder: 'MODEL_PATH=/models/llama',
      hint: 'One NAME=value per line (NAME: uppercase letters, digits, _). At most 64. Mark a secret with NAME=!value: it is masked in every message and log and never shown again (tokens and *_TOKEN, *_PASSWORD, *_KEY values are treated as secrets anyway).' +
        (values.kept?.env ? ' A line NAME=! keeps the secret value you typed before.' : ''),
    }),
    textInput({
      block: BLOCK.startup, action: presetAction, label: 'Startup command', initial: values.startup ?? preset?.startup_command ?? undefined,
      optional: true, multiline: true, placeholder: 'python3 serve.py --port 8000',
      hint: 'Runs as the container entrypoint (a bash script, at most 2048 characters). Empty: the image\'s own entrypoint.',
    }),
    textInput({
      block: BLOCK.registryUser, label: 'Registry credentials', initial: values.registryUser, optional: true,
      placeholder: 'username', hint: 'Only for a private image on docker.io or ghcr.io. Leave empty for a public image.',
    }),
    textInput({
      block: BLOCK.registryPassword, label: 'Registry password or token', optional: true,
      placeholder: values.kept?.registryPassword ? 'kept from before: leave empty to use it' : 'password or access token',
      hint: 'Slack has no password field: this value is never shown again and is masked everywhere the bot writes.',
    }),
  );
  const locations = fitItems(offer?.locations ?? [], MAX_OPTIONS - 1, (l) => l === values.location);
  const locationOptions = [...locations.shown.map((l) => option(l, l)), option('Any location', ANY_LOCATION)];
  blocks.push({
    type: 'input',
    block_id: BLOCK.location,
    optional: true,
    label: plain('Location'),
    element: {
      type: 'static_select',
      action_id: keyedActionId(offer?.planId),
      options: locationOptions,
      initial_option: locationOptions.find((o) => o.value === values.location) ?? locationOptions[locationOptions.length - 1],
    },
    hint: plain(
      'Country the container runs in. Any location lets Fluence choose.' +
        (locations.hidden ? ` Showing ${locations.shown.length} of ${offer?.locations.length} locations.` : ''),
    ),
  });
  blocks.push(...sshKeyBlocks({
    keys,
    mode: { form: 'deploy', required: Boolean(preset?.requires_ssh) },
    values: keyValues(values),
    paste: {
      label: 'SSH public key',
      optional: !preset?.requires_ssh,
      hint: `${preset?.requires_ssh ? 'This image needs a key to let you in. ' : ''}One OpenSSH public key (the .pub file). Do not also set ${RESERVED_SSH_ENV} in the environment.`,
    },
  }));
  return blocks;
}

function keyValues(values: DeployFormValues) {
  return { sshKeyChoice: values.sshKeyChoice, rememberKey: values.rememberKey, keptKey: values.kept?.sshKey, privateKeyDropped: values.privateKeyDropped };
}

/** VM and bare-metal inputs: the SSH key and the plan's OS images. */
export function machineBlocks(offer: PlanOffer | undefined, values: DeployFormValues, keys: KeySources): KnownBlock[] {
  const blocks: KnownBlock[] = sshKeyBlocks({
    keys,
    mode: { form: 'deploy', required: true },
    values: keyValues(values),
    paste: { label: 'SSH public key', optional: false, hint: 'Required: the only way into the machine. One OpenSSH public key (the .pub file).' },
  });
  const os = offer?.osOptions ?? [];
  if (offer && os.length) {
    const shown = fitItems(os, MAX_OPTIONS, (o) => osOptionValue(os, o) === values.osImage);
    const options = shown.shown.map((o) => option(o, osOptionValue(os, o)));
    blocks.push({
      type: 'input',
      block_id: BLOCK.osImage,
      label: plain('OS image'),
      element: {
        type: 'static_select',
        action_id: keyedActionId(offer.planId),
        options,
        initial_option: options.find((o) => o.value === values.osImage) ?? options[0],
      },
      ...(shown.hidden ? { hint: plain(`Showing ${options.length} of ${os.length} OS images offered with this plan.`) } : {}),
    });
  } else {
    blocks.push(section(offer ? '⚠️ This plan lists no OS images. Pick another plan.' : '_Pick a plan to see its OS images._'));
  }
  return blocks;
}

/**
 * Where a deploy from the shortcut is announced: channels only (public or private; a DM has no
 * admins to approve, nor a team to tell). Picking one re-renders the form with that channel's
 * lease menu; the bot checks at submit that it and the user are both members.
 */
export function channelPicker(initial: string | undefined): KnownBlock {
  return {
    type: 'input',
    block_id: BLOCK.channel,
    dispatch_action: true,
    label: plain('Announce in'),
    element: {
      type: 'conversations_select',
      action_id: ACTION.deployChannel,
      placeholder: plain('Pick a channel'),
      filter: { include: ['public', 'private'], exclude_bot_users: true },
      ...(initial && /^[CG][A-Z0-9_]+$/.test(initial) ? { initial_conversation: initial } : {}),
    },
    hint: plain("The deploy is announced there and its thread lives there. Your role, the channel's budget and its lease policy there apply; invite me first if I am not in it."),
  };
}
