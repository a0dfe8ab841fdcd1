/** Typed access to scripts/e2e-n8n.cjs, which the run command shares with these tests. */
export interface N8nInstall {
	nodeDir: string;
	n8nBin: string;
	n8nModules: string;
}

export interface N8nInstance {
	readonly baseUrl: string;
	/** The public API key, once login() made one. */
	readonly apiKey?: string;
	readonly webhookUrl: string;
	readonly userFolder: string;
	readonly logFile: string;
	readonly process: { pid: number } | undefined;
	installPackage(tarball: string): void;
	importData(data: { credentials?: object[]; workflows?: object[] }): void;
	publish(workflowId: string): void;
	start(timeoutMs?: number): Promise<number>;
	waitForWebhook(path: string, timeoutMs?: number): Promise<number>;
	login(): Promise<void>;
	rest<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	api<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	stop(graceMs?: number): Promise<void>;
	tail(lines?: number): string;
}

interface Harness {
	N8N_VERSION: string;
	REPO: string;
	cacheDir(): string;
	ensureN8n(log?: (line: string) => void): N8nInstall;
	freePort(): Promise<number>;
	packPackage(destination: string): string;
	N8nInstance: new (options: {
		install: N8nInstall;
		userFolder: string;
		port: number;
		brokerPort: number;
		log?: (line: string) => void;
		webhookUrl?: string;
		postgres?: { host: string; port: number; database: string; user: string; password: string };
		queue?: { host: string; port: number; prefix: string };
	}) => N8nInstance;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const harness = require('../../../scripts/e2e-n8n.cjs') as Harness;
