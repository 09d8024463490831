// The kubectl executor: break-glass actions for when helm or the pipeline cannot be used —
// watch a rollout, undo it, set an image — each with kube-context and namespace. Written against
// kubectl 1.28–1.33 (tested on 1.31 and 1.33). Inputs, outputs and examples: docs/executors/kubectl.md.
import type { Executor } from "./contract.js";
import { rolloutStatus, rolloutUndo, setImage } from "./kubectl/rollout.js";

const kubectl: Executor = {
  name: "kubectl",
  description: "Break-glass Kubernetes actions: rollout status, rollout undo, set image",
  actions: {
    rollout_status: rolloutStatus,
    rollout_undo: rolloutUndo,
    set_image: setImage,
  },
};

export default kubectl;
