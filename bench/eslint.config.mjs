// Benchmarks, like tests, are not shipped to n8n: the same rules as test/ (Node's modules allowed).
// Picked up through ESLint's per-directory config lookup (see the "lint" script).
export { default } from '../test/eslint.config.mjs';
