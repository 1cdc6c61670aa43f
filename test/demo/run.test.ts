/**
 * The offline demo end to end, in-process: the whole session through signed Slack requests, with a
 * short provisioning delay so the watcher's replies arrive within a second or two.
 */
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config';
import { runDemo } from '../../src/demo/run';

jest.setTimeout(30_000);

it('plays the whole session, prints what a user sees and ends with an all-ok summary', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += String(c)));
  // a Fluence key in the environment must not make the demo touch the real cloud
  const config = loadConfig({ FLUENCE_API_KEY: 'real-key-must-be-ignored', LOG_LEVEL: 'info' });
  const summary = await runDemo({ config, out, provisioningDelayMs: 300, watchIntervalMs: 100 });

  expect(summary.steps.filter((s) => !s.ok)).toEqual([]);
  expect(summary.ok).toBe(true);
  expect(summary.steps.map((s) => s.name)).toEqual([
    'start stand-in + bot',
    '/gpu help',
    '/gpu plans',
    '/gpu plans vms h100',
    'deploy a container',
    '/gpu key set',
    'deploy a VM',
    'deploy a crash-looping container',
    'watcher: ready replies',
    'watcher: not-started diagnostics',
    'plan alert: a price drop, Deploy preselected',
    '/gpu list',
    '/gpu status',
    'App Home tab',
    'lease reminder + Extend 2 h',
    '/gpu terminate + confirm',
    '/gpu spend',
  ]);
  expect(summary.totalMs).toBeLessThan(30_000);

  // what a person would have read
  expect(text).toContain('@U_DEMO › /gpu plans vms h100');
  expect(text).toMatch(/▣ modal opens\n {2}┏━ Deploy a GPU/);
  expect(text).toMatch(/◆ posted in #C_DEMO\n {2}│ `demo-llm` \(container\) is being deployed by @U_DEMO/);
  expect(text).toMatch(/↳ thread reply in #C_DEMO, under “`demo-llm`.*\n {4}│ @U_DEMO `demo-llm` is ready/);
  expect(text).toMatch(/ssh -p \d+ root@/);
  expect(text).toMatch(/ssh ubuntu@/);
  // the VM is deployed with the key saved by /gpu key set, named by its fingerprint
  expect(text).toMatch(/Saved your SSH key: ED25519 `SHA256:[A-Za-z0-9+/]{43}`/);
  expect(text).toMatch(/names it “demo-train”, keeps “My saved key \(ED25519 SHA256:[A-Za-z0-9+/]{43}\)” and presses Deploy/);
  expect(text).toMatch(/asks first: “Terminate demo-train\?”/);
  expect(text).toMatch(/replaces the message it came from[\s\S]*Status {2}ENDED/);
  // the spend report: an aligned row with a bar per instance, the ended one included
  expect(text).toContain('@U_DEMO › /gpu spend today by=instance');
  expect(text).toMatch(/\$\d+\.\d\d [█▏▎▍▌▋▊▉]+ +\d+%` `demo-train` VM · @U_DEMO · ended/);
  // the crash-looping container is never called ready: the channel reply withholds its lines (they may
  // hold secrets) and the owner reads them through the buttons, only to themselves
  expect(text).toMatch(/↳ thread reply in #C_DEMO, under “`demo-broken`.*\n {4}│ @U_DEMO `demo-broken` is ACTIVE and billed, but its container has not started/);
  expect(text).toMatch(/not shown here: they may hold secrets[\s\S]*\[ Events \] {2}\[ Logs \]/);
  expect(text).toMatch(/clicks “Events”\n {2}◇ only visible to you[\s\S]*\[Warning\] \[BackOff\] Back-off restarting failed container/);
  expect(text).toMatch(/clicks “Logs”\n {2}◇ only visible to you[\s\S]*ModuleNotFoundError: No module named 'torch'/);
  // the App Home tab, opened by the user: money figures, their instances with buttons, the team
  expect(text).toMatch(/opens the GPU Bot app in Slack: the Home tab\n {2}▣ App Home of @U_DEMO published \(\d+ blocks\)/);
  expect(text).toMatch(/▣ the Home tab shows\n {2}┏━ GPU Bot · Home[\s\S]*Balance \$[\d.]+ {3}· {3}Burn \$[\d.]+\/h[\s\S]*My instances \(3\)[\s\S]*demo-llm[\s\S]*\[ Open \]  \[ Extend 2 h \]  \[ Terminate \][\s\S]*▌ Team/);
  // a lease inside the reminder window: the reminder in the deploy thread with its three buttons, then Extend 2 h
  expect(text).toMatch(/↳ thread reply in #C_DEMO, under “`demo-llm`.*\n {4}│ @U_DEMO The lease of `demo-llm` ends in 20m[\s\S]*\[ Extend 2 h \] {2}\[ Extend 8 h \] {2}\[ Terminate now \]/);
  expect(text).toMatch(/clicks “Extend 2 h”[\s\S]*@U_DEMO extended the lease of `demo-llm`: it now ends/);
  expect(text).toMatch(/All 17 steps passed/);
  expect(text).toMatch(/@U_DEMO › \/gpu alert add h100 max=2[\s\S]*Alert \d+ set: H100 containers · max \$2\.00\/h/);
  expect(text).toMatch(/posted in #C_DEMO\n {2}│ 🔔 @U_DEMO Plan alert \d+ \(H100 containers · max \$2\.00\/h\): [^\n]*\$1\.89\/h/);
  // not a TTY: no colour codes; and no secret reached the output
  expect(text).not.toMatch(/\u001b\[/);
  expect(text).not.toContain('real-key-must-be-ignored');
  expect(text).not.toMatch(/xoxb-/);
});

it('reports a failed step and a not-ok summary instead of throwing', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += String(c)));
  // provisioning takes a minute here, so the ready replies cannot arrive within the step's wait
  const summary = await runDemo({ config: loadConfig({}), out, provisioningDelayMs: 60_000, watchIntervalMs: 100, readyTimeoutMs: 500 });
  expect(summary.ok).toBe(false);
  const ready = summary.steps.find((s) => s.name === 'watcher: ready replies')!;
  expect(ready.ok).toBe(false);
  expect(text).toMatch(/✗ watcher: ready replies failed: standin.waitFor timed out/);
  // a still-provisioning instance offers no Terminate button: that step fails too, and says why
  expect(text).toMatch(/terminate \+ confirm +FAILED .* has no Terminate button/);
  expect(text).toMatch(/3 of 17 steps failed/);
});
