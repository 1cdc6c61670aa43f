/**
 * Every view with text from outside in every field it shows (issue 10 §3): instance names, image
 * names, ssh_connection, domains and URIs, statuses, Fluence's detail and issue messages, log and
 * event lines. Hostile bodies go through the real schemas and model, as the client would read them;
 * nothing may reach Slack able to mention (`<!channel>`, `<@U…>`) or link (`<https://…|…>`).
 */
import { containerDetail, containerSummary, vmDetail } from '../../../src/fluence/model';
import { ContainerDetailSchema, ContainerListItemSchema, DefaultImagesSchema, VmDetailSchema } from '../../../src/fluence/schemas';
import { FluenceError } from '../../../src/fluence/errors';
import { renderInstanceCard } from '../../../src/slack/views/card';
import { renderFluenceError } from '../../../src/slack/views/errors';
import { auditLine, renderApprovalRequest, renderAudit } from '../../../src/slack/views/guardrails';
import { renderImages } from '../../../src/slack/views/images';
import {
  notTerminableText, notUpdatableText, onlyRenameText, renamedText, renderChangeProgress, updatedText,
} from '../../../src/slack/views/instance-changes';
import { renderInstanceList } from '../../../src/slack/views/instances';
import { renderLines } from '../../../src/slack/views/lines';
import { renderInstanceStatusMessage } from '../../../src/slack/views/status-message';
import {
  renderEndedReply, renderFailedReply, renderGaveUpReply, renderNotStartedReply, renderReadyReply, renderSlowReply,
} from '../../../src/slack/views/watch-replies';
import { renderDeploySubmitted } from '../../../src/slack/views/deploy-modal';
import { mrkdwnTexts } from '../../support/blockkit';
import { NOW, containerOffers, example } from './fixtures';

const H = '<!channel> <https://evil.example|console> <@U0EVIL> & `tick`';
/** What must never appear raw: a broadcast, a user mention, a forged link. */
const RAW = ['<!channel>', '<https://evil.example', '<@U0EVIL>'];

/** The texts Slack parses as mrkdwn: mrkdwn objects and a message's notification text (plain_text is shown as typed). */
function parsedTexts(rendered: unknown): string {
  if (typeof rendered === 'string') return rendered;
  const top = (rendered as { text?: unknown }).text;
  return [...(typeof top === 'string' ? [top] : []), ...mrkdwnTexts(rendered)].join('\n');
}

function expectEscaped(what: string, rendered: unknown): void {
  const text = parsedTexts(rendered);
  for (const raw of RAW) {
    const at = text.indexOf(raw);
    expect({ what, raw, around: at < 0 ? null : text.slice(Math.max(0, at - 80), at + 40) }).toEqual({ what, raw, around: null });
  }
}

const hostileContainer = () => {
  const body = example('instance-container-active.response.json') as any;
  body.name = H;
  body.container_status = H;
  body.location = H;
  body.container_info.image = H;
  body.container_info.startup_command = H;
  body.container_info.environment = [{ name: H, value: H }];
  body.network.domain = H;
  body.network.uri = `http://x/${H}`;
  return containerDetail(ContainerDetailSchema.parse(body));
};
const hostileVm = () => {
  const body = example('instance-vm-active.response.json') as any;
  body.name = H;
  body.os_image = H;
  body.ssh_connection = `ssh ${H}`;
  body.network.domain = H;
  return vmDetail('vm', VmDetailSchema.parse(body));
};
const base = { name: H, type: 'container' as const, requesterId: 'U1', sandbox: false };

test('instance card, list and status message', () => {
  for (const instance of [hostileContainer(), hostileVm()]) {
    expectEscaped('card', renderInstanceCard({ instance, now: NOW, sandbox: false, showPrivate: true } as any));
  }
  const item = example('instance-container-active.response.json') as any;
  const summary = containerSummary(ContainerListItemSchema.parse({ ...item, name: H, instance_status: H, location: H, network: { ...item.network, domain: H } }));
  expectEscaped('list', renderInstanceList({ instances: [summary], all: true, hiddenEnded: 0, now: NOW }));
  expectEscaped('status message', renderInstanceStatusMessage({ ...base, planLabel: H, pricePerHour: 1, status: H, state: 'provisioning', updatedAt: 0 }));
});

