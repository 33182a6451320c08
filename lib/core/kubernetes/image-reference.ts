import { PlatformConfigError } from "../errors";
import { isToken } from "../validate";

// The grammar of distribution/reference (the one container runtimes parse image names with).
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}";
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Checks an OCI image reference (`registry.example.com/team/server:1.2.0`, `...@sha256:<hex>`). */
export function checkImageReference(scope: ConstructorParameters<typeof PlatformConfigError>[0], prop: string, image: string): void {
  if (isToken(image)) return;
  const m = REFERENCE.exec(image);
  // The name (domain and path) is at most 255 characters.
  if (!m || (m[1] ? m[1].length + 1 : 0) + m[2].length > 255) {
    throw new PlatformConfigError(scope, prop, image, "must be an OCI image reference such as registry.example.com/team/server:1.2.0 or .../server@sha256:<digest>");
  }
}
