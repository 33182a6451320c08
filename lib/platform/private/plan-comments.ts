/**
 * Facts the ordering check reads from the synthesized plan that Terraform attributes cannot
 * carry: which CRDs a Helm release installs and which custom resources it creates. They sit in
 * the resource's `"//"` property, which Terraform's JSON syntax reserves for comments.
 */
export const CUSTOM_RESOURCES_COMMENT = "custom_resources";

export interface CrdGroupComment {
  readonly group: string;
  readonly kinds: string[];
}

export interface CustomResourcesComment {
  readonly installs?: CrdGroupComment[];
  readonly creates?: CrdGroupComment[];
}
