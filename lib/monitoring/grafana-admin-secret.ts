import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NamespaceRef, namespaceDependencies, toNamespaceRef } from "../core/kubernetes/namespace-ref";
import { keepTemplatesLiteral } from "../core/terraform-literals";

export interface GrafanaAdminSecretProps {
  /** Grafana's namespace: a name that exists already, or a reference to the one this app creates. */
  readonly namespace: string | NamespaceRef;
  /** @default "grafana-admin" */
  readonly secretName?: string;
}

/**
 * Grafana's admin credentials in a Kubernetes secret with a generated password. The password
 * exists only in Terraform state (marked sensitive) and the secret, never in the synthesized
 * plan. Read it with
 * `kubectl -n monitoring get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d`.
 */
export class GrafanaAdminSecret extends Construct {
  public readonly secretName: string;
  public readonly userKey = "admin-user";
  public readonly passwordKey = "admin-password";
  /** The Secret, for the Grafana release to wait for. */
  public readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: GrafanaAdminSecretProps) {
    super(scope, id);
    keepTemplatesLiteral(this);
    this.secretName = props.secretName ?? "grafana-admin";
    // The random provider needs no configuration: add it to the stack once if it is missing.
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild("random")) new RandomProvider(stack, "random");
    const password = new Password(this, "password", { length: 32, special: false });
    const namespace = toNamespaceRef(props.namespace);
    this.secret = new SecretV1(this, "secret", {
      metadata: { name: this.secretName, namespace: namespace.name },
      data: { [this.userKey]: "admin", [this.passwordKey]: password.result },
      dependsOn: namespaceDependencies(namespace),
    });
  }
}
