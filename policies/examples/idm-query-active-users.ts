import { defineIdmQuery, type IdmFilter } from 'trueup:policy';

/**
 * The IDM side of an HR reconciliation: active and disabled users that carry an employee id.
 * A system flagged read-only by the pre-processor gets no IDM side at all (a one-way run).
 */
export default defineIdmQuery(({ vars }): IdmFilter | null => {
  if (vars.readOnly === true) return null;
  return { $and: [{ status: { $in: ['active', 'disabled'] } }, { employeeId: { $exists: true } }] };
});
