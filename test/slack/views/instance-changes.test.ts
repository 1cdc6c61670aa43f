/** Refusals, terminate explanations and the update/rename helper modals, as a user reads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModalView } from '@slack/types';
import { containerDetail } from '../../../src/fluence/model';
import { ContainerDetailSchema } from '../../../src/fluence/schemas';
import { BLOCK, VIEW } from '../../../src/slack/ids';
import { message, section } from '../../../src/slack/views/blocks';
import {
  channelOfMeta, notTerminableText, onlyRenameText, refusalNote, refusalText, renamedText, renderChangeLoading,
  renderChangeNotice, renderChangeProgress, renderUpdateWithError, withChannel, withTerminatedNote,
} from '../../../src/slack/views/instance-changes';
import { parseInstanceMeta } from '../../../src/slack/views/update-modal';

const EXAMPLES = join(__dirname, '../../../../shared/fluence/examples');
const instance = containerDetail(
  ContainerDetailSchema.parse(JSON.parse(readFileSync(join(EXAMPLES, 'instance-container-active.response.json'), 'utf8'))),
);

function titlesFit(v: ModalView) {
  for (const t of [v.title, v.submit, v.close]) if (t) expect(t.text.length).toBeLessThanOrEqual(24);
}

describe('refusals', () => {
  it('say why, which role is needed and whom to ask', () => {
    const text = refusalText({ reason: "Deployers may only terminate instances they deployed; this one is someone else's.", needs: 'admin', admins: ['UADMIN1', 'UADMIN2'] });
    expect(text).toMatch(/^⛔ Deployers may only terminate/);
    expect(text).toContain('needs the *admin* role');
    expect(text).toContain('<@UADMIN1> or <@UADMIN2>');
  });

  it('say so when no admin is configured, and never let a reason inject a mention', () => {
    const text = refusalText({ reason: 'no <!channel>', needs: 'deployer', admins: [] });
    expect(text).toContain('GPU_BOT_ADMINS');
    expect(text).not.toContain('<!channel>');
  });

  it('have a plain-words variant for the card note', () => {
    expect(refusalNote({ reason: 'You need the deployer role.', needs: 'deployer', admins: ['UADMIN1'] })).toBe(
      'You need the deployer role. Terminating it needs the deployer role.',
    );
  });
});

describe('terminate texts', () => {
  it('explain each state that cannot be terminated', () => {
    expect(notTerminableText({ name: 'web', status: 'ENDED', state: 'ended' })).toMatch(/already ended/);
    expect(notTerminableText({ name: 'web', status: 'FAILED', state: 'failed' })).toMatch(/refunded/);
    expect(notTerminableText({ name: 'web', status: 'INITIALIZED', state: 'provisioning' })).toMatch(/only ACTIVE instances.*INITIALIZED|INITIALIZED.*only ACTIVE/s);
  });

  it('add the refund note under the card, keeping its blocks', () => {
    const card = message('web', [section('card body')]);
    const out = withTerminatedNote(card, 'UALICE1');
    expect(out.blocks).toHaveLength(2);
    expect(JSON.stringify(out.blocks[1])).toMatch(/Terminated by <@UALICE1>.*refunded/);
  });
});

describe('update / rename modals', () => {
  it('loading, notice and progress modals fit Slack limits and cannot be submitted', () => {
    for (const v of [renderChangeLoading('update', 'web-0'), renderChangeNotice('rename', 'x'), renderChangeProgress('update', 'web-0')]) {
      titlesFit(v);
      expect(v.submit).toBeUndefined();
    }
    expect(renderChangeLoading('rename', 'box').callback_id).toBe(VIEW.rename);
  });

  it('the form with an error keeps the form, its metadata and shows the error first', () => {
    const v = renderUpdateWithError({ instance, requestId: 'req-9', error: 'A previous update is still being applied.' });
    titlesFit(v);
    expect(v.callback_id).toBe(VIEW.update);
    expect(JSON.stringify(v.blocks[0])).toContain('A previous update is still being applied.');
    expect(v.blocks.some((b) => b.block_id === BLOCK.image)).toBe(true);
    expect(parseInstanceMeta(v.private_metadata ?? '')).toMatchObject({ instanceId: instance.id, requestId: 'req-9' });
  });

  it('carries the channel in the metadata without breaking the shared metadata parser', () => {
    const v = withChannel(renderUpdateWithError({ instance, requestId: 'req-1', error: 'x' }), 'C0123ABC');
    expect(channelOfMeta(v.private_metadata)).toBe('C0123ABC');
    expect(parseInstanceMeta(v.private_metadata ?? '')).toMatchObject({ instanceId: instance.id, type: 'container' });
    expect(channelOfMeta('not json')).toBeUndefined();
    expect(channelOfMeta(JSON.stringify({ channelId: '<!here>' }))).toBeUndefined();
  });

  it('tells VM users to rename, and says when a rename restarts a container', () => {
    // Slack shows &lt;new-name&gt; as <new-name>
    expect(onlyRenameText({ name: 'box', type: 'vm' })).toContain('/gpu rename box &lt;new-name&gt;');
    expect(renamedText({ type: 'container', oldName: 'a', newName: 'b' })).toMatch(/restarts/);
    expect(renamedText({ type: 'vm', oldName: 'a', newName: 'b' })).not.toMatch(/restarts/);
  });
});
