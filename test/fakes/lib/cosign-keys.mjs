// Keys of the fake cosign: real ECDSA P-256 key pairs; private keys encrypted with the password
// (scrypt + AES-GCM inside cosign's "ENCRYPTED SIGSTORE PRIVATE KEY" PEM block) so only the right
// COSIGN_PASSWORD opens them; KMS URIs name keys kept in the state directory; env:// and file
// references read like cosign's LoadFileOrURL.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Buffer } from "node:buffer";
import process from "node:process";
import { readJson, writeJson } from "./state.mjs";

const KMS = /^(awskms|gcpkms|azurekms|hashivault|k8s):\/\//;
const SCRYPT = { N: 16384, r: 8, p: 1 };

export class CosignError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

export function password() {
  if (process.env.COSIGN_PASSWORD !== undefined) return process.env.COSIGN_PASSWORD;
  try {
    return readFileSync(0, "utf8").replace(/\r?\n$/, "");
  } catch {
    return "";
  }
}

export function encryptKey(privateKey, secret) {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const key = scryptSync(secret, salt, 32, SCRYPT);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const der = privateKey.export({ type: "pkcs8", format: "der" });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final(), cipher.getAuthTag()]);
  const body = JSON.stringify({
    kdf: { name: "scrypt", params: SCRYPT, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: ciphertext.toString("base64"),
  });
  const lines = Buffer.from(body)
    .toString("base64")
    .match(/.{1,64}/g)
    .join("\n");
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${lines}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

export function decryptKey(pem) {
  const match = /-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----([\s\S]*?)-----END/.exec(pem);
  if (!match) throw new CosignError("reading key: unsupported pem type");
  const body = JSON.parse(Buffer.from(match[1].replace(/\s+/g, ""), "base64").toString("utf8"));
  const key = scryptSync(password(), Buffer.from(body.kdf.salt, "base64"), 32, SCRYPT);
  const data = Buffer.from(body.ciphertext, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(body.cipher.nonce, "base64"));
  decipher.setAuthTag(data.subarray(data.length - 16));
  try {
    const der = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    throw new CosignError("reading key: decrypt: encrypted: decryption failed");
  }
}

export function kmsKey(uri, state) {
  const file = join(state, "kms", `${createHash("sha256").update(uri).digest("hex")}.json`);
  let stored = readJson(file, undefined);
  if (!stored) {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    stored = { uri, pkcs8: privateKey.export({ type: "pkcs8", format: "pem" }) };
    writeJson(file, stored);
  }
  return createPrivateKey(stored.pkcs8);
}

/** Reads a key reference the way cosign's LoadFileOrURL does (plain paths, env://, KMS). */
export function keyText(reference) {
  if (reference.startsWith("env://")) {
    const value = process.env[reference.slice(6)];
    if (!value) throw new CosignError(`reading key: env var ${reference.slice(6)} is not set`);
    return value;
  }
  const path = resolve(process.cwd(), reference);
  if (!existsSync(path)) throw new CosignError(`reading key: open ${reference}: no such file or directory`);
  return readFileSync(path, "utf8");
}

export function signer(reference, state) {
  if (KMS.test(reference)) return kmsKey(reference, state);
  return decryptKey(keyText(reference));
}

export function verifier(reference, state) {
  if (KMS.test(reference)) return createPublicKey(kmsKey(reference, state));
  const text = keyText(reference);
  try {
    return createPublicKey(text);
  } catch {
    throw new CosignError("loading public key: PEM decoding failed");
  }
}
