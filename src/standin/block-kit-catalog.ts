/**
 * Slack's Block Kit numbers and catalogues: the size limits, which blocks each surface accepts, which
 * elements each block accepts. The sources ([blocks], [elements], [objects], [views], [chat], [§5]) are
 * listed at the top of block-kit-limits.ts, which checks payloads against them.
 */

export type Surface = 'message' | 'modal' | 'home';

export const BLOCK_KIT_LIMITS = {
  /** [blocks] "up to 50 blocks in each message, and 100 blocks in modals or Home tabs" */
  messageBlocks: 50,
  viewBlocks: 100,
  /** [chat] "messages containing more than 40,000 characters" are refused/truncated: msg_too_long */
  messageText: 40_000,
  /** [objects] text object: "minimum 1 and maximum 3000 characters" */
  text: 3000,
  /** [blocks] section-block: fields "Maximum number of items is 10. Maximum length for the text in each item is 2000" */
  sectionFields: 10,
  sectionField: 2000,
  /** [blocks] header-block: "Maximum length for the text in this field is 150 characters" */
  header: 150,
  /** [blocks] context-block: "Maximum number of items is 10" */
  contextElements: 10,
  /** [blocks] actions-block: "There is a maximum of 25 elements in each action block" */
  actionsElements: 25,
  /** [blocks] input-block: label and hint "Maximum length ... 2000 characters" */
  label: 2000,
  hint: 2000,
  /** [blocks] every block: block_id "Maximum length for this field is 255 characters" */
  blockId: 255,
  /** [elements] every interactive element: action_id "Maximum length is 255 characters" */
  actionId: 255,
  /** [elements] button-element: text 75, value 2000, url 3000 */
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  /** [elements] select menus, inputs: placeholder "Maximum length ... 150 characters" */
  placeholder: 150,
  /** [elements] static select: "Maximum number of options is 100" (also option_groups, and options per group) */
  selectOptions: 100,
  /** [elements] overflow-menu-element: "Minimum number of options is 1, maximum is 5" */
  overflowOptions: 5,
  /** [elements] checkboxes / radio-button-group: "Maximum number of options is 10" */
  choiceOptions: 10,
  /** [objects] option-object: text and description 75 characters; url 3000 */
  optionText: 75,
  /**
   * [objects] option-object: value "Maximum length ... 150 characters". @slack/types' JSDoc says 75
   * (BOLT.md §5 notes the disagreement): the documented 150 is what Slack enforces here.
   */
  optionValue: 150,
  /** [objects] option-group-object: label 75 characters */
  optionGroupLabel: 75,
  /** [objects] confirmation-dialog-object: title 100, text 300, confirm 30, deny 30 */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** [elements] plain-text-input-element: min_length 0..3000, max_length 1..3000 */
  inputLength: 3000,
  /** [elements] image-element / [blocks] image-block: alt_text 2000, image_url 3000 */
  altText: 2000,
  /** [views] title, submit and close: "Max length of 24 characters" */
  viewTitle: 24,
  /** [views] private_metadata "Max length of 3000 characters"; callback_id and external_id 255 */
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
  /** [views] views.open/update/push: "view_too_large" above 250 kB of view JSON */
  viewBytes: 250_000,
  /** [blocks] markdown-block: "cumulative limit of 12,000 characters" */
  markdownBlock: 12_000,
} as const;


/** [blocks] "Available in surfaces" on each block's page. */
export const BLOCKS_BY_SURFACE: Record<Surface, ReadonlySet<string>> = {
  message: new Set(['actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'table', 'video']),
  modal: new Set(['actions', 'context', 'divider', 'header', 'image', 'input', 'rich_text', 'section', 'video']),
  home: new Set(['actions', 'context', 'divider', 'header', 'image', 'input', 'rich_text', 'section', 'video']),
};

const SELECTS = ['static_select', 'external_select', 'users_select', 'conversations_select', 'channels_select'];
const MULTI_SELECTS = SELECTS.map((s) => `multi_${s}`);
/** [blocks] actions-block "elements": the interactive elements it accepts. */
export const ACTIONS_ELEMENTS = new Set(['button', 'checkboxes', 'datepicker', 'datetimepicker', 'overflow', 'radio_buttons', 'rich_text_input', 'timepicker', 'workflow_button', ...SELECTS, ...MULTI_SELECTS]);
/** [blocks] section-block "accessory": the elements it accepts. */
export const ACCESSORY_ELEMENTS = new Set(['button', 'checkboxes', 'datepicker', 'image', 'overflow', 'radio_buttons', 'timepicker', 'workflow_button', ...SELECTS, ...MULTI_SELECTS]);
/** [blocks] input-block "element": the input elements it accepts. */
export const INPUT_ELEMENTS = new Set(['checkboxes', 'datepicker', 'datetimepicker', 'email_text_input', 'file_input', 'number_input', 'plain_text_input', 'radio_buttons', 'rich_text_input', 'timepicker', 'url_text_input', ...SELECTS, ...MULTI_SELECTS]);
