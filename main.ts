import { buildApp } from "./stacks/app";
import { loadConfig } from "./stacks/config";

// Defaults, then the file named by GPU_PLATFORM_CONFIG, then GPU_PLATFORM_* variables.
const { app } = buildApp(loadConfig());
app.synth();
