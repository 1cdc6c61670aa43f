/**
 * Asserts a message's blocks are within Slack's Block Kit limits (../shared/slack/BOLT.md §5),
 * walking every block, text object, button and confirm dialog. Throws with the path of the first
 * violation so a failing test says exactly what Slack would have rejected.
 */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function textOf(t: unknown, path: string): string {
  if (!isObj(t) || typeof t.text !== 'string') throw new Error(`${path}: expected a text object, got ${JSON.stringify(t)}`);
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') throw new Error(`${path}: text type must be plain_text or mrkdwn`);
  return t.text;
}

function max(path: string, s: string, n: number, min = 0): void {
  if (s.length > n) throw new Error(`${path}: ${s.length} chars > ${n}`);
  if (s.length < min) throw new Error(`${path}: ${s.length} chars < ${min}`);
}

function checkConfirm(c: unknown, path: string): void {
  if (!isObj(c)) throw new Error(`${path}: confirm must be an object`);
  const title = textOf(c.title, `${path}.title`);
  if (!isObj(c.title) || c.title.type !== 'plain_text') throw new Error(`${path}.title must be plain_text`);
  max(`${path}.title`, title, 100, 1);
  max(`${path}.text`, textOf(c.text, `${path}.text`), 300, 1);
  max(`${path}.confirm`, textOf(c.confirm, `${path}.confirm`), 30, 1);
  max(`${path}.deny`, textOf(c.deny, `${path}.deny`), 30, 1);
}

function checkElement(e: unknown, path: string): void {
  if (!isObj(e)) throw new Error(`${path}: element must be an object`);
  if (typeof e.action_id === 'string') max(`${path}.action_id`, e.action_id, 255, 1);
  if (e.type === 'button') {
    if (typeof e.action_id !== 'string') throw new Error(`${path}: button without action_id`);
    max(`${path}.text`, textOf(e.text, `${path}.text`), 75, 1);
    if (e.value !== undefined) max(`${path}.value`, String(e.value), 2000);
    if (e.url !== undefined) max(`${path}.url`, String(e.url), 3000);
  }
  if (e.confirm !== undefined) checkConfirm(e.confirm, `${path}.confirm`);
  if (Array.isArray(e.options)) {
    if (e.options.length > 100) throw new Error(`${path}.options: ${e.options.length} > 100`);
    e.options.forEach((o, i) => {
      if (!isObj(o)) throw new Error(`${path}.options[${i}] must be an object`);
      max(`${path}.options[${i}].text`, textOf(o.text, `${path}.options[${i}].text`), 75, 1);
      max(`${path}.options[${i}].value`, String(o.value), 75, 1);
    });
  }
}

export function assertBlockKitLimits(blocks: unknown[], maxBlocks = 50): void {
  if (blocks.length > maxBlocks) throw new Error(`${blocks.length} blocks > ${maxBlocks}`);
  blocks.forEach((b, i) => {
    const path = `blocks[${i}]`;
    if (!isObj(b)) throw new Error(`${path}: not an object`);
    if (typeof b.block_id === 'string') max(`${path}.block_id`, b.block_id, 255, 1);
    switch (b.type) {
      case 'header':
        max(`${path}.text`, textOf(b.text, `${path}.text`), 150, 1);
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) throw new Error(`${path}: section needs text or fields`);
        if (b.text !== undefined) max(`${path}.text`, textOf(b.text, `${path}.text`), 3000, 1);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length > 10) throw new Error(`${path}.fields: more than 10`);
          b.fields.forEach((f, j) => max(`${path}.fields[${j}]`, textOf(f, `${path}.fields[${j}]`), 2000, 1));
        }
        if (b.accessory !== undefined) checkElement(b.accessory, `${path}.accessory`);
        break;
      }
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 10) {
          throw new Error(`${path}.elements: must hold 1–10 elements`);
        }
        b.elements.forEach((e, j) => {
          if (isObj(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) max(`${path}.elements[${j}]`, textOf(e, `${path}.elements[${j}]`), 3000, 1);
        });
        break;
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 25) {
          throw new Error(`${path}.elements: must hold 1–25 elements`);
        }
        const ids = new Set<string>();
        b.elements.forEach((e, j) => {
          checkElement(e, `${path}.elements[${j}]`);
          const id = isObj(e) ? String(e.action_id) : '';
          if (ids.has(id)) throw new Error(`${path}: duplicate action_id ${id} in one block`);
          ids.add(id);
        });
        break;
      }
      case 'divider':
        break;
      default:
        throw new Error(`${path}: unexpected block type ${String(b.type)}`);
    }
  });
}

/** Every mrkdwn string in the blocks (what Slack parses for mentions and links). */
export function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (!isObj(node)) return [];
  const own = node.type === 'mrkdwn' && typeof node.text === 'string' ? [node.text] : [];
  return [...own, ...Object.values(node).flatMap(mrkdwnTexts)];
}
