// Reading cosign verify's JSON. Each entry is the signed payload, but cosign adds its own fields
// to `optional` next to the signed annotations: the Rekor bundle ("Bundle"), and for a
// certificate its "Subject", "Issuer", the issuer's OID and the GitHub workflow extensions. So
// `optional` is not "the signed annotations": relctl reports only the annotations the playbook
// asked cosign to check (-a), and the certificate's identity separately.

export type Optional = Record<string, unknown> | null | undefined;

/** The annotations the playbook required, with the values the signature carries for them. */
export function requiredAnnotations(
  optional: Optional,
  required: Record<string, string>,
): Record<string, string> {
  const signed = optional ?? {};
  const found: Record<string, string> = {};
  for (const key of Object.keys(required)) {
    const value = signed[key];
    if (typeof value === "string") found[key] = value;
  }
  return found;
}

export interface CertificateIdentity {
  subject: string;
  issuer: string;
}

/**
 * The signing certificate's identity, for a keyless verify only: then cosign checked it against
 * certificate_identity and the issuer, and wrote it into `optional` itself. With a key there is
 * no certificate, and a "Subject" in `optional` would be an annotation the signer chose.
 */
export function certificateIdentity(optional: Optional, keyless: boolean): CertificateIdentity {
  if (!keyless || !optional) return { subject: "", issuer: "" };
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  return { subject: text(optional.Subject), issuer: text(optional.Issuer) };
}
