import { Testing } from "cdktf";
// Brings the matcher declarations (toHaveResourceWithProperties, ...) into the type-check.
import "cdktf/lib/testing/adapters/jest";

// A new cluster's public API endpoint needs the deployers' CIDRs; the tests and the processes
// they start (dist/main.js, plan:diff) deploy from TEST-NET-3 (RFC 5737) unless told otherwise.
process.env.GPU_PLATFORM_ENDPOINT_CIDRS ??= "203.0.113.0/24";

// Registers cdktf's matchers on expect.
Testing.setupJest();
