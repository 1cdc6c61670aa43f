/**
 * zod schemas for every documented Fluence GPU API body (../shared/fluence/API.md).
 *
 * Tolerance policy, because the reference is recovered from docs and not from the OpenAPI:
 * - every object is `looseObject`: fields we do not know pass through untouched;
 * - fields documented as [C] are checked; fields whose nullability is [?] accept null;
 * - status strings stay open (`string`): unknown values are mapped to a state by
 *   `instanceState()` in model.ts instead of failing the parse (API.md §1.4: INITIALIZED vs
 *   INITIATED is unconfirmed);
 * - ports are strings on the wire (API.md §4.1) but a number is accepted and turned into one;
 * - `gpu_model.interface` comes as "SXM" and "sxm" (API.md §1.3): lower-cased here so every
 *   comparison downstream is case-insensitive by construction.
 */
import { z } from 'zod';
import * as rules from './rules';

const lower = z.string().transform((s) => s.toLowerCase());
/** Port numbers are strings in every example; accept a number and normalise to a string. */
const portString = z.union([z.string(), z.number().int()]).transform((p) => String(p));

export const QuantitySchema = z.looseObject({ count: z.number(), units: z.string() });
export const VcpuSchema = z.looseObject({ count: z.number() });

export const GpuModelSchema = z.looseObject({
  vendor: z.string(),
  model: z.string(),
  vram: z.string(),
  interface: lower,
});

export const SupplySchema = z.looseObject({
  vcpu: VcpuSchema,
  memory: QuantitySchema,
  storage: QuantitySchema,
  gpu_count: z.number().int(),
});

export const PricingSchema = z.looseObject({
  hour: z.number().nonnegative(),
  // "currently 3" (API.md §1.5); default keeps older/newer bodies without the field usable.
  upfront_hours: z.number().nonnegative().default(3),
  currency: z.string().default('USDC'),
});

// ---- plans ---------------------------------------------------------------------------

export const ContainerPlanEntrySchema = z.looseObject({
  plan: z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    supply: SupplySchema,
    gpu_model: GpuModelSchema,
    pricing: PricingSchema,
  }),
  attributes: z.looseObject({ location: z.array(z.string()).default([]) }).default({ location: [] }),
});
export const ContainerPlansSchema = z.array(ContainerPlanEntrySchema);

export const VmPlanOptionSchema = z.looseObject({
  id: z.string().min(1),
  location: z.string(),
  provider: z.string(),
  vcpu: VcpuSchema,
  memory: QuantitySchema,
  storage: QuantitySchema,
  deployment_type: z.string(),
  pricing: PricingSchema,
  nvlink: z.boolean().default(false),
  os_options: z.array(z.string()),
});

export const VmAvailabilitySchema = z.looseObject({
  gpu_count: z.number().int(),
  minimum_price: z.number(),
  options_available_total: z.number().optional(),
  providers_available_total: z.number().optional(),
  data_center_available_total: z.number().optional(),
  locations: z.array(z.string()).default([]),
  providers: z.array(z.string()).default([]),
  options: z.array(VmPlanOptionSchema),
});

export const VmPlanGroupSchema = z.looseObject({
  gpu_model: GpuModelSchema,
  minimum_price: z.number(),
  availability_by_number: z.array(VmAvailabilitySchema),
});
/** Same shape for `/plans/vms` and `/plans/baremetal` (API.md §2.2). */
export const VmPlansSchema = z.looseObject({ data: z.array(VmPlanGroupSchema) });

// ---- default images -------------------------------------------------------------------

export const ExposedPortSchema = z.looseObject({
  port: portString,
  protocol: lower.optional(),
});
export const EnvVarSchema = z.looseObject({ name: z.string(), value: z.string() });

export const DefaultImageSchema = z.looseObject({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable().optional(),
  image: z.string(),
  // element shapes are [I] (API.md §3.1): default to empty when absent or null
  expose: z.array(ExposedPortSchema).nullable().optional().transform((v) => v ?? []),
  environment: z.array(EnvVarSchema).nullable().optional().transform((v) => v ?? []),
  startup_command: z.string().nullable().optional(),
  requires_ssh: z.boolean().nullable().optional(),
});
export const DefaultImagesSchema = z.array(DefaultImageSchema);

