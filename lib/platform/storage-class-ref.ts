import { ITerraformDependable } from "cdktf";

/**
 * A StorageClass as in-cluster constructs receive it: its name and, when this app creates it,
 * the resource to wait for before anything claims a volume of it. `Gp3StorageClass` is one.
 */
export interface StorageClassRef {
  readonly name: string;
  /** The resource creating the class. @default - none: the class exists already */
  readonly resource?: ITerraformDependable;
}

/** Normalises a StorageClass given by name (it exists already) or by reference. */
export function toStorageClassRef(storageClass: string | StorageClassRef): StorageClassRef {
  return typeof storageClass === "string" ? { name: storageClass } : storageClass;
}
