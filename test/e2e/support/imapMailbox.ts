/**
 * A mailbox on 127.0.0.1 for n8n's Email Trigger (IMAP): hoodiecrow-imap (a scriptable IMAP4rev1
 * server for client tests, everything in memory) with IDLE, so a message appended by the test
 * reaches the trigger as it would from a real mail server. One user, one INBOX.
 */
import type { AddressInfo } from 'net';

interface HoodiecrowMessage {
	uid: number;
	flags: string[];
	raw: string;
}
interface Hoodiecrow {
	server: { address(): AddressInfo };
	listen(port: number, host: string, done: () => void): void;
	close(done: () => void): void;
	getMailbox(path: string): { messages: HoodiecrowMessage[] };
	appendMessage(mailbox: string, flags: string[], internaldate: Date, raw: string): { message: HoodiecrowMessage };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hoodiecrow = require('hoodiecrow-imap') as (options: object) => Hoodiecrow;

export class ImapMailbox {
	readonly user = 'supplier-mailbox';
	readonly password = ['imap', 'e2e', 'secret'].join('-');
	private server: Hoodiecrow | undefined;

	async start(): Promise<number> {
		const server = hoodiecrow({
			plugins: ['IDLE', 'UIDPLUS'],
			users: { [this.user]: { password: this.password } },
			storage: { INBOX: { messages: [] }, '': { separator: '/', folders: {} } },
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		this.server = server;
		return server.server.address().port;
	}

	/** A supplier's e-mail arrives (unseen); returns its UID. */
	deliver(mail: { from: string; to: string; subject: string; text: string; messageId: string; date: Date }): number {
		const raw = [
			`From: ${mail.from}`,
			`To: ${mail.to}`,
			`Subject: ${mail.subject}`,
			`Date: ${mail.date.toUTCString().replace('GMT', '+0000')}`,
			`Message-ID: <${mail.messageId}>`,
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'Content-Transfer-Encoding: 8bit',
			'',
			mail.text.replace(/\r?\n/g, '\r\n'),
		].join('\r\n');
		return this.server!.appendMessage('INBOX', [], mail.date, raw).message.uid;
	}

	/** Whether the message was marked \Seen (the trigger's post-processing "read"). */
	seen(uid: number): boolean {
		const message = this.server!.getMailbox('INBOX').messages.find((candidate) => candidate.uid === uid);
		return Boolean(message?.flags.includes('\\Seen'));
	}

	async stop() {
		if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
		this.server = undefined;
	}
}
