import { defineCustomProcessor } from 'trueup:policy';

/**
 * Contractors come from a CSV export without a reliable key: pairs with one candidate are updated,
 * pairs with several are disputed, and unknown contractors are created in the IDM.
 */
export default defineCustomProcessor(({ pairs }) =>
  pairs.map((pair) => {
    if (pair.candidates.length > 1) return { situation: 'DISPUTED', response: 'DO_NOTHING' };
    if (pair.account && pair.idmObject)
      return { situation: 'IDM_EXISTS__RESOURCE_EXISTS', response: 'UPDATE_IDM_FROM_RESOURCE' };
    if (pair.account)
      return {
        situation: 'IDM_NOT_EXISTS__RESOURCE_EXISTS',
        response: 'ADD_TO_IDM',
        patch: { employeeType: 'contractor' },
      };
    return { situation: 'IDM_EXISTS__RESOURCE_NOT_EXISTS', response: 'DO_NOTHING' };
  }),
);
