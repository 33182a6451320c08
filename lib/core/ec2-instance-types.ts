import { IConstruct } from "constructs";
import { EC2_INSTANCE_TYPES } from "./ec2-instance-types.generated";
import { PlatformConfigError } from "./errors";
import { isToken } from "./validate";

export type CpuArchitecture = "x86_64" | "arm64";

/**
 * The processor architecture an instance family runs, from AWS's instance naming convention
 * (docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html): the letter after the
 * generation names the processor, `g` for AWS Graviton; `a1` is the first Graviton, `-gb`
 * families (p6e-gb200) pair GPUs with Grace, and Apple silicon Macs are `mac2`/`mac-m*`. A fast
 * check at synth: the plan reads each type's `supported_architectures` from EC2 and is the authority.
 */
export function architectureOf(family: string): CpuArchitecture {
  if (family === "a1" || /^[a-z]+\d+g/.test(family) || /-gb\d/.test(family) || /^mac(2|-m)/.test(family)) return "arm64";
  return "x86_64";
}

/** The architecture an EKS AMI type is built for (`AL2023_ARM_64_NVIDIA`, `BOTTLEROCKET_x86_64`). */
export function amiArchitecture(amiType: string): CpuArchitecture {
  return /ARM_64/.test(amiType) ? "arm64" : "x86_64";
}

/** Whether EC2 has this instance type (the SDK's list, generated into the library). */
export function isEc2InstanceType(type: string): boolean {
  const dot = type.indexOf(".");
  return dot > 0 && (EC2_INSTANCE_TYPES[type.slice(0, dot)] ?? []).includes(type.slice(dot + 1));
}

/**
 * Fails unless `type` is an EC2 instance type whose processor is `architecture` (the AMI's),
 * with the family's sizes or the closest families as the suggestion.
 */
export function checkInstanceType(scope: IConstruct | string, prop: string, type: string, architecture: CpuArchitecture, amiType: string): void {
  if (isToken(type)) return;
  const dot = type.indexOf(".");
  const family = dot > 0 ? type.slice(0, dot) : type;
  const sizes = EC2_INSTANCE_TYPES[family];
  if (!isEc2InstanceType(type)) {
    const hint = sizes
      ? `${family} comes in ${sizes.map((s) => `${family}.${s}`).join(", ")}`
      : `no family ${JSON.stringify(family)} exists${closestFamilies(family).length ? `; did you mean ${closestFamilies(family).join(", ")}?` : ""}`;
    throw new PlatformConfigError(scope, prop, type, `must be an EC2 instance type (family.size, as EC2 lists them): ${hint}`);
  }
  const actual = architectureOf(family);
  if (actual !== architecture) {
    throw new PlatformConfigError(scope, prop, type, `must run the AMI's architecture: ${type} is ${actual} (${actual === "arm64" ? "AWS Graviton" : "Intel or AMD"}) but amiType ${amiType} is ${architecture}`);
  }
}

/** Families the name begins (m6 for m6i, m6a...), else one edit away (a typo); at most three. */
function closestFamilies(family: string): string[] {
  const longer = Object.keys(EC2_INSTANCE_TYPES).filter((f) => f !== family && f.startsWith(family));
  if (longer.length > 0) return longer.slice(0, 3);
  const near = (a: string, b: string): boolean => {
    if (Math.abs(a.length - b.length) > 1) return false;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return a.slice(i + 1) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i) || a.slice(i) === b.slice(i + 1);
  };
  return Object.keys(EC2_INSTANCE_TYPES)
    .filter((f) => f !== family && near(f, family))
    .slice(0, 3);
}
