/**
 * The three Fluence GPU workload types share one URL pattern and almost one shape.
 * Everything that differs between them lives in this table, so the client, the simulator,
 * the services and the views take a `WorkloadType` and look up what they need here,
 * instead of carrying three copies of the same code.
 */

export const WORKLOAD_TYPES = ['container', 'vm', 'baremetal'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

export interface Workload {
  readonly type: WorkloadType;
  /** Human label, singular ("container", "VM", "bare-metal machine"). */
  readonly label: string;
  /** Short plural label for headings ("Containers", "VMs", "Bare metal"). */
  readonly plural: string;
  /** `GET` plans path, relative to the `/gpu` base. Trailing slashes exactly as documented (API.md §1.3). */
  readonly plansPath: string;
  /** Instances collection path (list, create). */
  readonly instancesPath: string;
  /** Path of one instance (detail, update, delete). */
  instancePath(id: string): string;
  /** Status field name in list/detail bodies: containers say `instance_status`, VM/BM say `status`. */
  readonly statusField: 'instance_status' | 'status';
  /** `deployment_type` of plan options (VM/BM only). */
  readonly deploymentType?: 'VM' | 'BAREMETAL';
  /** Containers have logs and events; VM/BM do not (API.md §5.6). */
  readonly hasLogs: boolean;
  /** Containers take a full-replacement PUT; VM/BM PUT renames only (API.md §4.4, §5.4). */
  readonly updateKind: 'replace' | 'rename';
  /** Words users may type for this type in `/gpu` commands. */
  readonly synonyms: readonly string[];
}

export const WORKLOADS: Readonly<Record<WorkloadType, Workload>> = {
  container: {
    type: 'container',
    label: 'container',
    plural: 'Containers',
    plansPath: '/plans/',
    instancesPath: '/instances/',
    instancePath: (id) => `/instances/${encodeURIComponent(id)}`,
    statusField: 'instance_status',
    hasLogs: true,
    updateKind: 'replace',
    synonyms: ['container', 'containers', 'c', 'ctr'],
  },
  vm: {
    type: 'vm',
    label: 'VM',
    plural: 'VMs',
    plansPath: '/plans/vms',
    instancesPath: '/instances/vms',
    instancePath: (id) => `/instances/vms/${encodeURIComponent(id)}`,
    statusField: 'status',
    deploymentType: 'VM',
    hasLogs: false,
    updateKind: 'rename',
    synonyms: ['vm', 'vms'],
  },
  baremetal: {
    type: 'baremetal',
    label: 'bare-metal machine',
    plural: 'Bare metal',
    plansPath: '/plans/baremetal',
    instancesPath: '/instances/baremetal',
    instancePath: (id) => `/instances/baremetal/${encodeURIComponent(id)}`,
    statusField: 'status',
    deploymentType: 'BAREMETAL',
    hasLogs: false,
    updateKind: 'rename',
    synonyms: ['baremetal', 'bare-metal', 'bare_metal', 'bm', 'metal'],
  },
};

export function workload(type: WorkloadType): Workload {
  return WORKLOADS[type];
}

/** Maps a word a user typed ("vms", "BM", "Containers") to a workload type, or undefined. */
export function parseWorkloadType(word: string): WorkloadType | undefined {
  const w = word.trim().toLowerCase();
  for (const type of WORKLOAD_TYPES) {
    if (WORKLOADS[type].synonyms.includes(w)) return type;
  }
  return undefined;
}

export function isWorkloadType(value: unknown): value is WorkloadType {
  return typeof value === 'string' && (WORKLOAD_TYPES as readonly string[]).includes(value);
}
