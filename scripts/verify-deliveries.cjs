#!/usr/bin/env node
// Checks webhook deliveries the way the n8n trigger does, with the package's own TypeScript
// verifier (nodes/shared/signature.ts, compiled in memory, no build needed) and the contract's
// JSON Schemas (envelope and each type's data). The Odoo tests capture real deliveries from
// the dispatcher and pipe them here.
//
// stdin:  [{"secrets": ["whsec_..."], "headers": {...}, "body": "<raw body>", "now": <seconds, optional>}]
// stdout: [{"signature": "valid" | <SignatureError code>, "schema_errors": [...], "id", "type"}]
// Exit status 0 when every delivery verifies and matches the schemas, 1 otherwise.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const Module = require('node:module');
const ts = require('typescript');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const root = join(__dirname, '..');

function loadTypeScript(path) {
	const source = readFileSync(path, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
		fileName: path,
	});
	const compiled = new Module(path, module);
	compiled.filename = path;
	compiled.paths = Module._nodeModulePaths(root);
	compiled._compile(outputText, path);
	return compiled.exports;
}

const { verify, SignatureError } = loadTypeScript(join(root, 'nodes', 'shared', 'signature.ts'));
const contract = (...parts) => JSON.parse(readFileSync(join(root, 'contract', ...parts), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(contract('events', 'data-schemas.json'));
const envelope = ajv.compile(contract('events', 'envelope.schema.json'));
const dataSchema = (type) =>
	ajv.getSchema(
		`https://distribution-governance.example/contract/events/data-schemas.json#/$defs/${type.replace('.', '__')}`,
	);

const errorsOf = (validate) =>
	(validate.errors || []).map((error) => `${error.instancePath || '/'} ${error.message}`);

const deliveries = JSON.parse(readFileSync(0, 'utf8'));
let ok = true;
const results = deliveries.map((delivery) => {
	const result = { signature: 'valid', schema_errors: [] };
	try {
		verify(delivery.secrets, delivery.headers, Buffer.from(delivery.body, 'utf8'), delivery.now);
	} catch (error) {
		result.signature = error instanceof SignatureError ? error.code : String(error);
	}
	let event;
	try {
		event = JSON.parse(delivery.body);
	} catch {
		result.schema_errors.push('the body is not JSON');
	}
	if (event) {
		result.id = event.id;
		result.type = event.type;
		if (!envelope(event)) result.schema_errors.push(...errorsOf(envelope));
		const data = typeof event.type === 'string' && dataSchema(event.type);
		if (!data) result.schema_errors.push(`no data schema for type ${event.type}`);
		else if (!data(event.data)) result.schema_errors.push(...errorsOf(data).map((text) => `data${text}`));
	}
	if (result.signature !== 'valid' || result.schema_errors.length) ok = false;
	return result;
});
process.stdout.write(JSON.stringify(results));
process.exit(ok ? 0 : 1);
