import { TerraformStack } from "cdktf";
import { IValidation } from "constructs";
import { TerraformJsonDocument, formatOrderingFinding, orderingFindings } from "./ordering-check";

/**
 * Runs `orderingFindings` on the stack's own synthesis (`toTerraform()`, the document cdktf
 * writes to cdk.tf.json), so the proof covers every resource in the stack, not just the ones
 * this library built. Costs one extra rendering of the stack at synth.
 */
export class StackOrderingValidation implements IValidation {
  constructor(private readonly stack: TerraformStack) {}

  public validate(): string[] {
    let doc: TerraformJsonDocument;
    try {
      doc = this.stack.toTerraform() as TerraformJsonDocument;
    } catch {
      // The stack does not render; synthesis reports that error itself, right after validation.
      return [];
    }
    return orderingFindings(doc).map(formatOrderingFinding);
  }
}

const ADDED = Symbol.for("cdktf-gpu-inference.ordering-validation");

/** Adds the ordering proof to a stack's validations (once, however often it is called). */
export function addOrderingValidation(stack: TerraformStack): void {
  const marked = stack as unknown as Record<symbol, boolean | undefined>;
  if (marked[ADDED]) return;
  marked[ADDED] = true;
  stack.node.addValidation(new StackOrderingValidation(stack));
}
