/* readstate.js: read state, typing, presence, notifications and search as
 * you type, on top of app.js (which hands every live event over as a
 * "messly:event" DOM event). Everything here is comfort: the pages work
 * without it (the divider, receipts, presence and search are rendered by
 * the server; settings are plain forms). */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body) return;
	var me = body.getAttribute('data-me') || '';
	var csrfMeta = doc.querySelector('meta[name="csrf"]');
	var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';
	var lang = body.getAttribute('data-lang') || 'en';
	var list = doc.getElementById('messages');
	var chatList = doc.getElementById('chat-list');
	var chatId = list ? list.getAttribute('data-chat') : null;
	var historyMode = /[?&](before|around)=/.test(location.search);

	var TYPING_SEND_MS = 3000; // at most one typing signal per 3 s
	var TYPING_SHOW_MS = 6000; // shown for at most 6 s after the last signal

	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }
	function post(url, data) {
		return fetch(url, {
			method: 'POST', credentials: 'same-origin',
			headers: { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
			body: JSON.stringify(data || {})
		});
	}
	function hidden() { return doc.visibilityState === 'hidden'; }
	function chatItem(id) {
		return chatList ? chatList.querySelector('li[data-chat="' + CSS.escape(String(id)) + '"]') : null;
	}

	var fmtFull = null;
	try { fmtFull = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }); } catch (e) { /* keep server text */ }
	function localize(t) {
		var d = new Date(t.getAttribute('datetime') || '');
		if (fmtFull && !isNaN(d.getTime())) t.textContent = fmtFull.format(d);
	}
	$all('time.seen-time, time.hit-time').forEach(localize);

	/* ---------- receipts ---------- */

	var reads = null; // user id -> read seq of the other members (receipts on)
	if (list && list.hasAttribute('data-reads')) {
		reads = {};
		(list.getAttribute('data-reads') || '').split(',').forEach(function (p) {
			var kv = p.split(':');
			if (kv.length === 2) reads[kv[0]] = parseInt(kv[1], 10) || 0;
		});
	}

	function renderReceipts() {
		if (!reads || !list) return;
		var group = list.getAttribute('data-kind') !== 'direct';
		$all('li.msg.own[data-seq]:not(.local)', list).forEach(function (li) {
			var seq = parseInt(li.getAttribute('data-seq'), 10) || 0;
			var seen = 0;
			Object.keys(reads).forEach(function (u) { if (reads[u] >= seq) seen++; });
			var old = li.querySelector('.msg-receipt');
			var el;
			if (group && seen > 0) {
				el = doc.createElement('a');
				el.className = 'msg-receipt seen';
				el.href = '/messages/' + encodeURIComponent(li.getAttribute('data-id')) + '/readers';
				el.textContent = (list.getAttribute('data-t-seen') || '') + ' ' + seen;
			} else {
				el = doc.createElement('span');
				el.className = 'msg-receipt' + (seen > 0 ? ' read' : '');
				el.title = list.getAttribute(seen > 0 ? 'data-t-read' : 'data-t-sent') || '';
				el.textContent = seen > 0 ? '\u2713\u2713' : '\u2713';
			}
			if (old && old.outerHTML === el.outerHTML) return;
			if (old) old.replaceWith(el); else li.appendChild(el);
		});
	}

	// for static/chatux.js: older messages it loads get their receipts too
	if (window.messly) window.messly.renderReceipts = renderReceipts;

	/* ---------- typing ---------- */

	var typingEl = doc.getElementById('typing');
	var typers = {}; // "chat:user" -> timer
	var lastTypingSent = 0;

	function typingText(name) {
		var t = (typingEl && typingEl.getAttribute('data-t-typing')) || '{name} is typing…';
		return t.replace('{name}', name);
	}

	function showTyping(chat, user, on) {
		var key = chat + ':' + user.id;
		clearTimeout(typers[key]);
		delete typers[key];
		if (on) typers[key] = setTimeout(function () { showTyping(chat, user, false); }, TYPING_SHOW_MS);
		if (typingEl && String(chat) === String(chatId)) {
			typingEl.textContent = on ? typingText(user.name) : '';
			typingEl.hidden = !on;
		}
		var li = chatItem(chat);
		var pv = li && li.querySelector('.chat-preview');
		if (!pv) return;
		if (on) {
			if (!li.classList.contains('typing')) pv.setAttribute('data-text', pv.textContent);
			li.classList.add('typing');
			pv.textContent = typingText(user.name);
		} else if (li.classList.contains('typing')) {
			li.classList.remove('typing');
			pv.textContent = pv.getAttribute('data-text') || '';
		}
	}

	var textarea = doc.querySelector('#composer textarea[name="text"]');
	if (textarea && chatId && !historyMode && window.fetch) {
		textarea.addEventListener('input', function () {
			var now = Date.now();
			if (!textarea.value.trim() || now - lastTypingSent < TYPING_SEND_MS) return;
			lastTypingSent = now;
			post('/api/chats/' + encodeURIComponent(chatId) + '/typing').catch(function () {});
		});
		// a sent message ends the typing; the next keystroke may signal again
		textarea.form.addEventListener('submit', function () { lastTypingSent = 0; });
	}

	/* ---------- presence ---------- */

	function setPresence(userId, online, lastSeen) {
		$all('[data-presence="' + CSS.escape(String(userId)) + '"]').forEach(function (span) {
			span.textContent = '';
			span.classList.toggle('online', !!online);
			if (online) {
				span.textContent = span.getAttribute('data-t-online') || 'online';
			} else if (lastSeen) {
				span.appendChild(doc.createTextNode((span.getAttribute('data-t-seen') || 'last seen') + ' '));
				var t = doc.createElement('time');
				t.className = 'seen-time';
				t.setAttribute('datetime', lastSeen);
				t.textContent = lastSeen;
				localize(t);
				span.appendChild(t);
			}
		});
	}

	// The heartbeat: while connected, tell the server this tab is alive.
	var pingTimer = null;
	function ping() {
		clearTimeout(pingTimer);
		post('/api/presence').then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
			var s = d && d.interval > 0 ? d.interval : 24;
			pingTimer = setTimeout(ping, s * 1000);
		}, function () { pingTimer = setTimeout(ping, 24000); });
	}
	doc.addEventListener('messly:connected', function () { ping(); });
	doc.addEventListener('messly:disconnected', function () { clearTimeout(pingTimer); pingTimer = null; });

	// A lapsed heartbeat fires no event: look again now and then.
	var peerSpan = list ? doc.querySelector('.chat-head [data-presence]') : null;
	if (peerSpan && chatId) {
		setInterval(function () {
			if (hidden()) return;
			fetch('/api/chats/' + encodeURIComponent(chatId), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
				.then(function (r) { return r.ok ? r.json() : null; })
				.then(function (d) {
					var p = d && d.chat && d.chat.peer;
					if (p && p.online !== undefined) setPresence(p.id, p.online, p.last_seen);
				}, function () {});
		}, 30000);
	}

	/* ---------- notifications ---------- */

	var canNotify = 'Notification' in window;
	$all('.notify-enable').forEach(function (btn) {
		if (!canNotify || Notification.permission !== 'default') return;
		btn.hidden = false;
		btn.addEventListener('click', function () {
			Notification.requestPermission().then(function () { btn.hidden = true; });
		});
	});

	function levelOf(chat) {
		var li = chatItem(chat);
		if (li) return li.getAttribute('data-notify') || 'all';
		if (list && String(chat) === String(chatId)) return list.getAttribute('data-notify') || 'all';
		return 'all';
	}

	function kindOf(chat) {
		var li = chatItem(chat);
		if (li) return li.getAttribute('data-kind') || '';
		return list && String(chat) === String(chatId) ? list.getAttribute('data-kind') || '' : '';
	}

	// the mentions the server resolved (by user id), not a guess from the text
	function mentionsMe(m) {
		return (m.mentions || []).some(function (u) { return String(u.id) === me; });
	}

	function notify(ev) {
		var m = ev.message || {};
		if (!canNotify || Notification.permission !== 'granted' || !hidden()) return;
		if (!m.sender || String(m.sender.id) === me || m.seq !== ev.seq) return; // own, or an edit
		var level = levelOf(ev.chat);
		if (level === 'muted') return;
		if (level === 'mentions' && kindOf(ev.chat) !== 'direct' && !mentionsMe(m)) return;
		var li = chatItem(ev.chat);
		var title = li && li.querySelector('.chat-title') ? li.querySelector('.chat-title').textContent : '';
		var n;
		try {
			n = new Notification(title && title !== m.sender.name ? m.sender.name + ' \u2014 ' + title : m.sender.name, {
				body: String(m.preview || m.text || '').slice(0, 140),
				tag: 'messly-chat-' + ev.chat
			});
		} catch (e) { return; }
		n.onclick = function () {
			window.focus();
			location.href = '/chats/' + encodeURIComponent(ev.chat);
			n.close();
		};
	}

	/* ---------- live events ---------- */

	function dividerBefore(id) {
		if (!list || doc.getElementById('unread-divider')) return;
		var li = doc.getElementById('m-' + id);
		if (!li) return;
		var d = doc.createElement('li');
		d.className = 'unread-divider';
		d.id = 'unread-divider';
		var s = doc.createElement('span');
		s.textContent = list.getAttribute('data-t-unread') || '';
		d.appendChild(s);
		li.parentNode.insertBefore(d, li);
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		switch (ev.type) {
		case 'read': // this user's position moved, on any device: exact count
			if (window.messly && window.messly.setUnread) window.messly.setUnread(ev.chat, ev.unread || 0);
			break;
		case 'receipt':
			if (reads && String(ev.chat) === String(chatId) && String(ev.user) !== me) {
				reads[String(ev.user)] = Math.max(reads[String(ev.user)] || 0, ev.seq);
				renderReceipts();
			}
			break;
		case 'typing':
			if (ev.user && String(ev.user.id) !== me) showTyping(ev.chat, ev.user, true);
			break;
		case 'presence':
			setPresence(ev.user, ev.online, ev.last_seen);
			break;
		case 'message':
			var m = ev.message || {};
			if (m.sender) showTyping(ev.chat, m.sender, false);
			notify(ev);
			// after app.js has put the message on the page
			setTimeout(function () {
				renderReceipts();
				if (hidden() && String(ev.chat) === String(chatId) && m.sender && String(m.sender.id) !== me)
					dividerBefore(ev.id);
			}, 0);
			break;
		}
	});
	renderReceipts();

	/* ---------- favicon badge ---------- */

	var icon = doc.querySelector('link[rel="icon"]');
	var iconHref = icon ? icon.getAttribute('href') : null;
	doc.addEventListener('messly:unread', function (e) {
		if (!icon) return;
		var n = e.detail || 0;
		if (!n) { icon.setAttribute('href', iconHref); return; }
		var label = n > 99 ? '99+' : String(n);
		var svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
			'<rect width="32" height="32" rx="9" fill="#3566f0"/>' +
			'<circle cx="22" cy="10" r="10" fill="#e5484d"/>' +
			'<text x="22" y="14" font-family="sans-serif" font-size="' + (label.length > 2 ? 8 : 11) +
			'" font-weight="700" fill="#fff" text-anchor="middle">' + label + '</text></svg>';
		icon.setAttribute('href', 'data:image/svg+xml,' + encodeURIComponent(svg));
	});
	if (window.messly && window.messly.updateTitle) window.messly.updateTitle();

	/* ---------- search as you type ---------- */

	var form = doc.getElementById('search-form');
	var results = doc.getElementById('search-results');
	if (form && results && window.fetch && window.DOMParser) {
		var timer = null, seq = 0;
		var run = function () {
			var params = new URLSearchParams(new FormData(form));
			Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
			var url = '/search?' + params.toString();
			var mine = ++seq;
			fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
				.then(function (r) { return r.text(); })
				.then(function (html) {
					if (mine !== seq) return; // a newer search is on its way
					var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('search-results');
					if (!fresh) return;
					var node = doc.importNode(fresh, true);
					results.replaceWith(node);
					results = node;
					$all('time.hit-time', results).forEach(localize);
					history.replaceState(null, '', url);
				}, function () {});
		};
		var later = function () { clearTimeout(timer); timer = setTimeout(run, 250); };
		form.addEventListener('input', later);
		form.addEventListener('change', later);
	}
})();
