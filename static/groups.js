/* groups.js: group chats in the browser. On /chats/new: search people by
 * nickname as you type (/api/users?q=) and add them to the members field,
 * which works as a plain text field without this script. Everywhere: when
 * the viewer is removed from a group, leaves it, or it is deleted, the
 * chat leaves the list and an open chat says so (events from app.js). */
(function () {
	'use strict';

	var doc = document;
	var me = doc.body ? doc.body.getAttribute('data-me') || '' : '';

	/* ---------- member picker ---------- */

	function setupPicker(root) {
		var box = root.querySelector('.picker-search');
		var input = root.querySelector('#member-search');
		var results = root.querySelector('#picker-results');
		var field = root.querySelector('#group-members');
		if (!box || !input || !results || !field || !window.fetch) return;
		box.hidden = false;
		var tAdd = root.getAttribute('data-t-add') || '';
		var tNone = root.getAttribute('data-t-none') || '';
		var timer = null, seq = 0;

		function chosen() {
			return field.value.split(/[\s,;]+/).filter(Boolean).map(function (n) { return n.replace(/^@/, '').toLowerCase(); });
		}

		function add(nick) {
			var list = chosen();
			if (list.indexOf(nick) < 0) list.push(nick);
			field.value = list.join(', ');
			input.value = '';
			results.textContent = '';
			input.focus();
		}

		function show(users) {
			results.textContent = '';
			if (!users.length) {
				var li = doc.createElement('li');
				li.className = 'picker-empty';
				li.textContent = tNone;
				results.appendChild(li);
				return;
			}
			var have = chosen();
			users.forEach(function (u) {
				if (String(u.id) === me) return;
				var li = doc.createElement('li');
				li.className = 'picker-item';
				var b = doc.createElement('button');
				b.type = 'button';
				b.className = 'picker-pick';
				b.setAttribute('data-nickname', u.nickname);
				b.textContent = u.name + ' @' + u.nickname;
				b.disabled = have.indexOf(u.nickname) >= 0;
				b.title = tAdd;
				b.addEventListener('click', function () { add(u.nickname); });
				li.appendChild(b);
				results.appendChild(li);
			});
		}

		function search() {
			var q = input.value.trim().replace(/^@/, '').toLowerCase();
			if (!q) { results.textContent = ''; return; }
			var mine = ++seq;
			fetch('/api/users?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
				.then(function (r) { return r.ok ? r.json() : { users: [] }; })
				.then(function (d) { if (mine === seq) show((d && d.users) || []); }, function () {});
		}

		input.addEventListener('input', function () {
			clearTimeout(timer);
			timer = setTimeout(search, 150);
		});
		input.addEventListener('keydown', function (e) {
			if (e.key !== 'Enter') return;
			e.preventDefault(); // Enter picks the first result instead of submitting
			var first = results.querySelector('.picker-pick:not([disabled])');
			if (first) first.click();
		});
	}

	var picker = doc.getElementById('member-picker');
	if (picker) setupPicker(picker);

	/* ---------- losing a group ---------- */

	function dropChat(chatId, noteKey) {
		var item = doc.querySelector('#chat-list li[data-chat="' + CSS.escape(String(chatId)) + '"]');
		if (item) item.remove();
		var list = doc.getElementById('messages');
		if (!list || list.getAttribute('data-chat') !== String(chatId)) return;
		var composer = doc.getElementById('composer');
		var note = doc.createElement('p');
		note.className = 'alert group-gone';
		note.setAttribute('role', 'status');
		note.textContent = (composer && composer.getAttribute(noteKey)) || '';
		if (composer) composer.replaceWith(note);
		var info = doc.getElementById('group-info-link');
		if (info) info.remove();
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail || {};
		if (ev.type === 'chat_deleted') { dropChat(ev.chat, 'data-t-deleted'); return; }
		var s = ev.message && ev.message.service;
		if (!s || !me) return;
		var gone = (s.event === 'removed' && s.target && String(s.target.id) === me) ||
			(s.event === 'left' && s.actor && String(s.actor.id) === me);
		if (gone) dropChat(ev.chat, 'data-t-gone');
	});
})();
