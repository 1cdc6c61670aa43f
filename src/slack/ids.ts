/**
 * Every action, view and block id, shared by the view builders that emit them, the listeners that
 * bind them and the tests that click them. Changing one here changes it everywhere.
 */

export const COMMAND = '/gpu';

/** Global shortcut callback ids (manifest.yml `features.shortcuts`). */
export const SHORTCUT = {
  /** "Deploy a GPU": the deploy form with a channel picker (issue 12 §4). */
  deploy: 'deploy_gpu',
} as const;

/** Button / select `action_id`s. */
export const ACTION = {
  /** Help buttons */
  helpPlans: 'help_plans',
  helpDeploy: 'help_deploy',
  helpList: 'help_list',
  /** Plan list: Deploy button per plan (value = encodePlanRef) and paging (value = encoded query) */
  deployPlan: 'plan_deploy',
  plansPage: 'plans_page',
  /** Instance card / list */
  openInstance: 'instance_open',
  refresh: 'instance_refresh',
  logs: 'instance_logs',
  events: 'instance_events',
  update: 'instance_update',
  rename: 'instance_rename',
  terminate: 'instance_terminate',
  /** Terminate on a message listing several instances (the digest): the answer does not replace it. */
  terminateInPlace: 'instance_terminate_keep',
  /** Deploy modal: interactive selects that re-render the modal */
  deployType: 'deploy_type',
  deployPlanSelect: 'deploy_plan',
  deployImagePreset: 'deploy_image_preset',
  /** The channel picker of a deploy form opened from the shortcut (re-renders the lease menu). */
  deployChannel: 'deploy_channel',
  /** App Home "Deploy": the deploy form with the shortcut's channel picker (issue 12 §1) */
  homeDeploy: 'home_deploy',
  /** `/gpu key`: opens the key modal */
  sshKeySet: 'ssh_key_set',
  /** Plan alerts: Deploy on a match (value = encodeAlertDeploy), Renew and Remove (value = alert id) */
  alertDeploy: 'plan_alert_deploy',
  alertRenew: 'plan_alert_renew',
  alertRemove: 'plan_alert_remove',
  /** Approval request message */
  approve: 'approval_approve',
  deny: 'approval_deny',
  /** Lease reminder: extend from the reminded end (value = encodeLeaseRef) */
  leaseExtend2h: 'lease_extend_2h',
  leaseExtend8h: 'lease_extend_8h',
} as const;

/** Modal `callback_id`s. */
export const VIEW = {
  deploy: 'deploy_modal',
  update: 'update_modal',
  rename: 'rename_modal',
  /** `/gpu key set`: save your SSH public key. */
  sshKey: 'ssh_key_modal',
} as const;

/**
 * `block_id`s of the deploy/update modal inputs, and the one `action_id` inside each: defined with the
 * form rules that read them (services/form-ids.ts), so the services need nothing from src/slack.
 */
export { BLOCK, INPUT_ACTION, type BlockId } from '../services/form-ids';

/**
 * The deploy form's lease select. Not an ACTION (nothing listens: it is read at submit); its own id
 * rather than INPUT_ACTION because it is a select among text inputs.
 */
export const LEASE_SELECT_ACTION = 'deploy_lease';

export type ActionId = (typeof ACTION)[keyof typeof ACTION];
