/** Access modes a new model claim may ask for. */
export type ModelClaimAccessMode = "ReadWriteOnce" | "ReadWriteOncePod" | "ReadOnlyMany" | "ReadWriteMany";

export interface NewModelClaimOptions {
  /** Requested size, a Kubernetes quantity such as "50Gi". */
  readonly size: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * Replicas on different nodes can only share a claim that is ReadWriteMany or ReadOnlyMany
   * (EFS, FSx for Lustre); an EBS claim is ReadWriteOnce and is rejected for more than one replica.
   * @default "ReadWriteMany"
   */
  readonly accessMode?: ModelClaimAccessMode;
}

/** Where model weights live, as data; InferenceService renders the volume. */
export type ModelVolumeSource =
  | { readonly kind: "existingClaim"; readonly claimName: string }
  | {
      readonly kind: "newClaim";
      readonly size: string;
      readonly storageClassName?: string;
      readonly accessMode: ModelClaimAccessMode;
    }
  | { readonly kind: "hostPath"; readonly path: string }
  | { readonly kind: "emptyDir"; readonly sizeLimit?: string };

/** The volume model weights are read from. */
export class ModelVolume {
  /** A PersistentVolumeClaim that already exists in the service's namespace. */
  public static existingClaim(claimName: string): ModelVolume {
    return new ModelVolume({ kind: "existingClaim", claimName });
  }

  /** A claim created with the service, named `<service>-models`. */
  public static newClaim(options: NewModelClaimOptions): ModelVolume {
    return new ModelVolume({
      kind: "newClaim",
      size: options.size,
      storageClassName: options.storageClassName,
      accessMode: options.accessMode ?? "ReadWriteMany",
    });
  }

  /**
   * A directory on the node (hostPath, created if missing), so every pod on a node shares one
   * download. The kubelet creates a missing directory owned by root (0755) and fsGroup does not
   * apply to hostPath, so the non-root containers can only write to it when the node prepares it
   * (e.g. in the node group's user data). The baseline and restricted Pod Security Standards
   * forbid hostPath: use it only in a namespace that allows it.
   */
  public static nodeCache(path: string): ModelVolume {
    return new ModelVolume({ kind: "hostPath", path });
  }

  /** A per-pod emptyDir, filled by the init container on every start. */
  public static podCache(sizeLimit?: string): ModelVolume {
    return new ModelVolume({ kind: "emptyDir", sizeLimit });
  }

  private constructor(public readonly source: ModelVolumeSource) {}
}
