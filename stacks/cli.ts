import { App } from "cdktf";
import { IConstruct } from "constructs";
import { PlatformConfigError } from "../lib/core/errors";

/** Where a CLI entry point writes and how it ends; replaceable in tests. */
export interface CliIo {
  readonly stderr: (line: string) => void;
  readonly exit: (code: number) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const PROCESS_IO: CliIo = {
  stderr: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
  env: process.env,
};

/** Set to 1 for the stack trace of an error. */
export const DEBUG_ENV = "GPU_PLATFORM_DEBUG";

const VALIDATION_HEADER = "Validation failed with the following errors:";
/** cdktf's validation lines: "  [stack] message". */
const VALIDATION_LINE = /^\s*\[([^\]]+)\] (.*)$/;

/**
 * The user-facing lines of an error: one `error: ...` line per problem. A configuration or
 * synth-time check names its setting already; anything else is a bug of ours, said as such.
 */
export function errorLines(error: unknown): string[] {
  if (error instanceof PlatformConfigError) return [`error: ${error.message}`];
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith(VALIDATION_HEADER)) {
    return message
      .split("\n")
      .map((line) => VALIDATION_LINE.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `error: ${m[1]}: ${m[2]}`);
  }
  return [`error: unexpected failure (a bug: please report it with the output of ${DEBUG_ENV}=1): ${message.split("\n")[0]}`];
}

/** Warnings the constructs attached (Annotations.addWarning), as `warning: <path>: <message>`. */
export function warningLines(root: IConstruct): string[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `warning: ${c.node.path}: ${String(m.data)}`),
  );
}

/**
 * Runs a CLI entry point: errors become one line each on stderr and exit code 1, never a
 * stack trace unless GPU_PLATFORM_DEBUG=1. Under plain `node` the constructs' warnings are
 * printed too; the cdktf CLI prints them itself (it sets SYNTH_HCL_OUTPUT for the app).
 */
export function runCli(main: () => App | void, io: CliIo = PROCESS_IO): void {
  try {
    const app = main();
    if (app && io.env.SYNTH_HCL_OUTPUT === undefined) warningLines(app).forEach((line) => io.stderr(line));
  } catch (error) {
    errorLines(error).forEach((line) => io.stderr(line));
    if (io.env[DEBUG_ENV] === "1" && error instanceof Error && error.stack) io.stderr(error.stack);
    io.exit(1);
  }
}
