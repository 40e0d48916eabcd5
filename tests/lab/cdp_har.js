#!/usr/bin/env node
// cdp_har.js - drive a running Chromium over the DevTools protocol, record
// its Network and Page events while it loads one page, and turn them into
// a HAR with npm's chrome-har-capturer (fromLog), which writes each
// WebSocket's frames as `_webSocketMessages` from the protocol's
// Network.webSocketFrameSent/Received events.
//
// Usage: node cdp_har.js PORT PAGE_URL EVENTS.json OUT.har WANT_TITLE [TIMEOUT_S]
//   PORT        Chromium's --remote-debugging-port (loopback)
//   EVENTS.json every protocol event received, [{method, params}, ...],
//               in arrival order (the raw material DevTools itself uses)
//   OUT.har     chrome-har-capturer's HAR of the same events
//   WANT_TITLE  the page writes how its WebSocket ended into its title;
//               the run succeeds when the title becomes this
// Exit status: 0 the page ended with WANT_TITLE and both files were
// written, 1 otherwise (the lab takes the capture again).
// Needs NODE_PATH with chrome-remote-interface and chrome-har-capturer.
'use strict';

const fs = require('fs');
const CDP = require('chrome-remote-interface');
const {fromLog} = require('chrome-har-capturer');

const [port, url, eventsPath, harPath, want, timeoutS = '30'] = process.argv.slice(2);
if (!want) {
	console.error('usage: cdp_har.js PORT PAGE_URL EVENTS.json OUT.har WANT_TITLE [TIMEOUT_S]');
	process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function connect() {
	// Chromium takes a moment to open its debugging port.
	for (let i = 0; ; i++) {
		try {
			return await CDP({host: '127.0.0.1', port: Number(port)});
		} catch (e) {
			if (i >= 100)
				throw e;
			await sleep(100);
		}
	}
}

(async () => {
	const client = await connect();
	const events = [];
	client.on('event', (m) => {
		if (m.method.startsWith('Network.') || m.method.startsWith('Page.'))
			events.push({method: m.method, params: m.params});
	});
	await client.Network.enable();
	await client.Page.enable();
	await client.Page.navigate({url});
	const end = Date.now() + Number(timeoutS) * 1000;
	let title = '';
	while (Date.now() < end) {
		const r = await client.Runtime.evaluate({expression: 'document.title'});
		title = r.result.value || '';
		if (title === want || title === 'error' || title.startsWith('closed '))
			break;
		await sleep(100);
	}
	// the close handshake's last events come just after onclose
	await sleep(500);
	await client.close();
	fs.writeFileSync(eventsPath, JSON.stringify(events, null, 1) + '\n');
	console.error(`cdp_har: title "${title}", ${events.length} events`);
	if (title !== want)
		process.exit(1);
	const har = await fromLog(url, events);
	fs.writeFileSync(harPath, JSON.stringify(har, null, 1) + '\n');
	process.exit(0);
})().catch((e) => {
	console.error('cdp_har: ' + (e.stack || e));
	process.exit(1);
});