test('watch replies: ready (ssh, ports, uri), failed, ended, slow, not started, gave up', () => {
  const connection = { ssh: `ssh ${H}`, sshHint: H, host: H, uri: `http://${H}`, ports: [{ port: H, externalPort: H, protocol: H, endpoint: H }] };
  expectEscaped('ready', renderReadyReply({ ...base, connection, pricePerHour: 1, provisionedMs: 1000 } as any));
  expectEscaped('failed', renderFailedReply({ ...base, instanceId: H, status: H, lines: { events: [H], logs: [H] } }));
  expectEscaped('failed, lines withheld', renderFailedReply({ ...base, instanceId: H, status: H, lines: 'withheld' }));
  expectEscaped('ended', renderEndedReply(base));
  expectEscaped('slow', renderSlowReply({ ...base, instanceId: H, elapsedMs: 1, hardLimitMs: 2 } as any));
  expectEscaped('not started', renderNotStartedReply({ ...base, instanceId: H, notStartedMs: 1, containerStatus: H, lines: { events: [H], logs: [H] } }));
  expectEscaped('not started, lines withheld', renderNotStartedReply({ ...base, instanceId: H, notStartedMs: 1, containerStatus: H, lines: 'withheld' }));
  expectEscaped('gave up', renderGaveUpReply({ ...base, elapsedMs: 1, lastStatus: H, missing: false } as any));
});

test('logs and events, inside code blocks too', () => {
  expectEscaped('logs', renderLines({ title: 'Logs', instanceName: H, kind: 'logs', lines: [H, `\`\`\`${H}`], requested: 5 }));
  expectEscaped('events', renderLines({ title: 'Events', instanceName: H, kind: 'events', lines: [H], requested: 5 }));
});

test("Fluence's words: a 400 detail, 422 issues, an unexpected field", () => {
  expectEscaped('400', renderFluenceError(new FluenceError('business', H, { detail: H }), { action: 'deploy' }));
  expectEscaped('422', renderFluenceError(new FluenceError('validation', H, { issues: [{ loc: ['body', H], msg: H, type: 'x' }] } as any), { action: 'deploy' }));
  expectEscaped('bad response', renderFluenceError(new FluenceError('bad_response', H, { field: H } as any), { action: 'deploy' }));
});

test('audit (command and channel line), approval request, default images, change texts, deploy progress', () => {
  const entry = { id: 1, at: 0, actorId: 'U1', channelId: 'C1', action: 'deploy' as const, instanceId: H, instanceName: H, type: 'container' as const, pricePerHour: 1, outcome: 'error' as const, detail: `Fluence said: ${H}` };
  expectEscaped('audit', renderAudit([entry], 1));
  expectEscaped('audit channel line', auditLine(entry));
  expectEscaped('approval', renderApprovalRequest({ id: 'a', requesterId: 'U1', name: H, type: 'container', planLabel: H, pricePerHour: 1, reasons: [H], expiresAt: 0, sandbox: false }));
  const images = DefaultImagesSchema.parse([{ name: H, slug: 'x', image: H, expose: [{ port: '22', protocol: 'tcp' }], environment: [], startup_command: H, requires_ssh: false, description: H }]);
  expectEscaped('images', renderImages(images));
  expectEscaped('not terminable', notTerminableText({ name: H, status: H, state: 'ended' }));
  expectEscaped('only rename', onlyRenameText({ name: H, type: 'vm' }));
  expectEscaped('not updatable', notUpdatableText({ name: H, status: H }));
  expectEscaped('updated', updatedText({ oldName: H, newName: H }));
  expectEscaped('renamed', renamedText({ type: 'vm', oldName: H, newName: H }));
  expectEscaped('change progress', renderChangeProgress('update', H));
  expectEscaped('deploy submitted', renderDeploySubmitted({ name: H, type: 'container', offer: containerOffers()[0]!, sandbox: false }));
});
