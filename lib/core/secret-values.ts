/**
 * Which names and values may hold a credential, so that no message, warning or plan comment
 * ever repeats one. Errs on the side of hiding: a hidden harmless value costs a user a look at
 * their own file; a printed token ends up in CI logs for good.
 */

/** Words that, inside a setting's or a variable's name, say it holds a credential. */
const SECRET_WORDS = new Set([
  "secret", "secrets", "password", "passwd", "pwd", "passphrase", "token", "tokens", "credential", "credentials",
  "webhook", "webhooks", "auth", "authorization", "bearer", "cookie", "session", "signature", "dsn", "apikey",
  "privatekey", "accesskey", "pat",
]);
/** "key" is a credential after these words (apiKey, routingKey, HF_API_KEY), or as the last word of a name. */
const KEY_QUALIFIERS = new Set(["api", "access", "private", "routing", "integration", "service", "secret", "signing", "license", "client", "master", "encryption"]);

/** The lower-case words of a name: camelCase, snake_case, kebab-case, dotted paths and brackets. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Last words that make a name point at a secret rather than hold one (`secretName`, `secretId`, `tokenFile`). */
const REFERENCE_WORDS = new Set(["name", "names", "id", "ids", "ref", "refs", "arn", "arns", "file", "files", "path", "stage", "version", "namespace"]);

/**
 * Whether a setting, prop, key or environment variable name says it holds a credential. Only
 * the last segment of a path counts (`receivers[0].apiUrl.key` is the key name of a reference).
 */
export function isSecretName(name: string): boolean {
  const segments = name.split(/[.[\]]+/).filter((s) => s !== "");
  const words = nameWords(segments[segments.length - 1] ?? "");
  if (words.length === 0 || REFERENCE_WORDS.has(words[words.length - 1])) return false;
  // A bare "key" names a key of a Secret or a map, not a credential.
  if (words.length === 1 && words[0] === "key") return false;
  return words.some((w, i) => {
    if (SECRET_WORDS.has(w)) return true;
    if (w === "key" || w === "keys") return i === words.length - 1 || (i > 0 && KEY_QUALIFIERS.has(words[i - 1]));
    // Slack's and other webhooks' `apiUrl` is the credential itself.
    if (w === "url" && i > 0 && (words[i - 1] === "api" || words[i - 1] === "hook")) return true;
    return false;
  });
}

/** Prefixes of well-known token formats (Slack, GitHub, GitLab, Hugging Face, OpenAI-style, AWS keys, JWTs). */
const TOKEN_PREFIX = /(?:^|[^A-Za-z0-9])(?:xox[abposr]-|xapp-|ghp_|gho_|ghs_|github_pat_|glpat-|hf_[A-Za-z0-9]{8}|sk-[A-Za-z0-9]{8}|AKIA[A-Z0-9]{12}|ASIA[A-Z0-9]{12}|eyJ[A-Za-z0-9_-]{10})/;
/** A URL with user information (`https://user:pass@host`, `https://token@host`). */
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i;
/** A query parameter whose name says it carries a credential. */
const URL_SECRET_PARAM = /[?&;]([^=&;#]+)=/g;
/** A run of characters that random credentials are made of; separators (- . / :) end a run. */
const RANDOM_RUN = /[A-Za-z0-9_+=]{20,}/g;

/**
 * A snake_case identifier (a metric or label name such as kube_pod_container_status_restarts_total
 * or inference_p99_latency_seconds): three or more words, each in one case with digits only at
 * its end. Random keys rarely hold two underscores, let alone between such words.
 */
const IDENTIFIER = /^(?:[a-z]{1,20}[0-9]*|[A-Z]{1,20}[0-9]*|[0-9]{1,6})(?:_(?:[a-z]{1,20}[0-9]*|[A-Z]{1,20}[0-9]*|[0-9]{1,6})){2,}$/;

function looksRandom(run: string): boolean {
  // "xxxx…" or "aaaa1111…" is a typo or a test, not a key: random strings use many characters.
  if (new Set(run).size < 10 || IDENTIFIER.test(run)) return false;
  const digits = /[0-9]/.test(run);
  const letters = /[A-Za-z]/.test(run);
  const mixedCase = /[a-z]/.test(run) && /[A-Z]/.test(run);
  return (digits && letters) || (mixedCase && run.length >= 24) || run.length >= 40;
}

/** Whether a value has the shape of a credential: a known token format, a URL carrying one, a long random string. */
export function looksLikeCredential(value: string): boolean {
  if (TOKEN_PREFIX.test(value) || URL_USERINFO.test(value)) return true;
  for (const param of value.matchAll(URL_SECRET_PARAM)) {
    if (isSecretName(param[1]) || ["key", "sig", "code", "access_token"].includes(param[1].toLowerCase())) return true;
  }
  // A digest (sha256:<hex>) is a long random string that is public by design.
  const withoutDigests = value.replace(/\bsha(?:256|384|512):[0-9a-f]+/gi, "");
  return [...withoutDigests.matchAll(RANDOM_RUN)].some((m) => looksRandom(m[0]));
}
