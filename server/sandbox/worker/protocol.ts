/** Messages between the host (supervisor.ts) and the sandbox worker process (worker/main.ts). */

/** Frames in this file are the policy's own; the host maps them through the build's source map. */
export const policyFilename = 'policy.js';

export type WorkerSettings = { memoryMb: number; timeoutMs: number };

export type CallRequest = {
  id: number;
  hash: string;
  /** The bundle; sent when the host is not sure the worker still holds this build. */
  code?: string;
  fn: string;
  /** The batch's inputs as one JSON array string: one copy across each boundary. */
  inputs: string;
  /** A JSON object whose fields every input gets (each its own copy), sent once per batch. */
  shared?: string;
  now: number;
  seed: number;
};

/** A log line; `stack` is where the policy wrote it (the host maps it to the policy's file:line). */
export type WorkerLog = {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  index?: number;
  stack?: string;
};

/** What the policy defines (from the prelude's `adopt`), reported when the build was just loaded. */
export type AdoptedPolicy = { kind: string; functions: string[]; definedAt: string };

export type CallFailure = {
  type: 'thrown' | 'timeout' | 'memory' | 'missing' | 'internal';
  /** Whether the failure happened while loading the bundle (top-level code) rather than in the call. */
  phase: 'load' | 'call';
  name?: string;
  message: string;
  stack?: string;
  /** For a timeout during a call: the index of the record that was running. */
  index?: number;
};

export type CallReply =
  | {
      id: number;
      ok: true;
      adopted?: AdoptedPolicy;
      results: string;
      logs: WorkerLog[];
      cpuNs: number;
    }
  | {
      id: number;
      ok: false;
      adopted?: AdoptedPolicy;
      failure: CallFailure;
      logs: WorkerLog[];
      cpuNs: number;
    };
