// Tests are not shipped to n8n: they may use Node's modules (fs, child_process, path) that the
// community rules forbid in nodes. They are linted with the same TypeScript rules otherwise.
// Picked up through ESLint's per-directory config lookup (see the "lint" script).
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-explicit-any': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/require-node-api-error': 'off',
			'import-x/no-unresolved': 'off',
			'@n8n/community-nodes/no-dangerous-functions': 'off',
		},
	},
];
