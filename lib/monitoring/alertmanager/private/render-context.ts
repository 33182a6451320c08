import { IConstruct } from "constructs";
import { PlatformConfigError } from "../../../core/errors";
import {
  checkDns1123Label,
  checkIntRange,
  checkPrometheusLabelName,
  isToken,
  parsePrometheusDuration,
} from "../../../core/validate";
import { AlertDuration } from "../alert-duration";
import { ALERT_SEVERITIES, isAlertSeverity } from "../alert-severity";
import { SECRET_FILE_FIELD_SINCE, SecretFileField } from "../alertmanager-version";
import { AlertmanagerSecret, SecretsManagerSource } from "../alertmanager-secret";
import { LabelMatcher } from "../label-matcher";

/** One value to copy from Secrets Manager into the generated Kubernetes Secret. */
export interface SecretsManagerValue {
  /** Key in the generated Kubernetes Secret. */
  readonly key: string;
  readonly secretId: string;
  readonly jsonKey?: string;
  readonly versionStage: string;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const SMARTHOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const OPERATORS: readonly string[] = ["=", "!=", "=~", "!~"];
/** "..." in group_by: group by every label, i.e. one group per alert. */
export const GROUP_BY_ALL = "...";
export const DEFAULT_SECRETS_MANAGER_VERSION_STAGE = "AWSCURRENT";

/**
 * State of one rendering: where errors point, which `*_file` fields the target version has,
 * and every secret file the config refers to (collected as receivers are rendered).
 */
export class RenderContext {
  private readonly kubernetesSecrets = new Set<string>();
  private readonly secretsManagerValues = new Map<string, SecretsManagerValue>();

  constructor(
    public readonly scope: IConstruct | string,
    private readonly targetMinor: number,
    private readonly mountPath: string,
    private readonly secretsManagerSecretName: string,
  ) {}

  public error(prop: string, value: unknown, accepted: string): PlatformConfigError {
    return new PlatformConfigError(this.scope, prop, value, accepted);
  }

  /** Kubernetes Secrets the Alertmanager pods must mount, sorted. */
  public secretNames(): string[] {
    const names = new Set(this.kubernetesSecrets);
    if (this.secretsManagerValues.size > 0) names.add(this.secretsManagerSecretName);
    return [...names].sort();
  }

  public secretsManagerCopies(): SecretsManagerValue[] {
    return [...this.secretsManagerValues.values()];
  }

  /**
   * The file path of a secret, after checking that the target Alertmanager reads `field`
   * from a file: a secret is never rendered inline, so an older target is an error.
   */
  public secretFile(prop: string, secret: AlertmanagerSecret, field: SecretFileField, yamlField: string): string {
    const since = SECRET_FILE_FIELD_SINCE[field];
    if (this.targetMinor < since) {
      throw this.error(
        "targetVersion",
        `0.${this.targetMinor}`,
        `must be at least 0.${since} for ${prop}: Alertmanager reads it from a file (${yamlField}) only since 0.${since}, and secrets are never rendered inline`,
      );
    }
    const source = secret.source;
    if (source.kind === "kubernetes") {
      checkDns1123Label(this.scope, `${prop}.secretName`, source.secretName);
      this.checkSecretKey(`${prop}.key`, source.key);
      if (source.secretName === this.secretsManagerSecretName) {
        throw this.error(
          `${prop}.secretName`,
          source.secretName,
          "must differ from secretsManagerSecretName, the Secret that holds the values copied from Secrets Manager",
        );
      }
      this.kubernetesSecrets.add(source.secretName);
      return `${this.mountPath}/${source.secretName}/${source.key}`;
    }
    const key = this.secretsManagerKey(prop, source);
    return `${this.mountPath}/${this.secretsManagerSecretName}/${key}`;
  }

  private secretsManagerKey(prop: string, source: SecretsManagerSource): string {
    if (source.key === undefined && isToken(source.secretId)) {
      throw this.error(`${prop}.key`, source.key, "must be set when secretId is a token (no key can be derived from it)");
    }
    const key = source.key ?? derivedKey(source);
    this.checkSecretKey(`${prop}.key`, key);
    const value: SecretsManagerValue = {
      key,
      secretId: source.secretId,
      jsonKey: source.jsonKey,
      versionStage: source.versionStage ?? DEFAULT_SECRETS_MANAGER_VERSION_STAGE,
    };
    const seen = this.secretsManagerValues.get(key);
    if (seen && (seen.secretId !== value.secretId || seen.jsonKey !== value.jsonKey || seen.versionStage !== value.versionStage)) {
      throw this.error(
        `${prop}.key`,
        key,
        `must be unique per Secrets Manager value; it is already used for ${JSON.stringify(seen.secretId)}${seen.jsonKey ? `/${seen.jsonKey}` : ""}, set 'key' to tell them apart`,
      );
    }
    this.secretsManagerValues.set(key, value);
    return key;
  }

