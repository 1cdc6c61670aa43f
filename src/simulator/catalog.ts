/**
 * The simulator's fixed, realistic catalog: container plans, VM and bare-metal options, default
 * images. Ids are constants so tests, the demo and benchmarks can name a plan directly. The docs'
 * own example ids (API.md §2.1, §2.2, §4.1, §5.1) are included, so the documented example requests
 * work against the simulator unchanged.
 */

// ---- fixed ids --------------------------------------------------------------------------

/** Docs' example a100 plan (API.md §2.1): 1.22 USDC/h, US. */
export const PLAN_A100_1X = '472ea881-73d9-423a-8e61-19addd34424c';
/** Docs' example h200 plan (API.md §2.1): 2.96 USDC/h, US. */
export const PLAN_H200_1X = '36cdb646-1246-42d8-b2d1-9480ca546536';
/** The plan id used in the docs' create-container example requests (API.md §4.1). */
export const PLAN_DOCS_EXAMPLE = '075e40d4-2766-4347-833b-205245fe3629';
export const PLAN_RTX4090_1X = 'a9c4ad8a-cd83-48ba-98d0-03fa12431169';
export const PLAN_RTX4090_2X = '999c527f-263d-4c98-85f8-fca5e6ce0cad';
export const PLAN_L40S_1X = 'b65b0480-44d6-4717-a385-a34644491d5c';
export const PLAN_L40S_4X = 'c32a2ad4-95c0-4c4a-a2a5-bf71d77449ac';
export const PLAN_A100_2X = '84c34264-acc4-419c-b8e1-b8cf69724964';
export const PLAN_A100_8X = '4e85f6d6-73d4-4f4c-b943-f5265e3d4d64';
export const PLAN_H100_1X = '81258254-85e0-4651-be1d-c15a42db4d80';
export const PLAN_H100_4X = '9d1b5a1a-c285-4695-b7ae-f6de65a73e18';
export const PLAN_H100_8X = 'f2494194-535e-4940-9f11-49365de3afd7';
export const PLAN_H200_8X = '5fb9d01b-b9ae-4e31-aaef-e1cac91d9694';

/** Docs' example VM options (API.md §2.2). */
export const VM_OPTION_A10_SANJOSE = '3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49';
export const VM_OPTION_A10_DULLES = '0e311c31-1e31-4fc7-b27d-4b73f3f27bc2';
export const VM_OPTION_A100_CENTRAL3 = 'd8312018-c50c-4278-89db-69e40013414d';
/** The option id used in the docs' create-VM example (API.md §5.1), offers "Ubuntu Server 22.04". */
export const VM_OPTION_DOCS_EXAMPLE = 'e5f00ba8-268e-4279-9672-eabca860f19e';
export const VM_OPTION_L40_CENTRAL3 = '60c296d7-ee6b-4d4b-8941-dac2352fdeba';
export const VM_OPTION_A100_NORWAY = 'ab816b30-1e0e-4725-ac2c-28448271b6b5';
export const VM_OPTION_H100_TOKYO = '510243c5-4449-4a13-8735-501e3747c3a8';
export const VM_OPTION_H100_2X_NEWYORK = '9ff62ff7-e7c2-496c-9025-0de2a90a41b0';
export const VM_OPTION_H100_8X_CULPEPER = '92cb2311-2cf6-48a8-87ad-780410424728';

export const BM_OPTION_H100_8X_DALLAS = 'e8cb9b07-9ccb-42a6-86fa-de5aa5fc2efd';
export const BM_OPTION_H100_8X_HELSINKI = '5af5ad88-08ac-4482-b7b3-ddf6032de2d2';
export const BM_OPTION_A100_8X_MONTREAL = 'e3bb44b9-81bb-4f4a-9812-802b000abf26';
export const BM_OPTION_H200_8X_FRANKFURT = 'e2fb2178-745b-4e85-a967-be1542adce8c';
export const BM_OPTION_L40S_4X_DALLAS = 'e1c0883f-bc72-4e51-8052-7887d364701b';

export const UPFRONT_HOURS = 3;

// ---- shapes -----------------------------------------------------------------------------

export interface GpuModelWire { vendor: string; model: string; vram: string; interface: string }
export interface SupplyWire {
  vcpu: { count: number };
  memory: { count: number; units: string };
  storage: { count: number; units: string };
  gpu_count: number;
}
export interface PricingWire { hour: number; upfront_hours: number; currency: string }

export interface ContainerPlanWire {
  plan: { id: string; name: string; supply: SupplyWire; gpu_model: GpuModelWire; pricing: PricingWire };
  attributes: { location: string[] };
}

