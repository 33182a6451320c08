/** A Kubernetes service account by namespace and name, as an IRSA trust policy names it. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}
