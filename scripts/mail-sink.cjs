/**
 * A mail sink for the local product (scripts/run-product.mjs): an SMTP server on 127.0.0.1 that
 * accepts every message (no TLS, no auth) and writes it as a .eml file into a folder, a small
 * web page on 127.0.0.1 that lists the messages newest first and shows each one, and an empty IMAP
 * mailbox (any login, no TLS) for the supplier-updates template's mailbox trigger to connect to.
 */
'use strict';

const { createServer: createTcpServer } = require('net');
const { createServer: createHttpServer } = require('http');
const { mkdirSync, readdirSync, readFileSync, writeFileSync } = require('fs');
const { join } = require('path');

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function decodeQuotedPrintable(text) {
	const bytes = text
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/gi, (_match, hex) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

function header(message, name) {
	const match = new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(message);
	if (!match) return '';
	const value = match[1].replace(/\r?\n[ \t]+/g, ' ');
	// =?UTF-8?Q?...?= and =?UTF-8?B?...?= words
	return value.replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset, kind, text) =>
		kind.toUpperCase() === 'B'
			? Buffer.from(text, 'base64').toString('utf8')
			: decodeQuotedPrintable(text.replace(/_/g, ' ')),
	);
}

/** The readable body of a message: its HTML part when it has one, else its text. */
function body(message) {
	const html = /Content-Type: text\/html[\s\S]*?\r?\n\r?\n([\s\S]*?)(?:\r?\n--|$)/i.exec(message);
	const part = html ? html[1] : message.split(/\r?\n\r?\n/).slice(1).join('\n\n');
	const base64 = html && /Content-Type: text\/html[^]*?Content-Transfer-Encoding: base64/i.test(message.slice(html.index, html.index + 400));
	return base64 ? Buffer.from(part.replace(/\s+/g, ''), 'base64').toString('utf8') : decodeQuotedPrintable(part);
}

class MailSink {
	constructor(folder) {
		this.folder = folder;
		mkdirSync(folder, { recursive: true });
		this.sockets = new Set();
	}

	/** Start SMTP on `smtpPort` and the page on `webPort` (0: any free port). */
	async start(smtpPort = 0, webPort = 0) {
		this.smtp = createTcpServer((socket) => this.session(socket));
		await new Promise((done) => this.smtp.listen(smtpPort, '127.0.0.1', done));
		this.smtpPort = this.smtp.address().port;
		this.web = createHttpServer((request, response) => this.page(request, response));
		await new Promise((done) => this.web.listen(webPort, '127.0.0.1', done));
		this.webPort = this.web.address().port;
		this.url = `http://127.0.0.1:${this.webPort}/`;
	}

	/** An empty IMAP mailbox on `port`: enough IMAP4rev1 for a mail trigger to log in, select INBOX and idle. */
	async startImap(port = 0) {
		this.imap = createTcpServer((socket) => this.imapSession(socket));
		await new Promise((done) => this.imap.listen(port, '127.0.0.1', done));
		this.imapPort = this.imap.address().port;
	}

	imapSession(socket) {
		this.sockets.add(socket);
		socket.once('close', () => this.sockets.delete(socket));
		socket.on('error', () => undefined);
		const send = (text) => socket.write(`${text}\r\n`);
		const capability = 'CAPABILITY IMAP4rev1 IDLE';
		let buffer = '';
		let idleTag;
		send(`* OK [${capability}] distribution-governance mail sink`);
		socket.on('data', (chunk) => {
			buffer += chunk.toString('latin1');
			if (buffer.length > 65536) socket.destroy();
			let newline;
			while ((newline = buffer.indexOf('\r\n')) >= 0) {
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				if (idleTag) {
					if (line.trim().toUpperCase() === 'DONE') send(`${idleTag} OK IDLE terminated`);
					idleTag = undefined;
					continue;
				}
				const [tag, ...words] = line.split(' ');
				const command = (words[0] || '').toUpperCase() === 'UID' ? `UID ${(words[1] || '').toUpperCase()}` : (words[0] || '').toUpperCase();
				if (command === 'CAPABILITY') send(`* ${capability}\r\n${tag} OK CAPABILITY completed`);
				else if (command === 'LOGIN' || command === 'AUTHENTICATE') send(`${tag} OK [${capability}] logged in`);
				else if (command === 'LIST' || command === 'LSUB') {
					const reference = /""\s*""\s*$/.test(line) ? '* LIST (\\Noselect) "/" ""' : '* LIST (\\HasNoChildren) "/" "INBOX"';
					send(`${reference}\r\n${tag} OK ${command} completed`);
				} else if (command === 'SELECT' || command === 'EXAMINE' || command === 'STATUS') {
					if (command === 'STATUS') send('* STATUS "INBOX" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1 UNSEEN 0)');
					else send('* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n* 0 EXISTS\r\n* 0 RECENT\r\n* OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 1] next UID');
					send(`${tag} OK [READ-WRITE] ${command} completed`);
				} else if (command === 'SEARCH' || command === 'UID SEARCH') send(`* SEARCH\r\n${tag} OK SEARCH completed`);
				else if (command === 'IDLE') {
					idleTag = tag;
					send('+ idling');
				} else if (command === 'LOGOUT') {
					send(`* BYE logging out\r\n${tag} OK LOGOUT completed`);
					socket.end();
				} else send(`${tag} OK ${command || 'NOOP'} completed`);
			}
		});
	}