// ---- instances ------------------------------------------------------------------------

export const ResourcesSchema = z.looseObject({ supply: SupplySchema, gpu_model: GpuModelSchema });

export const BillingSchema = z.looseObject({
  hourly_usage: z.number(),
  total_spendings: z.number(),
  reserved_amount: z.number(),
  next_billing_period: z.string().nullable(),
});

export const ForwardedPortSchema = z.looseObject({
  port: portString,
  external_port: portString,
  protocol: lower,
});

// API.md §10: `network` is null when not active, `domain` may be null on an ACTIVE instance and `uri`
// is null unless port 80 is http. A key left out is read like null rather than failing the detail.
export const NetworkSchema = z.looseObject({
  domain: z.string().nullable().optional().transform((v) => v ?? null),
  forwarded_ports: z.array(ForwardedPortSchema).nullable().optional().transform((v) => v ?? []),
  uri: z.string().nullable().optional().transform((v) => v ?? null),
});

const instanceCommon = {
  id: z.string().min(1),
  name: z.string(),
  resources: ResourcesSchema,
  // `domain` is documented on list items; details may omit it (API.md §4.3 lists it under "list fields")
  domain: z.string().nullable().optional(),
  location: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
};

export const ContainerListItemSchema = z.looseObject({ ...instanceCommon, instance_status: z.string() });
export const ContainerListSchema = z.array(ContainerListItemSchema);

export const ContainerDetailSchema = z.looseObject({
  ...instanceCommon,
  instance_status: z.string(),
  container_status: z.string().nullable().optional(),
  // documented on every example, but the watcher needs only status and network: tolerate its absence
  container_info: z
    .looseObject({
      image: z.string(),
      expose: z.array(ExposedPortSchema).nullable().default([]).transform((v) => v ?? []),
      environment: z.array(EnvVarSchema).nullable().optional().transform((v) => v ?? []),
      startup_command: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  billing: BillingSchema.nullable().optional(),
  network: NetworkSchema.nullable().optional(),
});

export const VmListItemSchema = z.looseObject({ ...instanceCommon, status: z.string() });
export const VmListSchema = z.array(VmListItemSchema);

export const VmDetailSchema = z.looseObject({
  ...instanceCommon,
  status: z.string(),
  availability: lower.optional(),
  os_image: z.string().nullable().optional(),
  ssh_connection: z.string().nullable().optional(),
  billing: BillingSchema.nullable().optional(),
  network: NetworkSchema.nullable().optional(),
  ssh_key: z.string().nullable().optional(),
});

export const CreateInstanceResponseSchema = z.looseObject({ instance_id: z.string().min(1) });
export const LinesSchema = z.array(z.string());

// ---- request bodies (what we send; checked locally before a deploy leaves the bot) --------

// The same documented rules the deploy form checks (rules.ts), so a body built by any other path
// (rename, a future command) is refused here, before it can reach Fluence.
const problem = (check: (v: string) => string | null) => (v: string, ctx: z.core.$RefinementCtx<string>) => {
  const p = check(v);
  if (p) ctx.addIssue({ code: 'custom', message: p });
};
export const ExposedPortRequestSchema = z
  .object({
    port: z.string().superRefine(problem(rules.portProblem)),
    protocol: z.enum(rules.PROTOCOLS).optional(),
  })
  .refine((p) => p.protocol !== 'http' || p.port === rules.HTTP_PORT, {
    message: `Only port ${rules.HTTP_PORT} can use the http protocol`,
    path: ['protocol'],
  });
export const CredentialsSchema = z.object({
  host: z.enum(rules.REGISTRY_HOSTS),
  username: z.string(),
  password: z.string(),
});
export const ContainerSettingsSchema = z.object({
  image: z.string().superRefine(problem(rules.imageProblem)),
  expose: z.array(ExposedPortRequestSchema).min(rules.EXPOSE_MIN).max(rules.EXPOSE_MAX),
  environment: z
    .array(z.object({ name: z.string().superRefine(problem(rules.envNameProblem)), value: z.string() }))
    .max(rules.ENV_MAX)
    .optional(),
  startup_command: z.string().max(rules.STARTUP_COMMAND_MAX).optional(),
  credentials: CredentialsSchema.optional(),
});
const instanceName = z.string().superRefine(problem(rules.nameProblem));
export const CreateContainerRequestSchema = z.object({
  plan_id: z.string(),
  name: instanceName,
  container_settings: ContainerSettingsSchema,
  constraints: z.object({ location: z.string().optional() }).optional(),
  ssh_key: z.string().optional(),
});
export const UpdateContainerRequestSchema = z.object({
  name: instanceName,
  container_settings: ContainerSettingsSchema.omit({ expose: true }),
  ssh_key: z.string().optional(),
});
export const CreateVmRequestSchema = z.object({
  plan_id: z.string(),
  name: instanceName,
  ssh_key: z.string(),
  os_image: z.string(),
});
export const RenameRequestSchema = z.object({ name: z.string() });

// ---- main API (outside /gpu): balance, API.md §6.1 ------------------------------------

/** Amounts are decimal strings in the main API; parsed to numbers in model.ts. */
export const BalanceEntrySchema = z.looseObject({
  balance: z.string(),
  usage: z.string().optional(),
  estimatedUsage: z.string().optional(),
  overage: z.string().optional(),
  totalDepositedAmount: z.string().optional(),
  usageDaysLeft: z.number().int().nullable().optional(),
  userId: z.string().optional(),
  featureKey: z.string().optional(),
});
export const BalancesSchema = z.array(BalanceEntrySchema);

// ---- main API: the account's SSH keys, API.md §6.2 -------------------------------------

/** `GET /v1/ssh_keys`: `{items, pagination}` (S12 PaginatedResponse_UserSshKeyDto). */
export const AccountSshKeySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().default(''),
  publicKey: z.string(),
  algorithm: z.string().optional(),
  fingerprint: z.string().optional(),
});
export const AccountSshKeysSchema = z.looseObject({
  items: z.array(AccountSshKeySchema),
  pagination: z.looseObject({ totalRecords: z.number().optional(), totalPages: z.number().optional() }).optional(),
});
export type AccountSshKeyWire = z.infer<typeof AccountSshKeySchema>;

