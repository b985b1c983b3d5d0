// Timeout kill latency: how late after its deadline does the supervisor signal and reap a child?
// Baseline in the same script: coreutils `timeout` doing the same job on the same command.
// Goal: msf's kill no more than 1 s after the deadline (it should be within milliseconds).
import { spawn } from "node:child_process";
import { run, type SupervisorEvent } from "@msf/supervisor";
import { report, summarize } from "./stats.ts";

const RUNS = Number(process.env.RUNS ?? 20);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 500);

const msfSignal: number[] = [];
const msfExit: number[] = [];
const baselineExit: number[] = [];

for (let i = 0; i < RUNS; i++) {
  let killedAt = 0;
  const started = Date.now();
  const result = await run({
    name: "bench-sleeper",
    command: "sleep",
    args: ["60"],
    timeoutMs: TIMEOUT_MS,
    onEvent: (event: SupervisorEvent) => {
      if (event.type === "killed" && !killedAt) killedAt = event.at;
    },
  });
  if (!result.timedOut) throw new Error("the sleeper was expected to time out");
  msfSignal.push(killedAt - started - TIMEOUT_MS);
  msfExit.push(result.durationMs - TIMEOUT_MS);
  baselineExit.push((await coreutilsTimeout()) - TIMEOUT_MS);
}

function coreutilsTimeout(): Promise<number> {
  const started = Date.now();
  const child = spawn("timeout", [`${TIMEOUT_MS / 1000}s`, "sleep", "60"], { stdio: "ignore" });
  return new Promise((resolve) => child.once("exit", () => resolve(Date.now() - started)));
}

const rows = {
  "msf: SIGTERM sent after the deadline": summarize(msfSignal),
  "msf: child reaped after the deadline": summarize(msfExit),
  "baseline (coreutils timeout): exited after the deadline": summarize(baselineExit),
};
report("kill-latency", {
  runs: RUNS,
  timeoutMs: TIMEOUT_MS,
  unit: "ms late",
  rows,
  goal: "msf reaps within 1000 ms of the deadline",
  met: Math.max(...msfExit) <= 1000,
});
