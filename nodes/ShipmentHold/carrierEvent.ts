/**
 * The common shape of a carrier tracking event (README, "Carrier exceptions"): a JSON object
 * `{id, carrier, tracking_reference, status, exception_code?, description?, occurred_at,
 * shipment_reference?}`, signed by the carrier (or the aggregator in front of it) with the
 * Standard Webhooks scheme. A few common aliases are read too, so an aggregator's payload needs
 * no reshaping: `tracking_number`/`trackingNumber`, `event`/`type` for the status, `timestamp`.
 */
import type { IDataObject } from 'n8n-workflow';

export const CARRIER_CREDENTIAL_TYPE = 'distributionGovernanceCarrierWebhookApi';

/** Statuses that put the delivery under review: the parcel did not go as planned. */
export const EXCEPTION_STATUSES = ['exception', 'failed_attempt', 'returned', 'return_to_sender', 'lost', 'damaged'];
const STATUS = /^[a-z0-9_.-]{1,64}$/;

export interface CarrierEvent extends IDataObject {
	event_id: string;
	carrier: string;
	tracking_reference: string;
	status: string;
	is_exception: boolean;
	exception_code: string;
	description: string;
	occurred_at: string;
	shipment_reference: string;
}

const text = (value: unknown, max: number) =>
	typeof value === 'string' || typeof value === 'number' ? String(value).trim().slice(0, max) : '';

/** The event in the common shape, or the reason it cannot be read. */
export function readCarrierEvent(body: unknown, messageId: string): CarrierEvent | { unreadable: string } {
	if (typeof body !== 'object' || body === null || Array.isArray(body))
		return { unreadable: 'the body is not a JSON object' };
	const json = body as IDataObject;
	const trackingReference = text(json.tracking_reference ?? json.tracking_number ?? json.trackingNumber, 128);
	if (!trackingReference) return { unreadable: 'tracking_reference is missing' };
	const status = text(json.status ?? json.event ?? json.type, 64)
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
	if (!STATUS.test(status)) return { unreadable: 'status is missing or not a word' };
	return {
		event_id: text(json.id ?? json.event_id, 200) || messageId.slice(0, 200),
		carrier: text(json.carrier, 64) || 'unknown',
		tracking_reference: trackingReference,
		status,
		is_exception: EXCEPTION_STATUSES.includes(status),
		exception_code: text(json.exception_code, 64),
		description: text(json.description ?? json.message, 400),
		occurred_at: text(json.occurred_at ?? json.timestamp, 64),
		shipment_reference: text(json.shipment_reference ?? json.reference, 128),
	};
}
