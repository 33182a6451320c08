import { Testing } from "cdktf";
// Brings the matcher declarations (toHaveResourceWithProperties, ...) into the type-check.
import "cdktf/lib/testing/adapters/jest";

// Registers cdktf's matchers on expect.
Testing.setupJest();
