/**
 * Wire bodies of simulated instances, shaped exactly like the list/detail/logs/events examples in
 * API.md §4 and §5. Addresses and external ports are derived from the instance id, so they look
 * random but are the same on every read.
 */
import { RESERVED_SSH_ENV } from '../fluence/rules';
import type { SimInstance, SimState } from './state';

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** `2026-02-07T14:42:29.472000Z`: microseconds, like the API. */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/** `2026-02-07T15:00:00Z`: the next full UTC hour, without fraction. */
export function nextHourIso(ms: number): string {
  const next = Math.floor(ms / 3_600_000) * 3_600_000 + 3_600_000;
  return new Date(next).toISOString().replace('.000Z', 'Z');
}

/** FNV-1a: a stable number from a string. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) {
    h ^= s.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A documentation-range IPv4 (TEST-NET-2/3), stable per instance. */
export function instanceIp(i: SimInstance): string {
  const h = hash(i.id);
  return `${h & 1 ? '198.51.100' : '203.0.113'}.${1 + ((h >>> 1) % 254)}`;
}

/** Kubernetes NodePort range, like the docs' 32345. */
export function externalPort(i: SimInstance, port: string): string {
  return String(30000 + (hash(`${i.id}:${port}`) % 2768));
}

function containerDomain(i: SimInstance): string {
  return `provider.${i.gpuModel.model}.pub`;
}

function podName(i: SimInstance): string {
  const h = hash(i.id).toString(36).padStart(7, '0');
  return `service-1-${h.slice(0, 9)}-${hash(`${i.id}pod`).toString(36).slice(0, 5)}`;
}

function resources(i: SimInstance): unknown {
  return { supply: i.supply, gpu_model: i.gpuModel };
}

function statusKey(i: SimInstance): 'instance_status' | 'status' {
  return i.type === 'container' ? 'instance_status' : 'status';
}

function domain(state: SimState, i: SimInstance, t: number): string | null {
  if (state.status(i, t) !== 'ACTIVE' || !state.networkReady(i, t)) return null;
  return i.type === 'container' ? containerDomain(i) : instanceIp(i);
}

export function listItem(state: SimState, i: SimInstance, t: number): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    [statusKey(i)]: state.status(i, t),
    resources: resources(i),
    domain: domain(state, i, t),
    location: i.location,
    created_at: isoMicros(i.createdAt),
    updated_at: isoMicros(state.updatedAt(i, t)),
  };
}

function billing(state: SimState, i: SimInstance, t: number): unknown {
  const status = state.status(i, t);
  const active = status === 'ACTIVE';
  return {
    hourly_usage: active ? i.pricePerHour : 0,
    total_spendings: round2(state.spent(i, t)),
    reserved_amount: round2(state.reserved(i, t)),
    next_billing_period: active ? nextHourIso(t) : null,
  };
}

function network(state: SimState, i: SimInstance, t: number): unknown {
  if (state.status(i, t) !== 'ACTIVE') return null;
  const ready = state.networkReady(i, t);
  if (i.type !== 'container') {
    return { domain: ready ? instanceIp(i) : null, forwarded_ports: [], uri: null };
  }
  const expose = i.container?.expose ?? [];
  // http ports go through the provider's ingress (uri), the rest are forwarded to NodePorts.
  const http = expose.some((p) => p.protocol === 'http');
  return {
    domain: ready ? containerDomain(i) : null,
    forwarded_ports: expose
      .filter((p) => p.protocol !== 'http')
      .map((p) => ({ port: p.port, external_port: externalPort(i, p.port), protocol: p.protocol })),
    uri: ready && http ? `http://${hash(i.id).toString(36)}.ingress.${containerDomain(i)}` : null,
  };
}

