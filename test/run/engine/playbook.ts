// Shared by the engine tests: the first lines of every playbook they run.
export const header = "apiVersion: relctl/v1\nname: engine\n";
