/** Container resources as Kubernetes quantities ("500m", "512Mi"). */
export interface ResourceRequirements {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}
