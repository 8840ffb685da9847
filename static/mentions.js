/* mentions.js: @mentions with JavaScript, on top of app.js.
 * - A message that mentions the viewer is highlighted (its data-mentions
 *   holds the ids; the shared live html cannot know the viewer).
 * - The chat list's "@" mark follows live messages that mention the viewer
 *   and clears when the chat is read (on any device).
 * - Typing "@" in the composer suggests members of the chat
 *   (GET /api/chats/ID/mentionable?q=): arrows move, Enter or Tab picks,
 *   Esc closes; a click or tap picks too.
 * Without JavaScript people type @nickname and the server does the rest. */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body || !window.fetch) return;
	var me = body.getAttribute('data-me') || '';
	if (!me) return;
	var list = doc.getElementById('messages');
	var chatList = doc.querySelector('.chat-list');

	function mentionsMe(ids, sender) {
		return String(sender || '') !== me && String(ids || '').split(/[ ,]/).indexOf(me) >= 0;
	}

	/* ---------- highlight ---------- */

	function mark(li) {
		if (!li || !li.classList || !li.classList.contains('msg')) return;
		li.classList.toggle('mention-me', mentionsMe(li.getAttribute('data-mentions'), li.getAttribute('data-sender')));
	}
	if (list) {
		Array.prototype.forEach.call(list.querySelectorAll('li.msg'), mark);
		new MutationObserver(function (records) {
			records.forEach(function (r) {
				Array.prototype.forEach.call(r.addedNodes, function (n) {
					if (n.nodeType !== 1) return;
					mark(n);
					if (n.querySelectorAll) Array.prototype.forEach.call(n.querySelectorAll('li.msg'), mark);
				});
			});
		}).observe(list, { childList: true, subtree: true });
	}

	/* ---------- the chat list's mark ---------- */

	function chatItem(id) {
		return chatList ? chatList.querySelector('li[data-chat="' + CSS.escape(String(id)) + '"]') : null;
	}

	function setMark(id, n) {
		var li = chatItem(id);
		if (!li) return;
		var b = li.querySelector('.mention-badge');
		if (n > 0) {
			if (!b) {
				b = doc.createElement('span');
				b.className = 'mention-badge';
				b.textContent = '@';
				b.title = (chatList && chatList.getAttribute('data-t-mentions')) || '';
				var rows = li.querySelectorAll('.chat-row');
				(rows.length ? rows[rows.length - 1] : li).appendChild(b);
			}
			b.setAttribute('data-count', String(n));
		} else if (b) {
			b.remove();
		}
	}

	function markOf(id) {
		var li = chatItem(id);
		var b = li && li.querySelector('.mention-badge');
		return b ? parseInt(b.getAttribute('data-count'), 10) || 0 : 0;
	}

	function openAndSeen(chat) {
		var st = window.messly && window.messly.state;
		return st && String(st.chat) === String(chat) && !doc.hidden;
	}

	// the exact count after a partial read
	function refresh(chat) {
		fetch('/api/chats/' + encodeURIComponent(chat), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) { if (d && d.chat) setMark(chat, d.chat.unread_mentions || 0); }, function () {});
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail || {};
		if (ev.type === 'read') {
			if (!ev.unread) setMark(ev.chat, 0);
			else if (markOf(ev.chat)) refresh(ev.chat);
			return;
		}
		if (ev.type !== 'message' || !ev.message) return;
		var m = ev.message;
		if (m.seq !== ev.seq || !m.sender) return; // a change to an older message
		if (String(m.sender.id) === me) { setMark(ev.chat, 0); return; } // sending reads the chat
		var ids = (m.mentions || []).map(function (u) { return String(u.id); }).join(' ');
		if (mentionsMe(ids, m.sender.id) && !openAndSeen(ev.chat))
			setTimeout(function () { setMark(ev.chat, markOf(ev.chat) + 1); }, 0); // after app.js's list update
	});

	/* ---------- suggestions in the composer ---------- */

	var text = doc.getElementById('composer-text');
	var chat = list && list.getAttribute('data-chat');
	if (!text || !chat) return;

	var box = doc.createElement('ul');
	box.id = 'mention-suggest';
	box.className = 'mention-suggest';
	box.setAttribute('role', 'listbox');
	box.setAttribute('aria-label', (chatList && chatList.getAttribute('data-t-suggest')) || text.getAttribute('data-t-suggest') || '');
	box.hidden = true;
	text.parentNode.insertBefore(box, text);
	text.setAttribute('aria-autocomplete', 'list');
	text.setAttribute('aria-controls', box.id);

	var users = [], active = -1, token = null, timer = null, asked = 0;

	// "@prefix" just before the caret: {start, q} or null
	function tokenAtCaret() {
		var end = text.selectionStart;
		if (end !== text.selectionEnd) return null;
		var m = /(^|[^A-Za-z0-9_])@([A-Za-z0-9_]{0,32})$/.exec(text.value.slice(0, end));
		return m ? { start: end - m[2].length - 1, end: end, q: m[2] } : null;
	}

	function close() {
		box.hidden = true;
		box.textContent = '';
		users = [];
		active = -1;
		token = null;
		text.removeAttribute('aria-activedescendant');
		text.setAttribute('aria-expanded', 'false');
	}

	function highlight(i) {
		active = i;
		Array.prototype.forEach.call(box.children, function (li, k) {
			li.setAttribute('aria-selected', k === i ? 'true' : 'false');
			li.classList.toggle('active', k === i);
		});
		if (i >= 0) text.setAttribute('aria-activedescendant', 'mention-opt-' + i);
	}

	function show(list2) {
		users = list2;
		box.textContent = '';
		if (!users.length) { close(); return; }
		users.forEach(function (u, i) {
			var li = doc.createElement('li');
			li.id = 'mention-opt-' + i;
			li.setAttribute('role', 'option');
			li.setAttribute('data-nickname', u.nickname);
			var n = doc.createElement('span');
			n.className = 'mention-suggest-name';
			n.textContent = u.name;
			var k = doc.createElement('span');
			k.className = 'mention-suggest-nick';
			k.textContent = '@' + u.nickname;
			li.appendChild(n);
			li.appendChild(doc.createTextNode(' '));
			li.appendChild(k);
			box.appendChild(li);
		});
		box.hidden = false;
		text.setAttribute('aria-expanded', 'true');
		highlight(0);
	}

	function ask() {
		token = tokenAtCaret();
		if (!token) { close(); return; }
		var mine = ++asked;
		clearTimeout(timer);
		timer = setTimeout(function () {
			fetch('/api/chats/' + encodeURIComponent(chat) + '/mentionable?q=' + encodeURIComponent(token.q),
				{ credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
				.then(function (r) { return r.ok ? r.json() : null; })
				.then(function (d) {
					if (mine !== asked || !tokenAtCaret()) return; // typed on, or moved away
					show((d && d.users) || []);
				}, function () {});
		}, 120);
	}

	function pick(i) {
		var u = users[i];
		var t = tokenAtCaret();
		if (!u || !t) { close(); return; }
		var insert = '@' + u.nickname + ' ';
		text.value = text.value.slice(0, t.start) + insert + text.value.slice(t.end);
		var caret = t.start + insert.length;
		text.setSelectionRange(caret, caret);
		close();
		text.focus();
		text.dispatchEvent(new Event('input', { bubbles: true })); // drafts, autosize
	}

	text.addEventListener('input', ask);
	text.addEventListener('click', ask);
	text.addEventListener('blur', function () { setTimeout(close, 150); });
	// capture: before the composer's own Enter-to-send
	doc.addEventListener('keydown', function (e) {
		if (e.target !== text || box.hidden || !users.length || e.isComposing) return;
		var k = e.key;
		if (k === 'ArrowDown' || k === 'ArrowUp') {
			highlight((active + (k === 'ArrowDown' ? 1 : users.length - 1)) % users.length);
		} else if ((k === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) || k === 'Tab') {
			pick(active < 0 ? 0 : active);
		} else if (k === 'Escape') {
			close();
		} else {
			return;
		}
		e.preventDefault();
		e.stopImmediatePropagation();
	}, true);
	box.addEventListener('mousedown', function (e) { e.preventDefault(); }); // keep the focus
	box.addEventListener('click', function (e) {
		var li = e.target.closest && e.target.closest('li[role="option"]');
		if (li) pick(Array.prototype.indexOf.call(box.children, li));
	});
})();
