/** The local Slack stand-in (Web API + response URLs) and a user that sends signed requests to the bot. */
export {
  describeRejection,
  startSlackStandin,
  type BlockKitRejection,
  type FailAnswer,
  type RecordedCall,
  type ResponseOrigin,
  type SlackStandin,
  type SlackStandinOptions,
  type StoredMessage,
} from './slack-web-api';
export type { ChannelInput, StandinChannel } from './channels';
export { SlackUser, signSlackRequest, type AckResult, type SlackUserOptions } from './slack-user';
export {
  BLOCK_KIT_LIMITS,
  checkMessage,
  checkView,
  describeViolation,
  validateBlocks,
  type BlockKitRefusal,
  type BlockKitViolation,
  type Surface,
} from './block-kit-limits';
