/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/), the contract's scheme:
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, secrets `whsec_<base64>`,
 * five minutes of tolerance either way, several space-separated signatures per header (a
 * rotated secret keeps verifying during its grace period). Pinned, together with
 * odoo_addon/distribution_governance/lib/signature.py, by contract/vectors/signature.json.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

export const SECRET_PREFIX = 'whsec_';
export const TOLERANCE_SECONDS = 5 * 60;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const TIMESTAMP = /^(0|[1-9][0-9]{0,14})$/;

export type SignatureErrorCode =
	| 'invalid_secret'
	| 'missing_headers'
	| 'invalid_timestamp'
	| 'timestamp_too_old'
	| 'timestamp_too_new'
	| 'no_matching_signature';

export class SignatureError extends Error {
	constructor(
		readonly code: SignatureErrorCode,
		message: string,
	) {
		super(message);
	}
}

/** A fresh `whsec_` secret holding 32 random bytes. */
export function generateSecret(): string {
	return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key of a `whsec_` secret; throws SignatureError('invalid_secret') when malformed. */
export function secretKey(secret: string): Buffer {
	if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) {
		throw new SignatureError('invalid_secret', 'the secret must start with whsec_');
	}
	const encoded = secret.slice(SECRET_PREFIX.length);
	if (!BASE64.test(encoded)) throw new SignatureError('invalid_secret', 'the secret is not valid base64');
	const key = Buffer.from(encoded, 'base64');
	if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
		throw new SignatureError(
			'invalid_secret',
			`the secret must hold ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes`,
		);
	}
	return key;
}

const toBuffer = (body: string | Buffer) => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

function digest(key: Buffer, msgId: string, timestamp: string, body: string | Buffer): string {
	return createHmac('sha256', key)
		.update(Buffer.from(`${msgId}.${timestamp}.`, 'utf8'))
		.update(toBuffer(body))
		.digest('base64');
}

/** `v1,<base64 signature>` of one message under one secret. */
export function sign(secret: string, msgId: string, timestamp: number, body: string | Buffer): string {
	return `v1,${digest(secretKey(secret), msgId, String(Math.trunc(timestamp)), body)}`;
}

/** The `webhook-signature` value: one signature per secret, space-separated. */
export function signatureHeader(
	secrets: string[],
	msgId: string,
	timestamp: number,
	body: string | Buffer,
): string {
	return secrets.map((secret) => sign(secret, msgId, timestamp, body)).join(' ');
}

export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
	const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
	const value = entry?.[1];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Check a delivery: returns normally or throws SignatureError with the contract's code.
 * Any of `secrets` may match; header names are case-insensitive; `now` is in seconds.
 */
export function verify(
	secrets: string | string[],
	headers: HeaderBag,
	body: string | Buffer,
	now: number = Math.floor(Date.now() / 1000),
): void {
	const keys = (Array.isArray(secrets) ? secrets : [secrets]).map(secretKey);
	const msgId = header(headers, 'webhook-id');
	const timestamp = header(headers, 'webhook-timestamp');
	const signatures = header(headers, 'webhook-signature');
	if (!msgId || !timestamp || !signatures) {
		throw new SignatureError(
			'missing_headers',
			'webhook-id, webhook-timestamp and webhook-signature are required',
		);
	}
	if (!TIMESTAMP.test(timestamp)) {
		throw new SignatureError('invalid_timestamp', 'webhook-timestamp must be whole seconds since the epoch');
	}
	const sent = Number(timestamp);
	if (now - sent > TOLERANCE_SECONDS) {
		throw new SignatureError('timestamp_too_old', 'webhook-timestamp is more than 5 minutes old');
	}
	if (sent - now > TOLERANCE_SECONDS) {
		throw new SignatureError('timestamp_too_new', 'webhook-timestamp is more than 5 minutes in the future');
	}
	const expected = keys.map((key) => Buffer.from(digest(key, msgId, timestamp, body)));
	for (const versioned of signatures.split(' ')) {
		const comma = versioned.indexOf(',');
		if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
		const candidate = Buffer.from(versioned.slice(comma + 1));
		if (expected.some((digestBytes) => digestBytes.length === candidate.length && timingSafeEqual(digestBytes, candidate))) {
			return;
		}
	}
	throw new SignatureError('no_matching_signature', 'no signature in webhook-signature matches');
}
