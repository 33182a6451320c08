import { LocalBackend, TerraformStack } from "cdktf";

/**
 * Local state at the project root, named relative to the directory Terraform runs in
 * (cdktf.out/stacks/<stack>), so the synthesized plan holds no path of the machine that made it
 * and the platform stack's remote-state lookup of the cluster stack finds the same file.
 * For teams, replace with an S3 backend (see README).
 */
export function useLocalState(stack: TerraformStack, stackName: string): void {
  new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}
