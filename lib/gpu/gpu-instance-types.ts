/**
 * NVIDIA GPU instance families that the EKS-optimized accelerated AMIs support
 * (Amazon EKS user guide, "Use EKS-optimized accelerated AMIs for GPU instances", 2026:
 * p6-b300, p6-b200, p5, p5e, p5en, p4d, p4de, p3, p3dn, g7e, gr6, g6, g6e, g6f, gr6f, g5, g4dn).
 * g4ad is AMD and inf/trn are Neuron: none of them is a GPU pool for this platform.
 */
export const NVIDIA_GPU_FAMILIES = [
  "g4dn",
  "g5",
  "g6",
  "g6e",
  "g6f",
  "gr6",
  "gr6f",
  "g7e",
  "p3",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
  "p6-b300",
] as const;

export type NvidiaGpuFamily = (typeof NVIDIA_GPU_FAMILIES)[number];

/**
 * `nvidia.com/gpu` per instance, by family and size: the GPU column of the EC2 accelerated
 * computing specifications (2026-11). The fractional-GPU families (g6f, gr6f: 1/8 to 1/2 of an L4)
 * expose one `nvidia.com/gpu` each. Typed by family, so adding a family without its sizes fails
 * to compile; a size missing here is rejected rather than guessed.
 */
export const NVIDIA_GPUS_PER_INSTANCE: { readonly [F in NvidiaGpuFamily]: Readonly<Record<string, number>> } = {
  g4dn: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, metal: 8 },
  g5: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, "24xlarge": 4, "48xlarge": 8 },
  g6: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, "24xlarge": 4, "48xlarge": 8 },
  g6e: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, "24xlarge": 4, "48xlarge": 8 },
  g6f: { large: 1, xlarge: 1, "2xlarge": 1, "4xlarge": 1 },
  gr6: { "4xlarge": 1, "8xlarge": 1 },
  gr6f: { "4xlarge": 1 },
  g7e: { "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "12xlarge": 2, "24xlarge": 4, "48xlarge": 8 },
  p3: { "2xlarge": 1, "8xlarge": 4, "16xlarge": 8 },
  p3dn: { "24xlarge": 8 },
  p4d: { "24xlarge": 8 },
  p4de: { "24xlarge": 8 },
  p5: { "4xlarge": 1, "48xlarge": 8 },
  p5e: { "48xlarge": 8 },
  p5en: { "48xlarge": 8 },
  "p6-b200": { "48xlarge": 8 },
  "p6-b300": { "48xlarge": 8 },
};

const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([0-9]*[a-z]+[0-9a-z-]*)$/;

/** The family of an EC2 instance type name ("g5.xlarge" -> "g5"), or undefined if it is not one. */
export function instanceFamily(instanceType: string): string | undefined {
  return INSTANCE_TYPE.exec(instanceType)?.[1];
}

export function isNvidiaGpuInstanceType(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  return family !== undefined && (NVIDIA_GPU_FAMILIES as readonly string[]).includes(family);
}

/** The sizes of an NVIDIA GPU family this library knows the GPU count of. */
export function knownSizes(family: NvidiaGpuFamily): string[] {
  return Object.keys(NVIDIA_GPUS_PER_INSTANCE[family]);
}

/**
 * `nvidia.com/gpu` of an NVIDIA GPU instance type ("g5.12xlarge" -> 4), or undefined when the
 * type is not one or its size is not in the table.
 */
export function gpusPerInstance(instanceType: string): number | undefined {
  if (!isNvidiaGpuInstanceType(instanceType)) return undefined;
  const [family, size] = instanceType.split(".") as [NvidiaGpuFamily, string];
  const sizes = NVIDIA_GPUS_PER_INSTANCE[family];
  return Object.prototype.hasOwnProperty.call(sizes, size) ? sizes[size] : undefined;
}
