/** Objects per slice a run reads, decides or writes at a time: bounds its memory whatever its size. */
export const sliceSize = 5000;

/** Rows written in bulk (links, key sets) before the planner's statistics are refreshed. */
export const analyzeAfter = 1000;
