import { ITerraformDependable, TerraformResource } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Makes every Terraform resource under `scope` depend on `dependencies`. Constructs' own
 * `node.addDependency` does not reach Terraform's `depends_on`; this does. Use it where a
 * literal name (a namespace, say) is passed so that plans and exported rules stay readable,
 * yet the apply must still wait for the object that name refers to.
 */
export function dependOn(scope: IConstruct, ...dependencies: ITerraformDependable[]): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof TerraformResource) {
      c.dependsOn = [...(c.dependsOn ?? []), ...dependencies.map((d) => d.fqn)];
    }
  }
}