export interface VmOptionWire {
  id: string;
  location: string;
  provider: string;
  vcpu: { count: number };
  memory: { count: number; units: string };
  storage: { count: number; units: string };
  deployment_type: 'VM' | 'BAREMETAL';
  pricing: PricingWire;
  nvlink: boolean;
  os_options: string[];
}

/** A VM/BM option plus the GPU it carries (the wire nests these; we keep them flat and group on output). */
export interface VmOffer { gpu: GpuModelWire; gpuCount: number; option: VmOptionWire }

export interface DefaultImageWire {
  slug: string;
  name: string;
  description: string | null;
  image: string;
  expose: Array<{ port: string; protocol: string }>;
  environment: Array<{ name: string; value: string }>;
  startup_command: string | null;
  requires_ssh: boolean | null;
}

// ---- container plans --------------------------------------------------------------------

/** GPUs of the container plans (market.ts adds plans with them at run time). */
export const GPUS: Readonly<Record<string, GpuModelWire>> = {
  rtx4090: { vendor: 'nvidia', model: 'rtx4090', vram: '24Gi', interface: 'PCIE' },
  l40s: { vendor: 'nvidia', model: 'l40s', vram: '48Gi', interface: 'PCIE' },
  a100: { vendor: 'nvidia', model: 'a100', vram: '80Gi', interface: 'SXM' },
  h100: { vendor: 'nvidia', model: 'h100', vram: '80Gi', interface: 'SXM' },
  h200: { vendor: 'nvidia', model: 'h200', vram: '141Gi', interface: 'SXM' },
};

type PlanRow = [id: string, gpu: keyof typeof GPUS, count: number, vcpu: number, ramGi: number, diskGi: number, price: number, locations: string[]];

const PLAN_ROWS: PlanRow[] = [
  [PLAN_H200_1X, 'h200', 1, 16, 128, 120, 2.96, ['US']],
  [PLAN_A100_1X, 'a100', 1, 1, 1, 1, 1.22, ['US']],
  [PLAN_DOCS_EXAMPLE, 'a100', 1, 8, 64, 200, 1.29, ['US', 'DE', 'FI']],
  [PLAN_RTX4090_1X, 'rtx4090', 1, 8, 32, 100, 0.39, ['US', 'CA', 'DE']],
  [PLAN_RTX4090_2X, 'rtx4090', 2, 16, 64, 200, 0.78, ['US', 'CA']],
  [PLAN_L40S_1X, 'l40s', 1, 12, 64, 200, 0.89, ['US', 'FI']],
  [PLAN_L40S_4X, 'l40s', 4, 48, 256, 800, 3.56, ['FI']],
  [PLAN_A100_2X, 'a100', 2, 32, 256, 500, 2.44, ['US', 'DE']],
  [PLAN_A100_8X, 'a100', 8, 128, 1024, 2000, 9.76, ['US']],
  [PLAN_H100_1X, 'h100', 1, 16, 128, 250, 2.1, ['US', 'DE', 'CA']],
  [PLAN_H100_4X, 'h100', 4, 64, 512, 1000, 8.4, ['DE']],
  [PLAN_H100_8X, 'h100', 8, 128, 1024, 2000, 16.8, ['US', 'FI']],
  [PLAN_H200_8X, 'h200', 8, 128, 1536, 3000, 23.68, ['US']],
];

export function planName(g: GpuModelWire, count: number, vcpu: number, ram: number, disk: number): string {
  return `${g.model}-${g.vram}-${g.interface}-${count}gpu-${vcpu}cpu-${ram}gi-${disk}gi`.toLowerCase();
}

export const CONTAINER_PLANS: readonly ContainerPlanWire[] = PLAN_ROWS.map(([id, gpu, count, vcpu, ram, disk, price, locations]) => {
  const g = GPUS[gpu]!;
  return {
    plan: {
      id,
      name: planName(g, count, vcpu, ram, disk),
      supply: {
        vcpu: { count: vcpu },
        memory: { count: ram, units: 'Gi' },
        storage: { count: disk, units: 'Gi' },
        gpu_count: count,
      },
      gpu_model: { ...g },
      pricing: { hour: price, upfront_hours: UPFRONT_HOURS, currency: 'USDC' },
    },
    attributes: { location: locations },
  };
});

// ---- VM and bare-metal options ----------------------------------------------------------

