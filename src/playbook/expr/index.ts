// Public API of relctl's expression language: `${{ … }}` inside playbook strings.
// Our own small parser and tree-walking evaluator: no eval, no Function, no prototype access.
export * from "./types.js";
export { parseTemplate, hasExpression, referencesIn, type Template } from "./template.js";
export { evaluateTemplate, evaluateCondition, renderDeep, collectUnresolved } from "./evaluate.js";
export { FUNCTIONS, type FunctionSpec } from "./functions.js";
export { MAX_DEPTH } from "./parser.js";
