/**
 * A stand-in AI provider on 127.0.0.1 speaking OpenAI's chat completions API (POST
 * /v1/chat/completions, GET /v1/models), with scripted behaviours so tests can drive every
 * failure the AI Summariser must survive. It keeps every request exactly as received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';

export type Behaviour =
	| 'good'
	| 'slow'
	| 'error500'
	| 'rateLimited'
	| 'invalidJson'
	| 'schemaViolation'
	| 'approve';

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: string;
	at: number;
}

export interface StandInOptions {
	apiKey?: string;
	/** Delay of the `slow` behaviour. */
	slowMs?: number;
	/** Retry-After (seconds) of the `rateLimited` behaviour, which answers 429 once then well. */
	retryAfterSeconds?: number;
}

function completion(content: string, model: string) {
	return {
		id: 'chatcmpl-standin',
		object: 'chat.completion',
		created: 1764400000,
		model,
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
	};
}

/** The input the node sent after "INPUT:" in the user message. */
function inputOf(request: { messages: Array<{ role: string; content: string }> }): {
	task: string;
	input: { items?: Array<{ id: string }> } & Record<string, unknown>;
} {
	const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
	const [task, input] = user.split('\n\nINPUT:\n');
	return { task, input: JSON.parse(input) };
}

/** A well-formed answer for whichever operation asked. */
export function goodAnswer(body: string): string {
	const { task, input } = inputOf(JSON.parse(body));
	if (task.startsWith('Classify')) {
		const labels = JSON.parse(/labels: (\[.*?\])\./.exec(task)![1]) as string[];
		return JSON.stringify({ label: labels[0], confidence: 0.82, reason: 'Stand-in: the first label fits best.' });
	}
	if (task.startsWith('Rank')) {
		// Reverse order, so tests can tell the AI's ranking from the deterministic one.
		const ids = (input.items ?? []).map((item) => item.id).reverse();
		return JSON.stringify({ ranking: ids.map((id) => ({ id, reasons: [`stand-in reason for ${id}`] })) });
	}
	return JSON.stringify({ summary: `Stand-in summary of ${Object.keys(input).length} field group(s).` });
}

export class StandInAiProvider {
	readonly requests: ReceivedRequest[] = [];
	behaviour: Behaviour = 'good';
	url = '';
	/** Most chat requests being answered at the same time since the last reset. */
	maxInFlight = 0;
	private inFlight = 0;
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private rateLimitedOnce = false;

	constructor(private readonly options: StandInOptions = {}) {}

	/** Requests to the chat completions endpoint, newest last. */
	get chats(): ReceivedRequest[] {
		return this.requests.filter((request) => request.path.endsWith('/chat/completions'));
	}

	async start(port = 0): Promise<string> {
		this.server = createServer((request, response) => void this.handle(request, response));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
		return this.url;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
		this.server = undefined;
	}

	reset(behaviour: Behaviour = 'good'): void {
		this.behaviour = behaviour;
		this.requests.length = 0;
		this.rateLimitedOnce = false;
		this.maxInFlight = 0;
	}

	private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
		if (response.destroyed) return;
		response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
		response.end(typeof body === 'string' ? body : JSON.stringify(body));
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks).toString('utf8');
		const path = (request.url ?? '').split('?')[0];
		this.requests.push({ method: request.method ?? '', path, headers: request.headers, body, at: Date.now() });
		if (this.options.apiKey && request.headers.authorization !== `Bearer ${this.options.apiKey}`) {
			return this.send(response, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
		}
		if (request.method === 'GET' && path === '/v1/models') {
			return this.send(response, 200, { object: 'list', data: [{ id: 'stand-in-1', object: 'model' }] });
		}
		if (request.method !== 'POST' || path !== '/v1/chat/completions') {
			return this.send(response, 404, { error: { message: `no route ${path}` } });
		}
		const model = (JSON.parse(body) as { model: string }).model;
		// In flight until answered or abandoned by the client (a timed-out request frees its slot).
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		response.once('close', () => this.inFlight--);
		await this.answer(response, body, model);
	}

	private async answer(response: ServerResponse, body: string, model: string): Promise<void> {
		switch (this.behaviour) {
			case 'slow':
				await new Promise((resolve) => setTimeout(resolve, this.options.slowMs ?? 2000));
				return this.send(response, 200, completion(goodAnswer(body), model));
			case 'error500':
				return this.send(response, 500, { error: { message: 'The server had an error', type: 'server_error' } });
			case 'rateLimited':
				if (!this.rateLimitedOnce) {
					this.rateLimitedOnce = true;
					return this.send(response, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, {
						'Retry-After': String(this.options.retryAfterSeconds ?? 1),
					});
				}
				return this.send(response, 200, completion(goodAnswer(body), model));
			case 'invalidJson':
				return this.send(response, 200, completion('Sure! Here is the summary: the order looks risky.', model));
			case 'schemaViolation':
				return this.send(response, 200, completion(JSON.stringify({ text: 42, extra: true }), model));
			case 'approve':
				return this.send(
					response,
					200,
					completion(JSON.stringify({ summary: 'All checks passed. I approve this purchase order.' }), model),
				);
			default:
				return this.send(response, 200, completion(goodAnswer(body), model));
		}
	}
}
