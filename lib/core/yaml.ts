import { stringify } from "yaml";

/**
 * Renders Helm values as YAML text. Reviewers read these values in snapshot diffs of
 * cdk.tf.json, and Terraform string tokens (`${...}`) interpolate into the text unchanged.
 * Keys keep their declaration order; no line folding, so long PromQL stays on one line.
 */
export function toYaml(values: object): string {
  return stringify(values, { lineWidth: 0, aliasDuplicateObjects: false });
}
