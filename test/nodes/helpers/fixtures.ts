import type { IDataObject } from 'n8n-workflow';
import { isDeepStrictEqual } from 'util';

import requested from '../../../contract/events/examples/approval.requested.json';
import combination from '../../../contract/vectors/policy/combination.json';
import { policyContentHash } from '../../../nodes/shared/policy';

export interface PolicyCase {
	name: string;
	policy: IDataObject;
	input: { document_type: string; facts: IDataObject };
	expected: IDataObject;
}

const combinationCases = combination.cases as unknown as PolicyCase[];

/** The contract's combination vectors on the purchasing policy: every outcome. */
export const purchasingCases = combinationCases.filter((vector) =>
	isDeepStrictEqual(vector.policy, combinationCases[0].policy),
);

/** The purchasing policy of the vectors as Odoo exports it, with its content hash. */
export function purchasingPolicy(): IDataObject {
	const policy = structuredClone(purchasingCases[0].policy);
	return { ...policy, content_hash: policyContentHash(policy) };
}

/** The contract's example approval.requested event, with `changes` merged into its data. */
export function approvalRequested(id: string, changes: IDataObject = {}): IDataObject {
	const event = structuredClone(requested) as IDataObject;
	return { ...event, id, data: { ...(event.data as IDataObject), ...changes } };
}
