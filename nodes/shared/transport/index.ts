export {
	callGovernanceApi,
	forgetOdooLogins,
	GOVERNANCE_MODEL,
	ODOO_CREDENTIAL_TYPE,
	odooErrorCode,
	RETRY_DELAYS_MS,
} from './odooClient';
export type { OdooContext, OdooCredentials } from './odooClient';
export { decisionOutcomes, governanceResults, pendingReview } from './results';
export type { GovernanceMethod, GovernanceResult, PendingReview } from './results';
