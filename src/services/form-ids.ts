/**
 * The deploy and update forms' field ids. The form rules (deploy-form.ts, update-form.ts) read the
 * submitted state and key their errors by them; the modal views emit them as Block Kit `block_id`s
 * (re-exported by src/slack/ids.ts as BLOCK), and `response_action: errors` is keyed by these, so an
 * error on a field (local or an API 422 `loc`) shows under that field (BOLT.md pitfall 3).
 */
export const BLOCK = {
  type: 'type',
  plan: 'plan',
  name: 'name',
  imagePreset: 'image_preset',
  image: 'image',
  ports: 'ports',
  env: 'env',
  startup: 'startup',
  registryUser: 'registry_user',
  registryPassword: 'registry_password',
  location: 'location',
  sshKey: 'ssh_key',
  /** The key select (saved key, account keys, paste another) and "remember this key" (issue 12 §2). */
  sshKeyChoice: 'ssh_key_choice',
  sshKeyRemember: 'ssh_key_remember',
  osImage: 'os_image',
  /** Where a deploy from the shortcut is announced (conversations_select). */
  channel: 'channel',
  /** How long the instance may run (issue 11 leases). */
  lease: 'lease',
  cost: 'cost',
} as const;

/** The single `action_id` used inside each input block (the block id already tells which field it is). */
export const INPUT_ACTION = 'value';

export type BlockId = (typeof BLOCK)[keyof typeof BLOCK];