export function detail(state: SimState, i: SimInstance, t: number): Record<string, unknown> {
  const status = state.status(i, t);
  const common = { created_at: isoMicros(i.createdAt), updated_at: isoMicros(state.updatedAt(i, t)) };
  if (i.type === 'container') {
    const config = state.containerConfig(i, t);
    const env = [...(config?.environment ?? [])];
    // The system injects the key as SSH_PUBKEY and shows it back in clear text (API.md §4.3).
    if (i.sshKey) env.push({ name: RESERVED_SSH_ENV, value: i.sshKey });
    return {
      id: i.id,
      name: i.name,
      instance_status: status,
      container_status: state.containerStarted(i, t) ? 'STARTED' : 'NOT_STARTED',
      resources: resources(i),
      location: i.location,
      container_info: {
        image: config?.image ?? '',
        expose: i.container?.expose ?? [],
        environment: env,
        startup_command: config?.startup_command ?? null,
      },
      billing: billing(state, i, t),
      network: network(state, i, t),
      ...common,
    };
  }
  const ready = status === 'ACTIVE' && state.networkReady(i, t);
  const user = /ubuntu/i.test(i.osImage ?? '') ? 'ubuntu' : 'root';
  return {
    id: i.id,
    name: i.name,
    status,
    availability: i.type,
    resources: resources(i),
    location: i.location,
    os_image: i.osImage,
    ssh_connection: ready ? `ssh ${user}@${instanceIp(i)}` : null,
    billing: billing(state, i, t),
    network: network(state, i, t),
    ssh_key: i.sshKey,
    ...common,
  };
}

/** Kubernetes-style events (API.md §4.7): what a user sees while a container starts, fails or ends. */
export function events(state: SimState, i: SimInstance, t: number): string[] {
  const pod = podName(i);
  const image = state.containerConfig(i, t)?.image ?? '';
  const line = (type: string, reason: string, msg: string) => `[${pod}]: [${type}] [${reason}] ${msg}`;
  const out = [line('Normal', 'Scheduled', 'Successfully assigned pod to node2'), line('Normal', 'Pulling', `Pulling image "${image}"`)];
  const status = state.status(i, t);
  if (status === 'FAILED' || (status === 'ENDED' && i.willFail)) {
    out.push(
      line('Warning', 'Failed', `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to resolve reference "${image}": not found`),
      line('Warning', 'Failed', 'Error: ErrImagePull'),
      line('Normal', 'BackOff', `Back-off pulling image "${image}"`),
      line('Warning', 'Failed', 'Error: ImagePullBackOff'),
    );
    return out;
  }
  if (status === 'INITIALIZED') return out;
  if (status === 'ACTIVE' && state.crashLoops(i, t)) {
    // Kubernetes' CrashLoopBackOff as the events endpoint shows it: started, exited, backing off
    out.push(
      line('Normal', 'Pulled', `Successfully pulled image "${image}"`),
      line('Normal', 'Created', 'Created container: service-1'),
      line('Normal', 'Started', 'Started container service-1'),
      line('Warning', 'BackOff', `Back-off restarting failed container service-1 in pod ${pod}`),
    );
    return out;
  }
  // still pulling the image: ACTIVE for Fluence, NOT_STARTED for the container
  if (status === 'ACTIVE' && !state.containerStarted(i, t)) return out;
  out.push(
    line('Normal', 'Pulled', `Container image "${image}" already present on machine`),
    line('Normal', 'Created', 'Created container: service-1'),
    line('Normal', 'Started', 'Started container service-1'),
  );
  if (status === 'ENDED') out.push(line('Normal', 'Killing', 'Stopping container service-1'));
  return out;
}

/** Container log lines, prefixed with the pod name (API.md §4.6). */
export function logs(state: SimState, i: SimInstance, t: number): string[] {
  const pod = podName(i);
  const status = state.status(i, t);
  if (status === 'INITIALIZED') return [];
  if (status === 'FAILED' || i.willFail) {
    return [`[${pod}] Error: failed to start container "service-1": image pull failed (ImagePullBackOff)`];
  }
  const config = state.containerConfig(i, t);
  if (status === 'ACTIVE' && state.crashLoops(i, t)) {
    return [
      'Starting service...',
      'Traceback (most recent call last):',
      '  File "/app/serve.py", line 3, in <module>',
      "ModuleNotFoundError: No module named 'torch'",
    ].map((l) => `[${pod}] ${l}`);
  }
  if (status === 'ACTIVE' && !state.containerStarted(i, t)) return [];
  const lines = (config?.image ?? '').includes('debian-ssh')
    ? ['Server listening on 0.0.0.0 port 22.', 'Server listening on :: port 22.']
    : [
        'Starting container...',
        config?.startup_command ? `Running: ${config.startup_command}` : 'Running image entrypoint',
        ...(i.container?.expose ?? []).map((p) => `Listening on 0.0.0.0:${p.port} (${p.protocol})`),
      ];
  if (status === 'ENDED') lines.push('Received SIGTERM, shutting down.');
  return lines.map((l) => `[${pod}] ${l}`);
}