  private checkSecretKey(prop: string, key: string): void {
    if (isToken(key)) return;
    if (!SECRET_KEY.test(key) || key.length > 253) {
      throw this.error(prop, key, "must be a Kubernetes Secret key: 1-253 characters of [-._a-zA-Z0-9]");
    }
  }

  public duration(prop: string, value: AlertDuration, positive: boolean): string {
    const seconds = parsePrometheusDuration(this.scope, prop, value.text);
    if (positive && seconds <= 0) {
      throw this.error(prop, value.text, "must be a Prometheus duration greater than zero");
    }
    return value.text;
  }

  public labelName(prop: string, value: string): string {
    checkPrometheusLabelName(this.scope, prop, value);
    return value;
  }

  public groupBy(prop: string, labels: readonly string[]): string[] {
    if (labels.includes(GROUP_BY_ALL)) {
      if (labels.length !== 1) {
        throw this.error(prop, labels, `must be ["${GROUP_BY_ALL}"] alone (group by every label) or a list of label names`);
      }
      return [GROUP_BY_ALL];
    }
    return labels.map((label, i) => this.labelName(`${prop}[${i}]`, label));
  }

  /** Renders `label<op>"value"` after checking the label name, the operator, regexes and severities. */
  public matcher(prop: string, m: LabelMatcher): string {
    this.labelName(`${prop}.label`, m.label);
    if (!OPERATORS.includes(m.operator)) {
      throw this.error(`${prop}.operator`, m.operator, `must be one of ${OPERATORS.join(", ")}`);
    }
    const regex = m.operator === "=~" || m.operator === "!~";
    if (regex && !isToken(m.value)) {
      try {
        new RegExp(`^(?:${m.value})$`);
      } catch {
        throw this.error(`${prop}.value`, m.value, "must be a valid regular expression");
      }
    }
    if (m.label === "severity" && !isToken(m.value)) {
      const values = regex ? m.value.split("|") : [m.value];
      if (!values.every(isAlertSeverity)) {
        throw this.error(
          `${prop}.value`,
          m.value,
          `must be a severity (${ALERT_SEVERITIES.join(", ")})${regex ? " or an alternation of them such as \"warning|info\"" : ""}`,
        );
      }
    }
    return `${m.label}${m.operator}"${escapeMatcherValue(m.value)}"`;
  }

  public matchers(prop: string, list: readonly LabelMatcher[]): string[] {
    return list.map((m, i) => this.matcher(`${prop}[${i}]`, m));
  }

  public httpUrl(prop: string, value: string | undefined): string {
    if (value === undefined) throw this.error(prop, value, "must be an http:// or https:// URL");
    if (isToken(value)) return value;
    let protocol = "";
    try {
      protocol = new URL(value).protocol;
    } catch {
      // reported below
    }
    if (protocol !== "http:" && protocol !== "https:") {
      throw this.error(prop, value, "must be an http:// or https:// URL");
    }
    return value;
  }

  public smarthost(prop: string, value: string | undefined): string {
    if (value !== undefined && (isToken(value) || SMARTHOST.test(value))) return value;
    throw this.error(prop, value, 'must be the SMTP relay as host:port, e.g. "smtp.example.com:587"');
  }

  public nonEmpty(prop: string, value: string | undefined): string {
    if (value === undefined || value.trim() === "") throw this.error(prop, value, "must be a non-empty string");
    return value;
  }

  public nonNegativeInt(prop: string, value: number): number {
    checkIntRange(this.scope, prop, value, 0, 1_000_000);
    return value;
  }
}

/** Matcher values are double-quoted; backslash, quote and newline are escaped as Alertmanager's parser expects. */
function escapeMatcherValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function derivedKey(source: SecretsManagerSource): string {
  const raw = source.jsonKey === undefined ? source.secretId : `${source.secretId}.${source.jsonKey}`;
  return raw.replace(/[^-._a-zA-Z0-9]/g, "-");
}
