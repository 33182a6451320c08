import { PlatformConfigError } from "./errors";
import { isToken } from "./validate";

/** Characters AWS accepts in tag keys and values across services (letters, digits, spaces, _ . : / = + - @). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Checks tags as AWS does before a resource is created: keys of 1-128 characters outside the
 * reserved `aws:` prefix, values of at most 256, the common character set, at most 50 per resource.
 */
export function checkAwsTags(scope: string, prop: string, tags: Readonly<Record<string, string>>): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw new PlatformConfigError(scope, prop, entries.length, "must hold at most 50 tags (AWS limit per resource)");
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128) throw new PlatformConfigError(scope, prop, key, "must have keys of 1-128 characters (AWS tag key limit)");
    if (key.toLowerCase().startsWith("aws:")) throw new PlatformConfigError(scope, prop, key, "must not have keys starting with the reserved prefix aws:");
    if (!TAG_TEXT.test(key)) throw new PlatformConfigError(scope, prop, key, "must have keys of letters, digits, spaces and _ . : / = + - @ only (AWS tag characters)");
    if (isToken(value)) continue;
    if (value.length > 256) throw new PlatformConfigError(scope, `${prop}.${key}`, value, "must be at most 256 characters (AWS tag value limit)");
    if (!TAG_TEXT.test(value)) throw new PlatformConfigError(scope, `${prop}.${key}`, value, "must use letters, digits, spaces and _ . : / = + - @ only (AWS tag characters)");
  }
}
