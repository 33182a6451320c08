import { Annotations, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";
import { IEksCluster } from "../core/cluster-ref";

/** Terraform resource types that write a Kubernetes NetworkPolicy. */
const NETWORK_POLICY_TYPES: readonly string[] = ["kubernetes_network_policy_v1", "kubernetes_network_policy"];

/** How to declare the enforcer of a cluster looked up by name, for messages. */
const HOW_TO_DECLARE =
  'enable it on the cluster (aws eks update-addon --addon-name vpc-cni --configuration-values \'{"enableNetworkPolicy":"true"}\', or a policy engine such as Calico) and declare it: ' +
  'cluster.networkPolicyEnforcement "vpc-cni" or "engine" in the app\'s config file, or the networkPolicyEnforcement option of EksCluster.fromClusterName';

/** The NetworkPolicy resources written under `scope`. */
export function networkPolicyResources(scope: IConstruct): TerraformResource[] {
  return scope.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c) && NETWORK_POLICY_TYPES.includes(c.terraformResourceType));
}

/** The NetworkPolicy resources written under `scope`, by construct path. */
export function networkPoliciesIn(scope: IConstruct): string[] {
  return networkPolicyResources(scope).map((c) => c.node.path);
}

/**
 * Every NetworkPolicy written under `scope` needs an enforcer on `cluster`: without one the API
 * server accepts it and nothing blocks any traffic, so "metrics open to monitoring only" would be
 * false. A cluster that states no enforcer is an error. A cluster that states nothing (looked up
 * by name without `networkPolicyEnforcement`) gets a warning saying how to declare it: an error
 * there would stop the default existing-cluster path, which cannot look the setting up at synth.
 */
export function addNetworkPolicyEnforcementCheck(scope: IConstruct, cluster: IEksCluster): void {
  let warned = false;
  scope.node.addValidation({
    validate: () => {
      const policies = networkPoliciesIn(scope);
      const enforcement = cluster.networkPolicyEnforcement;
      if (policies.length === 0 || enforcement?.enforcer !== undefined) return [];
      const listed = policies.join(", ");
      if (enforcement === undefined) {
        if (!warned) {
          Annotations.of(scope).addWarning(
            `NetworkPolicies ${listed} are written, but it is unknown whether the cluster enforces them (without an enforcer they block nothing); ${HOW_TO_DECLARE}.`,
          );
          warned = true;
        }
        return [];
      }
      return [
        `NetworkPolicies ${listed} would not be enforced: the cluster states that nothing enforces NetworkPolicies, so they would block nothing; ${HOW_TO_DECLARE}.`,
      ];
    },
  });
}
