import { DataHttp } from "@cdktf/provider-http/lib/data-http";
import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { Fn, Op, TerraformSelf, TerraformStack } from "cdktf";
import { Construct } from "constructs";

/** AWS's own "what is my address" service: answers with the caller's IPv4 address and a newline. */
export const EGRESS_LOOKUP_URL = "https://checkip.amazonaws.com";

/**
 * A dotted IPv4 address, nothing else (an IPv6 answer or an error page must not become a CIDR).
 * `[.]` rather than `\.`: the pattern sits in an HCL string, where `\.` is not a valid escape.
 */
const IPV4 = "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";

/**
 * The deployer's egress address as a `/32` CIDR, resolved when Terraform plans (so on the
 * machine that deploys, not the one that synthesized). The plan stops with a clear message if
 * the lookup fails or answers anything but one IPv4 address.
 */
export function deployerEgressCidr(scope: Construct, id: string): string {
  // The http provider needs no configuration: add it to the stack once if it is missing.
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild("http")) new HttpProvider(stack, "http");
  const address = Fn.chomp(TerraformSelf.getString("response_body"));
  const lookup = new DataHttp(scope, id, {
    url: EGRESS_LOOKUP_URL,
    requestTimeoutMs: 10_000,
    retry: { attempts: 2 },
    lifecycle: {
      postcondition: [
        {
          // Expressions, so built from cdktf tokens: a hand-written "${...}" string would be escaped as text.
          condition: Op.and(Op.eq(TerraformSelf.getNumber("status_code"), 200), Fn.can(Fn.regex(IPV4, address))),
          errorMessage:
            `Looking up the deployer's egress address at ${EGRESS_LOOKUP_URL} did not return one IPv4 address, so the EKS API endpoint's allow-list cannot default to it: ` +
            "set endpointPublicAccessCidrs (in the default app: cluster.endpointPublicAccessCidrs or GPU_PLATFORM_ENDPOINT_CIDRS) to the CIDRs your deployers connect from.",
        },
      ],
    },
  });
  return `${Fn.chomp(lookup.responseBody)}/32`;
}