	async stop() {
		for (const socket of this.sockets) socket.destroy();
		await Promise.all([this.smtp, this.web, this.imap].map((server) => server && new Promise((done) => server.close(() => done()))));
	}

	/** The messages kept in the folder, newest first: { file, to, subject, date }. */
	messages() {
		return readdirSync(this.folder)
			.filter((name) => name.endsWith('.eml'))
			.sort()
			.reverse()
			.map((file) => {
				const text = readFileSync(join(this.folder, file), 'latin1');
				return { file, to: header(text, 'To'), subject: header(text, 'Subject'), date: header(text, 'Date') };
			});
	}

	session(socket) {
		this.sockets.add(socket);
		socket.once('close', () => this.sockets.delete(socket));
		let buffer = '';
		let data = undefined;
		let recipients = [];
		const reply = (line) => socket.write(`${line}\r\n`);
		reply('220 127.0.0.1 ESMTP distribution-governance mail sink');
		socket.on('error', () => undefined);
		socket.on('data', (chunk) => {
			buffer += chunk.toString('latin1');
			for (;;) {
				if (data !== undefined) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) {
						if (buffer.length > MAX_MESSAGE_BYTES) socket.destroy();
						return;
					}
					data = buffer.slice(0, end).replace(/^\.\./gm, '.');
					buffer = buffer.slice(end + 5);
					const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.eml`;
					const envelope = recipients.length ? `X-Envelope-To: ${recipients.join(', ')}\r\n` : '';
					writeFileSync(join(this.folder, name), Buffer.from(envelope + data, 'latin1'));
					data = undefined;
					recipients = [];
					reply('250 2.0.0 kept');
					continue;
				}
				const newline = buffer.indexOf('\r\n');
				if (newline < 0) return;
				const line = buffer.slice(0, newline);
				buffer = buffer.slice(newline + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') reply('250-127.0.0.1\r\n250-SIZE 10485760\r\n250 8BITMIME');
				else if (verb === 'HELO') reply('250 127.0.0.1');
				else if (verb === 'RCPT') {
					recipients.push((/<([^>]*)>/.exec(line) || [])[1] || '');
					reply('250 2.1.5 ok');
				} else if (verb === 'DATA') {
					data = '';
					reply('354 end with <CRLF>.<CRLF>');
				} else if (verb === 'QUIT') {
					reply('221 2.0.0 bye');
					socket.end();
				} else reply('250 ok');
			}
		});
	}

	page(request, response) {
		const file = decodeURIComponent((request.url || '/').slice(1));
		if (file && /^[\w.-]+\.eml$/.test(file)) {
			let text;
			try {
				text = readFileSync(join(this.folder, file), 'latin1');
			} catch {
				response.writeHead(404).end('no such message');
				return;
			}
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			response.end(
				`<!doctype html><meta charset="utf-8"><title>${escapeHtml(header(text, 'Subject'))}</title>` +
					`<p><a href="/">&larr; all messages</a> · <a href="/${file}?raw">.eml</a></p>` +
					`<p><b>To:</b> ${escapeHtml(header(text, 'To'))}<br><b>From:</b> ${escapeHtml(header(text, 'From'))}<br>` +
					`<b>Subject:</b> ${escapeHtml(header(text, 'Subject'))}</p><hr>${body(text)}`,
			);
			return;
		}
		if (/\.eml\?raw$/.test(file)) {
			const name = file.replace(/\?raw$/, '');
			if (/^[\w.-]+\.eml$/.test(name)) {
				response.writeHead(200, { 'content-type': 'message/rfc822' });
				response.end(readFileSync(join(this.folder, name)));
				return;
			}
		}
		const rows = this.messages()
			.map((m) => `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.to)}</td><td><a href="/${m.file}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`)
			.join('');
		response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		response.end(
			`<!doctype html><meta charset="utf-8"><title>Mail sink</title><style>body{font-family:sans-serif}td{padding:2px 8px}</style>` +
				`<h1>Mail sent by the demo</h1><p>${escapeHtml(this.folder)} · refresh to see new messages</p>` +
				`<table><tr><th>Date</th><th>To</th><th>Subject</th></tr>${rows}</table>`,
		);
	}
}

module.exports = { MailSink, header };