/** GPUs of the VM and bare-metal options. */
export const VM_GPUS: Readonly<Record<string, GpuModelWire>> = {
  a10: { vendor: 'nvidia', model: 'a10', vram: '24Gi', interface: 'pcie' },
  l40: { vendor: 'nvidia', model: 'l40', vram: '48Gi', interface: 'pcie' },
  l40s: { vendor: 'nvidia', model: 'l40s', vram: '48Gi', interface: 'pcie' },
  a100pcie: { vendor: 'nvidia', model: 'a100', vram: '80Gi', interface: 'pcie' },
  a100: { vendor: 'nvidia', model: 'a100', vram: '80Gi', interface: 'sxm' },
  h100: { vendor: 'nvidia', model: 'h100', vram: '80Gi', interface: 'sxm' },
  h200: { vendor: 'nvidia', model: 'h200', vram: '141Gi', interface: 'sxm' },
};

const SHADE_OS = 'ubuntu22.04_cuda12.4_shade_os';
const UBUNTU_2204 = 'Ubuntu Server 22.04';
const UBUNTU_2404 = 'ubuntu24.04';

type OptionRow = [id: string, gpu: keyof typeof VM_GPUS, count: number, location: string, provider: string,
  vcpu: number, ramGi: number, diskGi: number, price: number, nvlink: boolean, os: string[]];

const VM_ROWS: OptionRow[] = [
  [VM_OPTION_A10_SANJOSE, 'a10', 1, 'sanjose-usa-2', 'sesterce', 30, 186, 1303, 0.99, false, [SHADE_OS]],
  [VM_OPTION_A10_DULLES, 'a10', 1, 'dulles-usa-1', 'sesterce', 30, 186, 1303, 0.99, false, [SHADE_OS]],
  [VM_OPTION_A100_CENTRAL3, 'a100pcie', 1, 'us-central-3', 'massed-compute', 14, 93, 582, 1.07, false, [UBUNTU_2204]],
  [VM_OPTION_DOCS_EXAMPLE, 'a100pcie', 1, 'us-east-1', 'massed-compute', 14, 93, 582, 1.12, false, [UBUNTU_2204, UBUNTU_2404]],
  [VM_OPTION_A100_NORWAY, 'a100pcie', 1, 'kristiansand-norway-2', 'sesterce', 22, 120, 800, 1.19, false, [SHADE_OS, UBUNTU_2404]],
  [VM_OPTION_L40_CENTRAL3, 'l40', 1, 'us-central-3', 'massed-compute', 14, 119, 582, 0.76, false, [UBUNTU_2204]],
  [VM_OPTION_H100_TOKYO, 'h100', 1, 'tokyo-japan-2', 'sesterce', 26, 225, 2000, 2.35, false, [SHADE_OS]],
  [VM_OPTION_H100_2X_NEWYORK, 'h100', 2, 'newyork-usa-1', 'massed-compute', 52, 450, 4000, 4.7, true, [UBUNTU_2204, UBUNTU_2404]],
  [VM_OPTION_H100_8X_CULPEPER, 'h100', 8, 'culpeper-usa-1', 'sesterce', 208, 1800, 16000, 18.4, true, [SHADE_OS]],
];

const BM_ROWS: OptionRow[] = [
  [BM_OPTION_H100_8X_DALLAS, 'h100', 8, 'dallas-usa-1', 'sesterce', 224, 2048, 30000, 17.2, true, [SHADE_OS, UBUNTU_2404]],
  [BM_OPTION_H100_8X_HELSINKI, 'h100', 8, 'helsinki-finland-1', 'massed-compute', 192, 2048, 24000, 16.9, true, [UBUNTU_2204]],
  [BM_OPTION_A100_8X_MONTREAL, 'a100', 8, 'montreal-canada-1', 'massed-compute', 128, 1024, 16000, 9.9, true, [UBUNTU_2204]],
  [BM_OPTION_H200_8X_FRANKFURT, 'h200', 8, 'frankfurt-germany-1', 'sesterce', 224, 2048, 30000, 25.6, true, [SHADE_OS]],
  [BM_OPTION_L40S_4X_DALLAS, 'l40s', 4, 'dallas-usa-1', 'sesterce', 64, 512, 7680, 3.8, false, [SHADE_OS, UBUNTU_2404]],
];

function offers(rows: OptionRow[], deploymentType: 'VM' | 'BAREMETAL'): VmOffer[] {
  return rows.map(([id, gpu, count, location, provider, vcpu, ram, disk, price, nvlink, os]) => ({
    gpu: { ...VM_GPUS[gpu]! },
    gpuCount: count,
    option: {
      id,
      location,
      provider,
      vcpu: { count: vcpu },
      memory: { count: ram, units: 'Gi' },
      storage: { count: disk, units: 'Gi' },
      deployment_type: deploymentType,
      pricing: { hour: price, upfront_hours: UPFRONT_HOURS, currency: 'USDC' },
      nvlink,
      os_options: [...os],
    },
  }));
}