// ---- errors ---------------------------------------------------------------------------

export const ValidationIssueSchema = z.looseObject({
  type: z.string().optional(),
  loc: z.array(z.union([z.string(), z.number()])).default([]),
  msg: z.string(),
  input: z.unknown().optional(),
  ctx: z.unknown().optional(),
});
export const ErrorBodySchema = z.union([
  z.looseObject({ detail: z.array(ValidationIssueSchema) }),
  z.looseObject({ detail: z.string() }),
  // main-API / gateway style, seen on 403 in old docs (API.md §1.2)
  z.looseObject({ error: z.string(), code: z.string().optional() }),
]);

export type Quantity = z.infer<typeof QuantitySchema>;
export type GpuModel = z.infer<typeof GpuModelSchema>;
export type Supply = z.infer<typeof SupplySchema>;
export type Pricing = z.infer<typeof PricingSchema>;
export type ContainerPlanEntry = z.infer<typeof ContainerPlanEntrySchema>;
export type VmPlanOption = z.infer<typeof VmPlanOptionSchema>;
export type VmPlans = z.infer<typeof VmPlansSchema>;
export type DefaultImage = z.infer<typeof DefaultImageSchema>;
export type Billing = z.infer<typeof BillingSchema>;
export type Network = z.infer<typeof NetworkSchema>;
export type ContainerListItem = z.infer<typeof ContainerListItemSchema>;
export type ContainerDetail = z.infer<typeof ContainerDetailSchema>;
export type VmListItem = z.infer<typeof VmListItemSchema>;
export type VmDetail = z.infer<typeof VmDetailSchema>;
export type CreateContainerRequest = z.infer<typeof CreateContainerRequestSchema>;
export type UpdateContainerRequest = z.infer<typeof UpdateContainerRequestSchema>;
export type CreateVmRequest = z.infer<typeof CreateVmRequestSchema>;
export type ExposedPortRequest = z.infer<typeof ExposedPortRequestSchema>;
export type BalanceEntry = z.infer<typeof BalanceEntrySchema>;
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;
