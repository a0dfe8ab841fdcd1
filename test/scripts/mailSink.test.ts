/** The local product's mail sink (scripts/mail-sink.cjs): SMTP in, .eml files and a page out, an empty IMAP mailbox. */
import { mkdtempSync, readdirSync } from 'fs';
import { connect } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MailSink } = require('../../scripts/mail-sink.cjs') as {
	MailSink: new (folder: string) => {
		start(smtpPort?: number, webPort?: number): Promise<void>;
		startImap(port?: number): Promise<void>;
		stop(): Promise<void>;
		messages(): { file: string; to: string; subject: string }[];
		smtpPort: number;
		imapPort: number;
		url: string;
	};
};

const folder = mkdtempSync(join(tmpdir(), 'dg-mail-sink-'));
const sink = new MailSink(folder);

beforeAll(async () => {
	await sink.start(0, 0);
	await sink.startImap(0);
});
afterAll(async () => await sink.stop());

/** Send `lines` one by one over a fresh connection to `port`; resolves with everything answered. */
async function converse(port: number, lines: string[]): Promise<string> {
	const socket = connect(port, '127.0.0.1');
	let answer = '';
	socket.on('data', (chunk) => (answer += chunk.toString()));
	if (socket.connecting) await new Promise((done) => socket.once('connect', done));
	for (const line of lines) {
		socket.write(`${line}\r\n`);
		await new Promise((done) => setTimeout(done, 30));
	}
	socket.end();
	if (!socket.closed) await new Promise((done) => socket.once('close', done));
	return answer;
}

describe('the mail sink', () => {
	it('keeps each SMTP message as an .eml file and lists it on its page', async () => {
		const answer = await converse(sink.smtpPort, [
			'EHLO test',
			'MAIL FROM:<approvals@acme.example>',
			'RCPT TO:<maria@demo.example>',
			'DATA',
			'To: maria@demo.example\r\nSubject: =?UTF-8?Q?Approval_needed:_P00012?=\r\n\r\nHello Maria\r\n..a dot line\r\n.',
			'QUIT',
		]);
		expect(answer).toContain('250 2.0.0 kept');
		expect(readdirSync(folder).filter((name) => name.endsWith('.eml'))).toHaveLength(1);
		const [message] = sink.messages();
		expect(message).toMatchObject({ to: 'maria@demo.example', subject: 'Approval needed: P00012' });
		const page = await (await fetch(sink.url)).text();
		expect(page).toContain(`href="/${message.file}"`);
		const shown = await (await fetch(`${sink.url}${message.file}`)).text();
		expect(shown).toContain('Hello Maria');
		expect(shown).toContain('.a dot line');
		// Only file names of the folder are served: anything else is the list.
		expect(await (await fetch(`${sink.url}..%2F..%2Fetc%2Fpasswd.eml`)).text()).toContain('<h1>Mail sent by the demo</h1>');
		expect((await fetch(`${sink.url}missing.eml`)).status).toBe(404);
	});

	it('answers a mail trigger as an empty IMAP mailbox: login, select, search, idle', async () => {
		const answer = await converse(sink.imapPort, [
			'a1 CAPABILITY',
			'a2 LOGIN "supplier-updates" "sink"',
			'a3 SELECT "INBOX"',
			'a4 UID SEARCH UNSEEN',
			'a5 IDLE',
			'DONE',
			'a6 LOGOUT',
		]);
		expect(answer).toMatch(/^\* OK /);
		for (const line of ['a1 OK', 'a2 OK', '* 0 EXISTS', 'a3 OK [READ-WRITE]', '* SEARCH\r\na4 OK', '+ idling', 'a5 OK IDLE terminated', 'a6 OK']) {
			expect(answer).toContain(line);
		}
	});
});