export const VM_OFFERS: readonly VmOffer[] = offers(VM_ROWS, 'VM');
export const BAREMETAL_OFFERS: readonly VmOffer[] = offers(BM_ROWS, 'BAREMETAL');

const uniqSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

/** The `{data:[...]}` body of /plans/vms and /plans/baremetal: grouped by GPU model, then by count. */
export function groupVmOffers(list: readonly VmOffer[]): { data: unknown[] } {
  const byModel = new Map<string, VmOffer[]>();
  for (const o of list) {
    const key = `${o.gpu.model}|${o.gpu.vram}|${o.gpu.interface}`;
    byModel.set(key, [...(byModel.get(key) ?? []), o]);
  }
  const data = [...byModel.values()].map((group) => {
    const counts = [...new Set(group.map((o) => o.gpuCount))].sort((a, b) => a - b);
    const availability = counts.map((gpuCount) => {
      const opts = group.filter((o) => o.gpuCount === gpuCount).map((o) => o.option);
      return {
        gpu_count: gpuCount,
        minimum_price: Math.min(...opts.map((o) => o.pricing.hour)),
        options_available_total: opts.length,
        providers_available_total: uniqSorted(opts.map((o) => o.provider)).length,
        data_center_available_total: uniqSorted(opts.map((o) => o.location)).length,
        locations: uniqSorted(opts.map((o) => o.location)),
        providers: uniqSorted(opts.map((o) => o.provider)),
        options: opts,
      };
    });
    return {
      gpu_model: group[0]!.gpu,
      minimum_price: Math.min(...availability.map((a) => a.minimum_price)),
      availability_by_number: availability,
    };
  });
  return { data };
}

// ---- default images ---------------------------------------------------------------------

export const DEBIAN_SSH_IMAGE = 'docker.io/fluencelabs/debian-ssh-root:11';

export const DEFAULT_IMAGES: readonly DefaultImageWire[] = [
  {
    slug: 'debian-ssh-11',
    name: 'Debian SSH 11',
    description: 'Debian 11 with an SSH server; log in as root with the key you provide.',
    image: DEBIAN_SSH_IMAGE,
    expose: [{ port: '22', protocol: 'tcp' }],
    environment: [],
    startup_command: null,
    requires_ssh: true,
  },
  {
    slug: 'pytorch-2.5-cuda12.4',
    name: 'PyTorch 2.5 (CUDA 12.4)',
    description: 'PyTorch runtime with CUDA 12.4 and cuDNN 9.',
    image: 'docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime',
    expose: [{ port: '22', protocol: 'tcp' }],
    environment: [],
    startup_command: 'sleep infinity',
    requires_ssh: false,
  },
  {
    slug: 'jupyter-pytorch',
    name: 'Jupyter Lab with PyTorch',
    description: 'Jupyter Lab served over HTTP on port 80.',
    image: 'docker.io/jupyter/pytorch-notebook:latest',
    expose: [{ port: '80', protocol: 'http' }],
    environment: [{ name: 'JUPYTER_TOKEN', value: '' }],
    startup_command: 'start-notebook.py --ServerApp.port=80 --ServerApp.ip=0.0.0.0',
    requires_ssh: false,
  },
  {
    slug: 'vllm-openai',
    name: 'vLLM OpenAI-compatible server',
    description: 'Serves a Hugging Face model with an OpenAI-compatible API on port 8000.',
    image: 'docker.io/vllm/vllm-openai:latest',
    expose: [{ port: '8000', protocol: 'tcp' }],
    environment: [
      { name: 'MODEL_NAME', value: 'Qwen/Qwen2.5-7B-Instruct' },
      { name: 'HF_TOKEN', value: '' },
    ],
    startup_command: null,
    requires_ssh: false,
  },
];

// ---- lookups ----------------------------------------------------------------------------

export function findContainerPlan(id: string): ContainerPlanWire | undefined {
  return CONTAINER_PLANS.find((p) => p.plan.id === id);
}

export function findVmOffer(type: 'vm' | 'baremetal', id: string): VmOffer | undefined {
  return (type === 'vm' ? VM_OFFERS : BAREMETAL_OFFERS).find((o) => o.option.id === id);
}
