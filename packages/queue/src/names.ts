/** BullMQ queue names and Redis keys msf uses (all under BullMQ's `bull:` prefix or `msf:`). */

/** A distribution's first step, for any worker that offers what it needs. */
export const sharedQueue = (accel: "any" | "kvm") => (accel === "kvm" ? "msf-steps-kvm" : "msf-steps");

/** The later steps of a distribution whose VM a worker holds: only that worker takes them. */
export const workerQueue = (workerId: string) => `msf-worker-${workerId}`;

/** Each worker's capabilities and state, by id (a hash of JSON). */
export const WORKERS_KEY = "msf:workers";

/** Cancel a job: its id, published to every worker. */
export const CANCEL_CHANNEL = "msf:cancel";

/** Progress lines of a run's steps, published by the workers. */
export const linesChannel = (runId: string) => `msf:lines:${runId}`;
