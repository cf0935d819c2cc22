export type { EngineReplicas } from "./engine-replicas.js";
export type { ReplicasStatus, ReplicaStatus, ReplicaHealthReport } from "./replica-status.js";
