/* app.js: progressive enhancement for Messly's server-rendered pages.
 * Every feature works without this file (links and forms); it adds live
 * delivery over nchan (WebSocket, EventSource fallback), sending without a
 * page reload (idempotent by client_id), gap filling from the database,
 * read receipts, local times and an auto-growing composer.
 * No framework, no build step, no globals except window.messly.state. */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body) return;

	var me = body.getAttribute('data-me') || '';
	var csrfMeta = doc.querySelector('meta[name="csrf"]');
	var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';
	var lang = body.getAttribute('data-lang') || doc.documentElement.lang || 'en';

	var state = {
		lastSeq: 0,       // highest seq of the open chat applied to the page
		connected: false, // live connection open
		transport: null,  // "websocket" | "eventsource"
		chat: null        // id of the open chat (string) or null
	};
	window.messly = { state: state };   // .catchUp is set below (used by files.js)
	// for static/readstate.js: exact counts from read events
	window.messly.setUnread = function (chatId, n) {
		if (!chatList) return;
		var li = chatList.querySelector('li[data-chat="' + CSS.escape(String(chatId)) + '"]');
		if (li) setBadge(li, n);
	};
	window.messly.updateTitle = function () { updateTitle(); };
	// for static/chatux.js: older messages it inserts get the same treatment
	window.messly.decorate = function (li) { decorate(li); };

	/* ---------- small helpers ---------- */

	function $(sel, root) { return (root || doc).querySelector(sel); }
	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

	function api(method, url, data) {
		var opts = {
			method: method,
			credentials: 'same-origin',
			headers: { 'Accept': 'application/json' }
		};
		if (data !== undefined) {
			opts.headers['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(data);
		}
		if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
		return fetch(url, opts);
	}

	function randomId() {
		if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
		var a = new Uint8Array(16);
		if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(a);
		else for (var i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256);
		return Array.prototype.map.call(a, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
	}

	function isVisible() { return doc.visibilityState !== 'hidden'; }

	/* ---------- local times ---------- */

	var fmtTime, fmtDate, fmtFull;
	try {
		fmtTime = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
		fmtDate = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short' });
		fmtFull = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
	} catch (e) {
		fmtTime = fmtDate = fmtFull = null;
	}

	function sameDay(a, b) {
		return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
	}

	function localizeTime(t) {
		if (!fmtTime) return;
		var d = new Date(t.getAttribute('datetime') || '');
		if (isNaN(d.getTime())) return;
		var inList = t.classList.contains('chat-time');
		t.textContent = inList && !sameDay(d, new Date()) ? fmtDate.format(d) : fmtTime.format(d);
		t.title = fmtFull.format(d);
	}

	function localizeTimes(root) { $all('time[datetime]', root).forEach(localizeTime); }

	/* ---------- messages on the page ---------- */

	var list = $('#messages');          // <ol> of the open chat, or null
	var scroller = $('#scroller');
	var composer = $('#composer');
	var textarea = composer ? composer.querySelector('textarea[name="text"]') : null;
	var chatList = $('#chat-list');
	var historyMode = /[?&](before|around)=/.test(location.search);
	var readSent = 0;

	if (list) {
		state.chat = list.getAttribute('data-chat') || null;
		state.lastSeq = parseInt(list.getAttribute('data-last-seq'), 10) || 0;
		// never trust the attribute to be ahead of what is rendered when not browsing history
		$all('li.msg[data-seq]', list).forEach(function (li) {
			var s = parseInt(li.getAttribute('data-seq'), 10) || 0;
			if (!historyMode && s > state.lastSeq) state.lastSeq = s;
		});
	}

	function decorate(li) {
		if (me && li.getAttribute('data-sender') === me) li.classList.add('own');
		localizeTimes(li);
	}

	function nearBottom() {
		if (!scroller) return true;
		var last = list && list.lastElementChild;
		if (!last) return true;
		return last.getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom < 120;
	}

	function scrollToBottom() {
		// the scroller is column-reverse (bottom is scrollTop 0) in our CSS,
		// a plain column elsewhere; a large value is clamped to the end in both
		if (scroller) scroller.scrollTop = scroller.scrollHeight;
	}

	function htmlToElement(html) {
		var tpl = doc.createElement('template');
		tpl.innerHTML = html; // server-made event html (templates/partials/message.html)
		return tpl.content.querySelector('li') || tpl.content.firstElementChild;
	}

	function firstPending() { return list ? $('li.msg.local', list) : null; }

	function removeEmptyNote() {
		var e = $('#chat-empty');
		if (e) e.remove();
	}

	// The message's place in the chat: its creation seq (an edit keeps it).
	function messageSeq(ev) {
		var m = ev.message;
		return m && typeof m.seq === 'number' ? m.seq : ev.seq;
	}

	// Put a message into the open chat in its current state: replace the copy
	// we have (same id), or insert it in seq order before the local sends.
	function putMessage(ev, animate) {
		var li = htmlToElement(ev.html || '');
		if (!li) return false;
		var stick = nearBottom();
		var cid = ev.message && ev.message.client_id;
		var own = false;
		$all('li.msg.local', list).forEach(function (p) {
			if ((cid && p.getAttribute('data-client-id') === cid) || p.getAttribute('data-id') === String(ev.id)) {
				p.remove();
				own = true;
			}
		});
		decorate(li);
		var old = doc.getElementById('m-' + ev.id);
		if (old) {
			old.replaceWith(li);
			return true;
		}
		own = own || li.classList.contains('own');
		if (animate) li.classList.add('new');
		var pos = messageSeq(ev);
		var before = firstPending();
		var items = $all('li.msg[data-seq]:not(.local)', list);
		for (var i = items.length - 1; i >= 0; i--) {
			if ((parseInt(items[i].getAttribute('data-seq'), 10) || 0) > pos) before = items[i];
			else break;
		}
		list.insertBefore(li, before);
		removeEmptyNote();
		if (stick || own) scrollToBottom();
		return true;
	}

	// A live event for the open chat. Every change to a chat takes its next
	// seq: a new message, and later its edits; the event carries the whole
	// current state of the message.
	function applyLive(ev) {
		if (historyMode) return;
		if (ev.seq <= state.lastSeq) return;                      // duplicate
		if (ev.seq > state.lastSeq + 1) { catchUp(); return; }     // gap
		if (putMessage(ev, true)) {
			state.lastSeq = ev.seq;
			scheduleRead();
		}
	}

	/* ---------- catching up from the database ---------- */

	var catching = null;
	var catchAgain = false;

	function catchUp() {
		if (!list || !state.chat || historyMode) return Promise.resolve();
		if (catching) { catchAgain = true; return catching; }
		catching = (async function () {
			do {
				catchAgain = false;
				for (var round = 0; round < 100; round++) {
					var after = state.lastSeq;
					var r = await api('GET', '/api/chats/' + encodeURIComponent(state.chat) + '/events?after=' + after);
					if (!r.ok) return;
					var data = await r.json();
					// each changed message once, in its latest state
					((data && data.events) || []).forEach(function (ev) {
						if (ev && ev.id !== undefined && ev.html) putMessage(ev, true);
					});
					var last = data && typeof data.last_seq === 'number' ? data.last_seq : after;
					if (last > state.lastSeq) state.lastSeq = last;
					if (!(data && data.more) || state.lastSeq <= after) break;
				}
			} while (catchAgain);
		})().catch(function () { /* network trouble: the next reconnect retries */ }).then(function () {
			catching = null;
			scheduleRead();
		});
		return catching;
	}

	window.messly.catchUp = catchUp;

	/* ---------- read position ---------- */

	var readTimer = null;

	function scheduleRead() {
		if (readTimer) return;
		readTimer = setTimeout(function () { readTimer = null; markRead(); }, 300);
	}

	function markRead() {
		if (!state.chat || historyMode || !isVisible()) return;
		var seq = state.lastSeq;
		clearUnread(state.chat);
		if (seq <= readSent) return;
		readSent = seq;
		api('POST', '/api/chats/' + encodeURIComponent(state.chat) + '/read', { seq: seq }).then(function (r) {
			if (!r.ok && r.status >= 500 && readSent === seq) readSent = 0;
		}, function () { if (readSent === seq) readSent = 0; });
	}

	/* ---------- sending ---------- */

	var T = {
		sent: list && list.getAttribute('data-t-sent') || '',
		sending: composer && composer.getAttribute('data-t-sending') || '',
		failed: composer && composer.getAttribute('data-t-failed') || '',
		retry: composer && composer.getAttribute('data-t-retry') || ''
	};

	function makeLocal(text, cid) {
		var li = doc.createElement('li');
		li.className = 'msg own local pending new';
		li.setAttribute('data-client-id', cid);
		li.setAttribute('data-sender', me);
		var b = doc.createElement('div');
		b.className = 'msg-body msg-text';
		b.textContent = text;
		var st = doc.createElement('span');
		st.className = 'msg-status';
		st.setAttribute('role', 'status');
		li.appendChild(b);
		li.appendChild(st);
		list.appendChild(li);
		removeEmptyNote();
		scrollToBottom();
		return li;
	}

	// The state icon of a local send: a clock while it is on its way, a tick
	// once the server has it (chatux, issue 9).
	function stateIcon(kind, label) {
		var NS = 'http://www.w3.org/2000/svg';
		var svg = doc.createElementNS(NS, 'svg');
		svg.setAttribute('viewBox', '0 0 16 16');
		svg.setAttribute('class', 'state-icon state-' + kind);
		svg.setAttribute('aria-hidden', 'true');
		var shapes = kind === 'sent' ? [['path', { d: 'M3 8.5l3 3 7-7' }]]
			: [['circle', { cx: '8', cy: '8', r: '6' }], ['path', { d: 'M8 4.5V8l2.5 1.5' }]];
		shapes.forEach(function (s) {
			var e = doc.createElementNS(NS, s[0]);
			Object.keys(s[1]).forEach(function (k) { e.setAttribute(k, s[1][k]); });
			svg.appendChild(e);
		});
		var wrap = doc.createElement('span');
		wrap.className = 'msg-state';
		wrap.title = label;
		wrap.appendChild(svg);
		var text = doc.createElement('span');
		text.className = 'visually-hidden';
		text.textContent = label;
		wrap.appendChild(text);
		return wrap;
	}

	function setLocalState(li, kind, detail) {
		var st = $('.msg-status', li);
		li.classList.toggle('pending', kind === 'pending');
		li.classList.toggle('failed', kind === 'failed');
		li.classList.toggle('sent', kind === 'sent');
		st.textContent = '';
		if (kind === 'pending') {
			st.appendChild(stateIcon('pending', T.sending));
		} else if (kind === 'sent') {
			st.appendChild(stateIcon('sent', T.sent));
		} else if (kind === 'failed') {
			st.appendChild(doc.createTextNode(detail ? T.failed + ': ' + detail : T.failed));
			var btn = doc.createElement('button');
			btn.type = 'button';
			btn.className = 'retry-btn';
			btn.textContent = T.retry;
			st.appendChild(btn);
		}
	}

	function send(li) {
		var text = li._text;
		var cid = li.getAttribute('data-client-id');
		setLocalState(li, 'pending');
		var data = { text: text, client_id: cid };
		if (li._replyTo) data.reply_to = li._replyTo; // msgactions.js: the reply bar
		api('POST', '/api/chats/' + encodeURIComponent(state.chat) + '/messages', data)
			.then(function (r) {
				if (r.status === 200 || r.status === 201) {
					return r.json().then(function (d) { confirmed(li, d && d.message); });
				}
				return r.json().then(function (d) {
					return d && d.error && d.error.message;
				}, function () { return ''; }).then(function (msg) {
					setLocalState(li, 'failed', msg || String(r.status));
				});
			}, function () {
				setLocalState(li, 'failed', '');
			});
	}

	function confirmed(li, m) {
		if (!li.isConnected) return; // the live event already replaced it
		if (!m) { catchUp(); return; }
		if (doc.getElementById('m-' + m.id)) { li.remove(); return; }
		li.setAttribute('data-id', String(m.id));
		setLocalState(li, 'sent');
		// the server-made html comes with the live event or from the event log
		catchUp();
	}

	function autosize() {
		if (!textarea || 'fieldSizing' in textarea.style) return;
		textarea.style.height = 'auto';
		textarea.style.height = Math.min(textarea.scrollHeight + 2, 200) + 'px';
	}

	if (composer && textarea && list) {
		composer.addEventListener('submit', function (e) {
			var cidField = composer.querySelector('input[name="client_id"]');
			if (historyMode || !window.fetch) {
				// plain form post; a client id makes a double submit harmless
				if (cidField && !cidField.value) cidField.value = randomId();
				return;
			}
			e.preventDefault();
			var text = textarea.value;
			if (!text.trim()) { textarea.focus(); return; }
			var err = $('.composer-error', composer);
			if (err) err.remove();
			var li = makeLocal(text, randomId());
			li._text = text;
			var replyTo = composer.querySelector('input[name="reply_to"]'); // msgactions.js
			if (replyTo && /^\d+$/.test(replyTo.value)) li._replyTo = Number(replyTo.value);
			textarea.value = '';
			autosize();
			textarea.focus();
			send(li);
		});

		list.addEventListener('click', function (e) {
			var btn = e.target.closest && e.target.closest('.retry-btn');
			if (!btn) return;
			var li = btn.closest('li.msg.local');
			if (li) send(li); // same client_id: a retry never doubles a message
		});

		textarea.addEventListener('keydown', function (e) {
			if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.isComposing || e.keyCode === 229) return;
			// the viewer's setting (me.send_key): Ctrl+Enter (or Cmd+Enter) sends, Enter breaks the line
			var ctrl = e.ctrlKey || e.metaKey;
			if (composer.getAttribute('data-send-key') === 'ctrl_enter' && !ctrl) return;
			e.preventDefault();
			if (!textarea.value.trim()) return;
			if (composer.requestSubmit) composer.requestSubmit();
			else composer.dispatchEvent(new Event('submit', { cancelable: true }));
		});

		if (!('fieldSizing' in textarea.style)) {
			textarea.addEventListener('input', autosize);
			autosize();
		}
	}

	/* ---------- the chat list pane ---------- */

	function summary(m) {
		if (!m) return '';
		var t = String(m.preview != null ? m.preview : (m.text || '')).replace(/\s+/g, ' ').trim();
		return t.length > 140 ? t.slice(0, 140) + '…' : t;
	}

	function setBadge(li, n) {
		var row = $all('.chat-row', li)[1];
		var badge = $('.badge', li);
		if (n > 0) {
			if (!badge) {
				badge = doc.createElement('span');
				badge.className = 'badge' + (li.getAttribute('data-notify') === 'muted' ? ' muted' : '');
				if (row) row.appendChild(badge);
			}
			badge.textContent = n >= 1000 ? '999+' : String(n);
			unreadTitle(badge, n);
		} else if (badge) {
			badge.remove();
		}
		updateTitle();
	}

	// "5 unread messages" in the page's plural forms (static/chatux.js)
	function unreadTitle(badge, n) {
		if (window.messlyPlural && chatList) badge.title = window.messlyPlural(n, chatList, 'unread');
	}

	function clearUnread(chatId) {
		if (!chatList) return;
		var li = chatList.querySelector('li[data-chat="' + CSS.escape(String(chatId)) + '"]');
		if (li) setBadge(li, 0);
		var at = li && $('.mention-badge', li); // read: no unread mentions either (mentions.js)
		if (at) at.remove();
	}

	var baseTitle = doc.title;
	function updateTitle() {
		if (!chatList) return;
		var total = 0;
		// muted chats keep their badge in the list but add nothing to the title
		$all('.chat-item:not([data-notify="muted"]) .badge', chatList).forEach(function (b) { total += parseInt(b.textContent, 10) || 0; });
		doc.title = total > 0 ? '(' + total + ') ' + baseTitle : baseTitle;
		doc.dispatchEvent(new CustomEvent('messly:unread', { detail: total }));
	}

	function updateChatList(ev) {
		if (!chatList) return;
		var li = chatList.querySelector('li[data-chat="' + CSS.escape(String(ev.chat)) + '"]');
		if (!li) { refreshChatList(); return; }
		var known = parseInt(li.getAttribute('data-seq'), 10) || 0;
		if (ev.seq <= known) return; // already counted
		li.setAttribute('data-seq', String(ev.seq));
		var m = ev.message || {};
		if (typeof m.seq === 'number' && m.seq !== ev.seq) return; // a change to an older message
		var pv = $('.chat-preview', li);
		if (pv) pv.textContent = summary(m);
		var t = $('.chat-time', li);
		if (t && m.created_at) { t.setAttribute('datetime', m.created_at); localizeTime(t); }
		var fromMe = m.sender && String(m.sender.id) === me;
		var isOpen = String(ev.chat) === String(state.chat) && !historyMode;
		if (fromMe) setBadge(li, 0); // sending (on any device) marks the chat read
		else if (!(isOpen && isVisible())) {
			var badge = $('.badge', li);
			setBadge(li, (badge ? parseInt(badge.textContent, 10) || 0 : 0) + 1);
		}
		if (chatList.firstElementChild !== li) {
			chatList.insertBefore(li, chatList.firstElementChild);
			li.classList.remove('bump');
			void li.offsetWidth;
			li.classList.add('bump');
		}
	}

	function el(tag, cls, text) {
		var e = doc.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	// The same structure as templates/partials/chat_item.html, built with textContent.
	function buildChatItem(c) {
		var active = String(c.id) === String(state.chat) && !!list;
		var li = el('li', 'chat-item' + (active ? ' active' : ''));
		li.setAttribute('data-chat', String(c.id));
		li.setAttribute('data-seq', String(c.last_seq || 0));
		li.setAttribute('data-notify', c.notify || 'all');
		li.setAttribute('data-kind', c.kind || '');
		var a = el('a', 'chat-link');
		a.href = '/chats/' + encodeURIComponent(c.id);
		if (active) a.setAttribute('aria-current', 'page');
		var av = el('span', 'avatar', c.title);
		av.setAttribute('data-hue', String(c.peer ? c.peer.id : c.id));
		av.setAttribute('aria-hidden', 'true');
		if (c.avatar_key) av.setAttribute('data-avatar', c.avatar_key);
		if (c.avatar && c.avatar.url96) { // files: the picture over the initials
			var img = el('img', 'avatar-img');
			img.alt = '';
			img.src = c.avatar.url96;
			av.appendChild(img);
		}
		var main = el('span', 'chat-main');
		var r1 = el('span', 'chat-row');
		r1.appendChild(el('span', 'chat-title', c.title));
		var when = (c.last_message && c.last_message.created_at) || c.updated_at;
		var t = el('time', 'chat-time');
		if (when) { t.setAttribute('datetime', when); localizeTime(t); }
		r1.appendChild(t);
		var r2 = el('span', 'chat-row');
		r2.appendChild(el('span', 'chat-preview', c.last_message ? summary(c.last_message) : (chatList.getAttribute('data-t-none') || '')));
		var unread = active && isVisible() ? 0 : (c.unread || 0);
		if (unread > 0) {
			var b = el('span', 'badge' + (c.notify === 'muted' ? ' muted' : ''), unread >= 1000 ? '999+' : unread);
			unreadTitle(b, unread);
			r2.appendChild(b);
		}
		if (unread > 0 && c.unread_mentions > 0) { // mentions (static/mentions.js keeps it live)
			var at = el('span', 'mention-badge', '@');
			at.setAttribute('data-count', String(c.unread_mentions));
			at.title = chatList.getAttribute('data-t-mentions') || '';
			r2.appendChild(at);
		}
		main.appendChild(r1);
		main.appendChild(r2);
		a.appendChild(av);
		a.appendChild(main);
		li.appendChild(a);
		return li;
	}

	var refreshing = null;
	var refreshAgain = false;

	function refreshChatList() {
		if (!chatList) return Promise.resolve();
		if (refreshing) { refreshAgain = true; return refreshing; }
		refreshing = (async function () {
			do {
				refreshAgain = false;
				var r = await api('GET', '/api/chats');
				if (!r.ok) return;
				var data = await r.json();
				var chats = (data && data.chats) || [];
				var frag = doc.createDocumentFragment();
				chats.forEach(function (c) { frag.appendChild(buildChatItem(c)); });
				chatList.textContent = '';
				chatList.appendChild(frag);
				if (chats.length) {
					var empty = $('#chats-empty');
					if (empty) empty.remove();
				}
				updateTitle();
			} while (refreshAgain);
		})().catch(function () {}).then(function () { refreshing = null; });
		return refreshing;
	}

	/* ---------- live connection ---------- */

	var ws = null;
	var es = null;
	var attempt = 0;
	var failures = 0;        // failed opens in a row on the current transport
	var opens = 0;
	var reconnectTimer = null;
	var stableTimer = null;
	var connShowTimer = null;
	var transport = 'WebSocket' in window ? 'websocket' : ('EventSource' in window ? 'eventsource' : null);
	var connEl = $('#conn');

	function showConn(on) {
		if (!connEl) return;
		clearTimeout(connShowTimer);
		if (on) connShowTimer = setTimeout(function () { connEl.hidden = false; }, 1500);
		else connEl.hidden = true;
	}

	function onFrame(data) {
		var ev;
		try { ev = JSON.parse(data); } catch (e) { return; }
		if (ev && ev.type === 'message' && ev.chat !== undefined && typeof ev.seq === 'number') {
			if (list && String(ev.chat) === String(state.chat)) applyLive(ev);
			updateChatList(ev);
		}
		// other scripts (static/groups.js) see every event after this one
		if (ev && typeof ev === 'object') doc.dispatchEvent(new CustomEvent('messly:event', { detail: ev }));
	}

	function onOpen(kind) {
		state.connected = true;
		state.transport = kind;
		doc.dispatchEvent(new CustomEvent('messly:connected', { detail: kind }));
		failures = 0;
		showConn(false);
		clearTimeout(stableTimer);
		stableTimer = setTimeout(function () { attempt = 0; }, 10000);
		opens++;
		if (opens > 1) refreshChatList();
		catchUp();
	}

	function onDown(wasOpen) {
		state.connected = false;
		doc.dispatchEvent(new CustomEvent('messly:disconnected'));
		clearTimeout(stableTimer);
		if (!wasOpen) {
			failures++;
			if (failures === 2) checkSession();
			// the other transport may get through a proxy that breaks this one
			if (failures >= 3) {
				var other = transport === 'websocket' ? 'eventsource' : 'websocket';
				if (other === 'eventsource' ? 'EventSource' in window : 'WebSocket' in window) transport = other;
				failures = 0;
			}
		}
		showConn(true);
		scheduleReconnect();
	}

	// Refused again and again: if the session is gone (logged out elsewhere),
	// reload so the server shows the login page instead of retrying forever.
	function checkSession() {
		api('GET', '/api/me').then(function (r) {
			if (r.status === 401) {
				transport = null;
				clearTimeout(reconnectTimer);
				location.reload();
			}
		}, function () {});
	}

	function scheduleReconnect() {
		if (!transport) return;
		if (reconnectTimer) return;
		var base = Math.min(15000, 500 * Math.pow(2, attempt));
		attempt++;
		var delay = base / 2 + Math.random() * base / 2; // jitter
		reconnectTimer = setTimeout(connect, delay);
	}

	function connectNow() {
		clearTimeout(reconnectTimer);
		reconnectTimer = null;
		attempt = 0;
		connect();
	}

	function connect() {
		clearTimeout(reconnectTimer);
		reconnectTimer = null;
		if (ws || es) return;
		if (transport === 'websocket') {
			var opened = false;
			var sock;
			try {
				sock = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/connect');
			} catch (e) {
				onDown(false);
				return;
			}
			ws = sock;
			sock.onopen = function () { opened = true; onOpen('websocket'); };
			sock.onmessage = function (e) { if (typeof e.data === 'string') onFrame(e.data); };
			sock.onclose = function () {
				if (ws === sock) ws = null;
				onDown(opened);
			};
		} else if (transport === 'eventsource') {
			var src = new EventSource('/connect');
			var esOpened = false;
			es = src;
			src.onopen = function () { esOpened = true; onOpen('eventsource'); };
			src.onmessage = function (e) { onFrame(e.data); };
			src.onerror = function () {
				// take over the browser's own retry so every reconnect catches up
				src.close();
				if (es === src) es = null;
				onDown(esOpened);
			};
		}
	}

	/* ---------- start ---------- */

	localizeTimes(doc);
	if (list) {
		$all('li.msg', list).forEach(decorate);
		var divider = $('#unread-divider', list);
		var target = location.hash && /^#m-\d+$/.test(location.hash) ? doc.getElementById(location.hash.slice(1)) : null;
		if (target) target.scrollIntoView({ block: 'center' });
		else if (divider) divider.scrollIntoView({ block: 'start' });
		else scrollToBottom();
	}

	// mark the current section in the top bar
	var path = location.pathname;
	$all('.nav-link[data-nav]').forEach(function (a) {
		var p = a.getAttribute('href');
		if (path === p || path.indexOf(p + '/') === 0) a.setAttribute('aria-current', 'page');
	});

	if (me && transport && (list || chatList)) {
		updateTitle();
		connect();

		window.addEventListener('online', function () {
			if (!state.connected) connectNow();
			else catchUp();
		});
		doc.addEventListener('visibilitychange', function () {
			if (!isVisible()) return;
			if (!state.connected && reconnectTimer) connectNow();
			catchUp();
			markRead();
		});
		window.addEventListener('pageshow', function (e) {
			if (!e.persisted) return;
			if (!state.connected) connectNow();
			refreshChatList();
			catchUp();
		});
		window.addEventListener('pagehide', function (e) {
			if (e.persisted) return;
			if (ws) { var w = ws; ws = null; w.onclose = null; w.close(); }
			if (es) { es.close(); es = null; }
		});
	}
})();
