/** Jest through SWC: no type-checking here (that is `tsc --noEmit`), so tests start fast. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  setupFilesAfterEnv: ["<rootDir>/test/support/setup-jest.ts"],
  moduleFileExtensions: ["ts", "js", "json"],
  // Heavy provider modules load once per worker; two cores, two workers.
  maxWorkers: 2,
};
