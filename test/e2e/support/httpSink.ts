/** An HTTP server on 127.0.0.1 that answers 200 to every POST and keeps the JSON bodies (a chat channel's incoming webhook). */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

export class HttpSink {
	readonly posts: Array<{ path: string; body: Record<string, unknown> }> = [];
	private server: Server | undefined;

	async start(): Promise<string> {
		this.server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				let body: Record<string, unknown> = {};
				try {
					body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
				} catch {
					body = { unparsed: Buffer.concat(chunks).toString('utf8') };
				}
				this.posts.push({ path: request.url ?? '', body });
				response.writeHead(200, { 'content-type': 'application/json' });
				response.end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}
