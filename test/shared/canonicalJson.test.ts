import { canonicalJson, NonCanonicalNumberError, NonCanonicalStringError } from '../../nodes/shared/canonicalJson';
import { policyContentHash } from '../../nodes/shared/policy';
import { named, readContract } from '../contract/vectors';

const vectors = readContract('vectors', 'canonical-json.json');

describe('canonical JSON vectors', () => {
	test.each(named(vectors.cases))('%s', (_name, c: any) => {
		expect(canonicalJson(c.value)).toBe(c.canonical);
	});

	test.each(named(vectors.non_canonical))('refuses %s', (_name, c: any) => {
		expect(() => canonicalJson(c.value)).toThrow(NonCanonicalNumberError);
	});

	test.each(named(vectors.non_canonical_strings))('refuses the lone surrogate of %s', (_name, c: any) => {
		expect(() => canonicalJson(c.value)).toThrow(NonCanonicalStringError);
	});

	test.each(named(vectors.content_hashes))('content hash %s', (_name, c: any) => {
		expect(policyContentHash(c.document)).toBe(c.content_hash);
	});
});
