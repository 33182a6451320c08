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

const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([0-9]*[a-z]+[0-9a-z-]*)$/;

/** The family of an EC2 instance type name ("g5.xlarge" -> "g5"), or undefined if it is not one. */
export function instanceFamily(instanceType: string): string | undefined {
  return INSTANCE_TYPE.exec(instanceType)?.[1];
}

export function isNvidiaGpuInstanceType(instanceType: string): boolean {
  const family = instanceFamily(instanceType);
  return family !== undefined && (NVIDIA_GPU_FAMILIES as readonly string[]).includes(family);
}
