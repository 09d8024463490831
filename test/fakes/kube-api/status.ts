// The API's error answers: a v1 Status object with the reason and HTTP code Kubernetes uses, so
// helm and kubectl print the same "Error from server (NotFound): …" they print against a cluster.
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

export const notFound = (what: string, name: string, kind: string, group: string) =>
  new ApiError(404, "NotFound", `${what} "${name}" not found`, { name, group, kind });

export const alreadyExists = (what: string, name: string, kind: string, group: string) =>
  new ApiError(409, "AlreadyExists", `${what} "${name}" already exists`, { name, group, kind });

export const conflict = (what: string, name: string) =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name },
  );

/** 422 with the field errors Kubernetes lists ("spec.selector: Required value"). */
export const invalid = (kind: string, name: string, causes: { field: string; message: string }[]) =>
  new ApiError(
    422,
    "Invalid",
    `${kind} "${name}" is invalid: ${causes.map((cause) => `${cause.field}: ${cause.message}`).join(", ")}`,
    { name, kind, causes: causes.map((cause) => ({ reason: "FieldValueInvalid", ...cause })) },
  );

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);
