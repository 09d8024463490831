// A release rule refused something (a forced version that goes backwards, a changelog without an
// [Unreleased] section). Pure release code throws this; the git executor turns it into a
// StepFailure and the CLI into a RelctlError, each keeping the hint.
export class ReleaseRuleError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = "ReleaseRuleError";
    this.hint = hint;
  }
}
