// The fake cosign on PATH with its own state, a project directory with a key pair made by
// `cosign generate-key-pair` (the fake's, real ECDSA keys encrypted with a password), and
// secrets the way the engine hands them to actions.
import { execa } from "execa";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import cosign from "../../../src/executors/cosign.js";
import type { TestContext } from "../../helpers/action-context.js";
import { tempDir } from "../../helpers/servers.js";
import { fakeTool, pathWithFakes, type FakeTool } from "../tool-fakes.js";

export const PASSWORD = "correct horse battery staple";
export const DIGEST = `sha256:${"a1".repeat(32)}`;
export const OTHER_DIGEST = `sha256:${"b2".repeat(32)}`;
export const IMAGE = "registry.example.com/acme/api";

export interface CosignProject extends FakeTool {
  /** A context whose secrets hold these values. */
  withSecrets(secrets: Record<string, string>, overrides?: Partial<TestContext>): Promise<TestContext>;
  /** Makes a key pair with the fake cosign (prefix.key, prefix.pub) in the project directory. */
  keyPair(prefix: string, password: string): Promise<void>;
  /** What tags name, for cosign verify by tag. */
  tags(map: Record<string, string>): void;
}

let keys: Promise<string> | undefined;

/** One key pair per test file, made by the fake's generate-key-pair, copied into each project. */
function sharedKeys(): Promise<string> {
  keys ??= (async () => {
    const dir = tempDir("cosign-keys");
    await execa("cosign", ["generate-key-pair"], {
      cwd: dir,
      env: { ...process.env, PATH: pathWithFakes(), COSIGN_PASSWORD: PASSWORD },
    });
    return dir;
  })();
  return keys;
}

export async function cosignProject(): Promise<CosignProject> {
  const fake = fakeTool(cosign, "RELCTL_FAKE_COSIGN_STATE");
  const keyPair = async (prefix: string, password: string) => {
    await execa("cosign", ["generate-key-pair", "--output-key-prefix", prefix], {
      cwd: fake.cwd,
      env: { ...fake.env, COSIGN_PASSWORD: password },
    });
  };
  const keys = await sharedKeys();
  for (const file of ["cosign.key", "cosign.pub"]) copyFileSync(join(keys, file), join(fake.cwd, file));
  return {
    ...fake,
    keyPair,
    withSecrets: (secrets, overrides = {}) =>
      fake.context({ secrets: { get: (name) => secrets[name] }, ...overrides }),
    tags: (map) => writeFileSync(join(fake.state, "tags.json"), JSON.stringify(map)),
  };
}
