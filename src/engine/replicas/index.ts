export type { EngineReplicas, ReadYourWritesOptions } from "./engine-replicas.js";
export type { ReplicasStatus, ReplicaStatus, ReplicaHealthReport } from "./replica-status.js";
