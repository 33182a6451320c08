import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * The firing alerts that the promtool unit tests beside this file expect, exactly as promtool
 * checks them against the rendered rules on cluster-realistic series: label sets (with
 * `alertname`) and annotations. Other tests (inhibition, a real Alertmanager) read their alerts
 * from here, so they work on what the rules really produce rather than on hand-made labels.
 */
export interface ExpectedAlert {
  /** Unit test file, test name and eval time: alerts of one moment fire together. */
  readonly file: string;
  readonly test: string;
  readonly evalTime: string;
  /** The rule files the unit test loads. */
  readonly ruleFiles: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

interface UnitTestFile {
  readonly rule_files: readonly string[];
  readonly tests: readonly {
    readonly name?: string;
    readonly alert_rule_test?: readonly {
      readonly eval_time: string;
      readonly alertname: string;
      readonly exp_alerts?: readonly { readonly exp_labels?: Record<string, string>; readonly exp_annotations?: Record<string, string> }[];
    }[];
  }[];
}

export function expectedAlerts(): ExpectedAlert[] {
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(".test.yaml"))
    .sort();
  return files.flatMap((file) => {
    // merge: the files share label sets through YAML merge keys (`<<: *a1`).
    const unit = parse(fs.readFileSync(path.join(__dirname, file), "utf8"), { merge: true }) as UnitTestFile;
    return unit.tests.flatMap((t) =>
      (t.alert_rule_test ?? []).flatMap((c) =>
        (c.exp_alerts ?? []).map((a) => ({
          file,
          test: t.name ?? "",
          evalTime: c.eval_time,
          ruleFiles: unit.rule_files,
          labels: { alertname: c.alertname, ...stringValues(a.exp_labels ?? {}) },
          annotations: stringValues(a.exp_annotations ?? {}),
        })),
      ),
    );
  });
}

/** The one expected alert with these labels (a subset), in tests whose name starts with `test`; fails when none or several match. */
export function findExpectedAlert(alerts: readonly ExpectedAlert[], where: Readonly<Record<string, string>>, test = ""): ExpectedAlert {
  const found = alerts.filter((a) => a.test.startsWith(test) && Object.entries(where).every(([k, v]) => a.labels[k] === v));
  if (found.length !== 1) {
    throw new Error(`expected one promtool-tested alert with ${JSON.stringify(where)} in a test '${test}...', found ${found.length}`);
  }
  return found[0];
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)]));
}
