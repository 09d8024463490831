// What user executor modules import: `import { z, defineAction, StepFailure } from "relctl"`.
export { z } from "zod";
export { defineAction, StepFailure } from "./executors/contract.js";
export type { Action, ActionContext, ActionPlan, Executor, Outputs } from "./executors/contract.js";
