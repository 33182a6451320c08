import { IConstruct } from "constructs";

/**
 * A typed value attached to constructs so that a synth-time check elsewhere in the tree can
 * find them (GPU DaemonSets, ServiceMonitors, metrics adapters, HPAs). The key is a global
 * symbol, so two copies of the library in one app still see each other's tags.
 */
export class ConstructTag<T> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol.for(`cdktf-gpu-inference.${name}`);
  }

  public set(construct: IConstruct, value: T): void {
    (construct as unknown as Record<symbol, T>)[this.key] = value;
  }

  public get(construct: IConstruct): T | undefined {
    return (construct as unknown as Record<symbol, T | undefined>)[this.key];
  }

  /** Every construct under `scope` (itself included) carrying this tag, with its value. */
  public findAll(scope: IConstruct): { construct: IConstruct; value: T }[] {
    return scope.node.findAll().flatMap((construct) => {
      const value = this.get(construct);
      return value === undefined ? [] : [{ construct, value }];
    });
  }
}
