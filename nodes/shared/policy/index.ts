export { evaluateOrThrow, evaluatePolicy, policyContentHash, PolicyError, POLICY_FORMAT } from './evaluate';
export type * from './types';
