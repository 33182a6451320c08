import { buildApp } from "./stacks/app";
import { runCli } from "./stacks/cli";
import { loadConfig } from "./stacks/config";

// Defaults, then the file named by GPU_PLATFORM_CONFIG, then GPU_PLATFORM_* variables.
runCli(() => {
  const { app } = buildApp(loadConfig());
  app.synth();
  return app;
});
