import { definePostProcessor } from 'trueup:policy';

/** Tells the identity team when a run leaves disputed matches or errors for a person to look at. */
export default definePostProcessor(({ summary, system }) => {
  const disputed = summary.counts.situations.DISPUTED ?? 0;
  const errors = summary.counts.errors;
  if (disputed === 0 && errors === 0) return {};
  return {
    notify: {
      to: ['identity-team@example.com'],
      message: `${system.name}: ${disputed} disputed match(es) and ${errors} error(s) in run ${summary.runId}`,
    },
  };
});
