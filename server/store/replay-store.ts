import type { Connector } from '../core/connector-port.ts';
import type { RunStore } from '../core/store-port.ts';
import type { SnapshotLine } from './run-snapshots.ts';

/** Thrown by anything a replay must not do: a replay writes nothing. */
export class ReplayWriteRefused extends Error {
  override name = 'ReplayWriteRefused';
}

/**
 * The run store a replay plans with: it reads the IDM, links and key sets as a run does, and
 * stages under its own scratch run; it stores no events (the replay's recorder compares them),
 * remembers no decisions, moves no watermark and applies nothing.
 */
export function replayStore(store: RunStore): RunStore {
  const refuse = (what: string) => async () => {
    throw new ReplayWriteRefused(`a replay writes nothing: it may not ${what}`);
  };
  return {
    ...store,
    insertEvents: async () => {},
    deleteEvents: async () => {},
    saveMemos: async () => {},
    applyBatch: refuse('apply actions'),
    advanceWatermark: refuse('move a watermark'),
  };
}

/**
 * A managed system as a recorded run read it: `search` streams the snapshot's accounts in the
 * order the run read them; reading an account's disabled state is the real connector type's;
 * writes are refused.
 */
export function recordedConnector(real: Connector, snapshot: () => AsyncIterable<SnapshotLine[]>): Connector {
  return {
    test: () => real.test(),
    schema: () => real.schema(),
    async *search() {
      for await (const part of snapshot()) {
        const accounts = part.flatMap((line) => (line.account ? [line.account] : []));
        if (accounts.length > 0) yield { accounts, problems: [] };
      }
    },
    ...(real.isDisabled ? { isDisabled: real.isDisabled.bind(real) } : {}),
    write: async () => {
      throw new ReplayWriteRefused('a replay writes nothing: it may not write to the managed system');
    },
    close: () => real.close(),
  };
}
