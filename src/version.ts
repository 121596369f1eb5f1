import { createRequire } from "node:module";

// Both src/ (under vitest) and dist/ sit one level below package.json.
const manifest = createRequire(import.meta.url)("../package.json") as { version: string };

/** The exporter's version, from package.json. */
export const VERSION: string = manifest.version;
