/** `/gpu images`: the ready-made container images Fluence offers, as a reference for the deploy form. */
import type { KnownBlock } from '@slack/types';
import type { DefaultImage } from '../../fluence/schemas';
import { codeSpan, escapeClamp } from './format';
import { LIMITS, context, header, message, section, type MessageView } from './blocks';

/** Header + footer leave room for this many images in one message. */
const MAX_IMAGES = LIMITS.blocksPerMessage - 3;

export function imageLine(img: DefaultImage): string {
  const lines = [`*${escapeClamp(img.name, 150)}* ${codeSpan(img.slug, 100)}`];
  if (img.description) lines.push(escapeClamp(img.description, 600));
  lines.push(`Image: ${codeSpan(img.image, 300)}`);
  const details: string[] = [];
  if (img.expose.length) details.push(`ports ${escapeClamp(img.expose.map((p) => `${p.port}/${p.protocol ?? 'tcp'}`).join(', '), 300)}`);
  // Names only: default values may still be credentials-like (tokens, passwords), and names suffice.
  if (img.environment.length) details.push(`env ${escapeClamp(img.environment.map((e) => e.name).join(', '), 300)}`);
  if (img.startup_command) details.push(`runs ${codeSpan(img.startup_command, 300)}`);
  if (img.requires_ssh) details.push('needs an SSH key');
  if (details.length) lines.push(details.join(' · '));
  return lines.join('\n');
}

export function renderImages(images: DefaultImage[]): MessageView {
  const blocks: KnownBlock[] = [header('Container images')];
  if (images.length === 0) {
    blocks.push(section('Fluence lists no ready-made images right now. You can still deploy any public image with `/gpu deploy`.'));
    return message('No ready-made container images right now.', blocks);
  }
  for (const img of images.slice(0, MAX_IMAGES)) blocks.push(section(imageLine(img)));
  const more = images.length - MAX_IMAGES;
  blocks.push(
    context(`${more > 0 ? `…and ${more} more. ` : ''}Pick one in \`/gpu deploy\`, or type any public image there.`),
  );
  return message(`${images.length} ready-made container images.`, blocks);
}
