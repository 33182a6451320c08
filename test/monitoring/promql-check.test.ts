import { checkPromql, parsePromql, promqlProblem } from "../../lib/monitoring/private/promql-check";

describe("checkPromql", () => {
  test.each([
    ["up", "vector"],
    ["up[5m]", "matrix"],
    ["1", "scalar"],
    ['"text"', "string"],
    ["scalar(up) > bool 1", "scalar"],
    ["rate(up[5m])[30m:1m]", "matrix"],
    ["max_over_time(rate(up[5m])[30m:1m] @ end())", "vector"],
    ["histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", "vector"],
    ["sum by (job) (up) * on (job) group_left (team) kube_team_info", "vector"],
  ] as const)("%s is a valid %s", (expr, type) => {
    expect(checkPromql(expr)).toEqual({ errors: [], type });
  });

  test("a type error comes with the linter's message and the offsets of the part it is about", () => {
    expect(checkPromql("rate(up)")).toEqual({ errors: [{ from: 5, to: 7, message: 'expected type matrix in call to function "rate", got vector' }] });
    expect(checkPromql("sum(abs(up[5m]))")).toEqual({ errors: [{ from: 8, to: 14, message: 'expected type vector in call to function "abs", got matrix' }] });
  });

  test("a syntax error is reported where the parser gives up, before any type check", () => {
    expect(checkPromql("sum(rate(up[5m])")).toEqual({ errors: [{ from: 16, to: 16, message: "syntax error" }] });
    // The linter alone stays silent on an error at the end (it is what a user is typing).
    expect(checkPromql("up{")).toEqual({ errors: [{ from: 3, to: 3, message: "syntax error" }] });
  });

  test("an experimental function, which the platform's Prometheus refuses, is named with the feature flag it needs", () => {
    expect(checkPromql("sum(limitk(2, up))")).toEqual({
      errors: [{ from: 4, to: 10, message: "limitk() is experimental in Prometheus and needs --enable-feature=promql-experimental-functions, which the platform does not set" }],
    });
    expect(promqlProblem('sort_by_label(up, "job")', ["vector"])).toBe(
      "sort_by_label() is experimental in Prometheus and needs --enable-feature=promql-experimental-functions, which the platform does not set at characters 1-13 (sort_by_label)",
    );
  });

  // Prometheus's own messages (promtool 3.5 gives the same for each; test/promtool/promql-types.test.ts).
  test.each([
    ["max_over_time((up)[5m])", 14, 18, "ranges only allowed for vector selectors"],
    ["rate(up[5m]) offset 1h", 0, 22, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["sum(up) @ 100", 0, 13, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"],
    ["up offset 5m offset 1m", 0, 22, "offset may not be set multiple times"],
    ["up @ 1 @ 2", 0, 10, "@ <timestamp> may not be set multiple times"],
    ["sum(up, up)", 0, 11, "wrong number of arguments for aggregate expression provided, expected 1, got 2"],
    ["topk(up)", 0, 8, "wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ] as const)("a check of Prometheus's parser the linter lacks: %s", (expr, from, to, message) => {
    expect(checkPromql(expr).errors[0]).toEqual({ from, to, message });
  });

  test("offset and @ after an operator's right operand are valid, though the UI's grammar reads them as applying to the whole", () => {
    expect(checkPromql("up > up offset 5m and up offset 5m > up offset 10m")).toEqual({ errors: [], type: "vector" });
    expect(checkPromql("-up offset 5m")).toEqual({ errors: [], type: "vector" });
    expect(checkPromql("up + sum(up) offset 1h").errors[0]?.message).toBe(
      "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
    );
  });

  test("parsePromql keeps one tree per expression, which the check and the dashboards' analysis share", () => {
    const expr = 'sum by (node) (up{job="parsed-once"})';
    expect(checkPromql(expr).type).toBe("vector");
    expect(parsePromql(expr)).toBe(parsePromql(expr));
  });

  test("the same diagnostic is reported once", () => {
    expect(checkPromql("up and on (job) 1").errors.map((e) => e.message)).toEqual([
      "vector matching only allowed between instant vectors",
      "set operator not allowed in binary scalar expression",
    ]);
  });

  test("an expression longer than an editor's first parse (3000 characters) is checked to its end", () => {
    const long = `${Array.from({ length: 200 }, (_, i) => `sum(up{job="j${i}"})`).join(" + ")} + rate(up)`;
    expect(long.length).toBeGreaterThan(4000);
    expect(checkPromql(long)).toEqual({ errors: [{ from: long.length - 3, to: long.length - 1, message: 'expected type matrix in call to function "rate", got vector' }] });
  });
});

describe("promqlProblem", () => {
  const RULE = ["vector", "scalar"] as const;

  test("quotes the offending part with 1-based characters", () => {
    expect(promqlProblem("rate(up)", RULE)).toBe('expected type matrix in call to function "rate", got vector at characters 6-7 (up)');
    expect(promqlProblem('1 + "a"', RULE)).toBe('binary expression must contain only scalar and instant vector types at characters 5-7 ("a")');
  });

  test("a syntax error shows the text around the position", () => {
    expect(promqlProblem("max(queue_depth) >", RULE)).toBe("syntax error at character 19 (max(queue_depth) >»)");
  });

  test("a valid expression of a type not accepted says what it is and what is", () => {
    expect(promqlProblem("up[5m]", RULE)).toBe("evaluates to a range vector, where only an instant vector or a scalar is accepted");
    expect(promqlProblem('"up"', RULE)).toBe("evaluates to a string, where only an instant vector or a scalar is accepted");
    expect(promqlProblem("1", ["vector"])).toBe("evaluates to a scalar, where only an instant vector is accepted");
  });

  test("nothing for a valid expression of an accepted type", () => {
    expect(promqlProblem("sum(rate(up[5m])) > 0", RULE)).toBeUndefined();
    expect(promqlProblem("vector(1)", ["vector"])).toBeUndefined();
  });
});

describe("loading", () => {
  const LINTER = "@prometheus-io/codemirror-promql/dist/cjs/parser";

  test("the linter is loaded on the first type check, not on import nor for a syntax error", () => {
    jest.isolateModules(() => {
      let loads = 0;
      jest.doMock(LINTER, () => {
        loads++;
        return jest.requireActual(LINTER);
      });
      const isolated = require("../../lib/monitoring/private/promql-check") as typeof import("../../lib/monitoring/private/promql-check");
      expect(loads).toBe(0);
      expect(isolated.checkPromql("sum(").errors).toHaveLength(1);
      expect(loads).toBe(0);
      expect(isolated.checkPromql("rate(up)").errors).toHaveLength(1);
      expect(isolated.checkPromql("up").type).toBe("vector");
      expect(loads).toBe(1);
      jest.dontMock(LINTER);
    });
  });
});

describe("syntax only, for the platform's own templates", () => {
  test("types: false skips the linter but still refuses syntax errors and what Prometheus's parser refuses", () => {
    expect(promqlProblem("rate(up)", ["vector"], { types: false })).toBeUndefined();
    expect(promqlProblem("rate(up)", ["vector"])).toMatch(/expected type matrix in call to function "rate", got vector/);
    expect(promqlProblem("sum(rate(x[5m])", ["vector"], { types: false })).toMatch(/^syntax error at character/);
    expect(promqlProblem("limitk(2, up)", ["vector"], { types: false })).toMatch(/limitk\(\) is experimental/);
    expect(promqlProblem("  ", ["vector"], { types: false })).toBe("is empty");
  });
});
