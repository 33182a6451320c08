import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Construct } from "constructs";
import { StorageClassRef } from "./storage-class-ref";
import { keepTemplatesLiteral } from "../core/terraform-literals";

/**
 * The cluster's default StorageClass: encrypted gp3 through the EBS CSI driver, bound when
 * the pod is scheduled (so the volume lands in the pod's zone), expandable. Since EKS 1.30 the
 * built-in gp2 class is no longer marked default, so this is the only default. Hand it to the
 * constructs that claim volumes of it: they wait for it.
 */
export class Gp3StorageClass extends Construct implements StorageClassRef {
  public readonly name: string;
  public readonly resource: StorageClassV1;

  constructor(scope: Construct, id: string, props: { readonly name?: string; readonly kmsKeyArn?: string } = {}) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.name = props.name ?? "gp3-encrypted";
    this.resource = new StorageClassV1(this, "class", {
      metadata: { name: this.name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      storageProvisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Delete",
      parameters: { type: "gp3", encrypted: "true", ...(props.kmsKeyArn && { kmsKeyId: props.kmsKeyArn }) },
    });
  }
}
