/* profiles.js: progressive enhancement for finding people, profiles and
 * settings. Without it the same pages work as plain forms and links.
 *   - /users: results as you type (GET /api/users, debounced), "More
 *     results" appends the next page in place; Enter submits as usual;
 *   - forms with data-confirm (blocking) ask first;
 *   - time.full-time shows date and time in the browser's zone, and
 *     time.date-only the date (app.js, which runs first, shows clock times). */
(function () {
	'use strict';

	var doc = document;
	var lang = doc.documentElement.lang || 'en';

	function el(tag, cls, text) {
		var e = doc.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	/* ---------- confirmations ---------- */

	doc.addEventListener('submit', function (e) {
		var form = e.target;
		var q = form && form.getAttribute && form.getAttribute('data-confirm');
		if (q && !window.confirm(q)) e.preventDefault();
	});

	/* ---------- full local times ---------- */

	try {
		var full = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
		var day = new Intl.DateTimeFormat(lang, { dateStyle: 'long' });
		Array.prototype.forEach.call(doc.querySelectorAll('time.full-time[datetime], time.date-only[datetime]'), function (t) {
			var d = new Date(t.getAttribute('datetime'));
			if (!isNaN(d.getTime())) t.textContent = (t.classList.contains('date-only') ? day : full).format(d);
		});
	} catch (err) { /* keep the server's UTC text */ }

	/* ---------- search as you type ---------- */

	var form = doc.getElementById('user-search');
	var input = doc.getElementById('q');
	var box = doc.getElementById('user-results');
	if (!form || !input || !box || !window.fetch) return;

	var T = {
		message: box.getAttribute('data-t-message') || '',
		none: box.getAttribute('data-t-none') || '',
		more: box.getAttribute('data-t-more') || ''
	};
	var csrf = box.getAttribute('data-csrf') || '';
	var timer = null;
	var serial = 0;      // answers to older keystrokes are dropped
	var PAGE = 20;

	// The same structure as the list in templates/users.html.
	function userItem(u) {
		var li = el('li', 'user-item');
		var a = el('a', 'user-link');
		a.href = '/u/' + encodeURIComponent(u.nickname);
		var av = el('span', 'avatar', u.name);
		av.setAttribute('data-hue', String(u.id));
		av.setAttribute('aria-hidden', 'true');
		var text = el('span', 'user-text');
		text.appendChild(el('span', 'user-name', u.name));
		text.appendChild(el('span', 'user-nick', '@' + u.nickname));
		a.appendChild(av);
		a.appendChild(text);
		var f = el('form');
		f.method = 'post';
		f.action = '/chats';
		[['csrf', csrf], ['kind', 'direct'], ['nickname', u.nickname]].forEach(function (p) {
			var h = el('input');
			h.type = 'hidden';
			h.name = p[0];
			h.value = p[1];
			f.appendChild(h);
		});
		var b = el('button', 'btn btn-secondary', T.message);
		b.type = 'submit';
		f.appendChild(b);
		li.appendChild(a);
		li.appendChild(f);
		return li;
	}

	function moreButton(q, offset) {
		var nav = el('nav', 'pager');
		var b = el('button', 'btn btn-secondary', T.more);
		b.type = 'button';
		b.addEventListener('click', function () {
			nav.remove();
			load(q, offset, true);
		});
		nav.appendChild(b);
		return nav;
	}

	function show(q, data, append) {
		var users = (data && data.users) || [];
		var list = box.querySelector('ul.user-list');
		if (!append || !list) {
			box.textContent = '';
			list = el('ul', 'user-list');
			box.appendChild(list);
			if (!users.length) box.appendChild(el('p', 'empty-inline', T.none));
		}
		users.forEach(function (u) { list.appendChild(userItem(u)); });
		if (data && data.has_more) box.appendChild(moreButton(q, data.next_offset));
	}

	function load(q, offset, append) {
		var mine = ++serial;
		var url = '/api/users?q=' + encodeURIComponent(q) + '&limit=' + PAGE + (offset ? '&offset=' + offset : '');
		return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (data) {
				if (mine !== serial || !data) return;
				show(q, data, append);
			}, function () { /* offline: the form still works */ });
	}

	function changed() {
		clearTimeout(timer);
		var q = input.value.trim();
		timer = setTimeout(function () {
			var url = q ? '/users?q=' + encodeURIComponent(q) : '/users';
			if (history.replaceState) history.replaceState(null, '', url);
			if (!q) {
				serial++;
				box.textContent = '';
				return;
			}
			load(q, 0, false);
		}, 200);
	}

	input.addEventListener('input', changed);
	// Enter still submits the form: a full page with the same results
	form.addEventListener('submit', function () { clearTimeout(timer); serial++; });
})();
