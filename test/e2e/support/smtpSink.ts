/**
 * An SMTP server on 127.0.0.1 that accepts every message and keeps it, so tests can read what
 * n8n's Send Email node sent (and follow the links in it). Plain SMTP, no TLS, no auth.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'net';

export interface Mail {
	from: string;
	to: string[];
	/** The DATA section, quoted-printable soft breaks and escapes undone. */
	content: string;
	/** The DATA section as received (headers intact: the decoding above would break encoded words). */
	raw?: string;
}

function decodeQuotedPrintable(text: string): string {
	const bytes = text
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

export class SmtpSink {
	readonly mails: Mail[] = [];
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	port = 0;

	async start(): Promise<number> {
		this.server = createServer((socket) => {
			this.sockets.add(socket);
			socket.once('close', () => this.sockets.delete(socket));
			this.session(socket);
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
		return this.port;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/** Links (href values) of the mails sent to `address`, newest mail last. */
	linksTo(address: string): string[][] {
		return this.mails
			.filter((mail) => mail.to.includes(address))
			.map((mail) => [...mail.content.matchAll(/href="([^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&')));
	}

	private session(socket: Socket): void {
		let buffer = '';
		let inData = false;
		let mail: Mail = { from: '', to: [], content: '' };
		const reply = (line: string) => socket.write(`${line}\r\n`);
		reply('220 127.0.0.1 ESMTP sink');
		socket.on('data', (chunk) => {
			buffer += chunk.toString('latin1');
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) return;
					mail.raw = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
					mail.content = decodeQuotedPrintable(mail.raw);
					this.mails.push(mail);
					mail = { from: '', to: [], content: '' };
					buffer = buffer.slice(end + 5);
					inData = false;
					reply('250 queued');
					continue;
				}
				const newline = buffer.indexOf('\r\n');
				if (newline < 0) return;
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO' || verb === 'HELO') reply('250 127.0.0.1');
				else if (verb === 'MAIL') {
					mail.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
					reply('250 OK');
				} else if (verb === 'RCPT') {
					mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
					reply('250 OK');
				} else if (verb === 'DATA') {
					inData = true;
					reply('354 end with <CRLF>.<CRLF>');
				} else if (verb === 'QUIT') {
					reply('221 bye');
					socket.end();
					return;
				} else reply('250 OK');
			}
		});
	}
}

/**
 * The mail's Subject header, unfolded, with RFC 2047 encoded words decoded: n8n's mailer encodes
 * a subject with non-ASCII characters ("–", "€") as runs of =?UTF-8?Q?…?= words, and may split one
 * character's bytes between two words, so a run is decoded as one byte string.
 */
export function subjectOf(mail: Mail): string {
	const header = (mail.raw ?? mail.content).split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
	const raw = /^Subject: (.*)$/im.exec(header)?.[1] ?? '';
	const word = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
	return raw.replace(/=\?[^?]+\?[QqBb]\?[^?]*\?=(?:\s*=\?[^?]+\?[QqBb]\?[^?]*\?=)*/g, (run) => {
		let charset = 'utf-8';
		const bytes = [...run.matchAll(word)].map(([, set, encoding, text]) => {
			charset = set.toLowerCase();
			if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
			const decoded = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(parseInt(code, 16)));
			return Buffer.from(decoded, 'latin1');
		});
		return Buffer.concat(bytes).toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
	});
}
