/* messages.js: message actions with JavaScript, on top of app.js (live
 * events arrive as "messly:event" DOM events after app.js has put the
 * message in place). The viewer's own reactions are highlighted from each
 * chip's data-users (the shared live html cannot know the viewer); a chip
 * toggles that reaction; the smiley button opens the emoji picker
 * (static/emoji.js). Without JavaScript the chips and the "⋯" link lead to
 * the message page with its forms. */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body) return;
	var me = body.getAttribute('data-me') || '';
	var csrfMeta = doc.querySelector('meta[name="csrf"]');
	var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';
	var list = doc.getElementById('messages');
	if (!list || !me || !window.fetch) return;
	var reactLabel = list.getAttribute('data-t-react') || '';

	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

	function mine(chip) {
		return (chip.getAttribute('data-users') || '').split(' ').indexOf(me) >= 0;
	}

	// Highlight own chips; add the react button to a real, live message.
	function enhance(li) {
		if (!li || !li.classList || !li.classList.contains('msg')) return;
		$all('a.reaction', li).forEach(function (chip) { chip.classList.toggle('mine', mine(chip)); });
		var id = li.getAttribute('data-id');
		if (!/^\d+$/.test(id || '') || li.classList.contains('service') || li.classList.contains('deleted') ||
		    li.classList.contains('local') || li.querySelector('.msg-react-btn')) return;
		var b = doc.createElement('button');
		b.type = 'button';
		b.className = 'msg-react-btn';
		b.title = reactLabel;
		b.setAttribute('aria-label', reactLabel);
		b.textContent = '\u263A';
		// the "more" link may sit inside a collapsed <details> (integration.js)
		var more = li.querySelector('.msg-more');
		if (more && more.parentNode) more.parentNode.insertBefore(b, more);
		else li.appendChild(b);
	}

	function react(id, emoji, remove) {
		return fetch('/api/messages/' + id + '/reactions/' + encodeURIComponent(emoji), {
			method: remove ? 'DELETE' : 'PUT', credentials: 'same-origin',
			headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf }
		});
	}

	list.addEventListener('click', function (e) {
		var t = e.target;
		var chip = t.closest && t.closest('a.reaction');
		var li = t.closest && t.closest('li.msg');
		if (!li) return;
		var id = li.getAttribute('data-id');
		if (chip) {
			e.preventDefault();
			react(id, chip.getAttribute('data-emoji'), mine(chip));
			return;
		}
		var btn = t.closest && t.closest('.msg-react-btn');
		if (btn && window.messlyEmoji) {
			e.preventDefault();
			window.messlyEmoji.open(btn, function (emoji) {
				var have = $all('a.reaction', li).filter(function (c) { return c.getAttribute('data-emoji') === emoji; })[0];
				react(id, emoji, have ? mine(have) : false);
			});
		}
	});

	$all('li.msg', list).forEach(enhance);
	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		if (ev && ev.type === 'message' && ev.id) enhance(doc.getElementById('m-' + ev.id));
	});
	// a message app.js inserts without an event (the sender's own, confirmed)
	new MutationObserver(function (records) {
		records.forEach(function (r) {
			Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) enhance(n); });
		});
	}).observe(list, { childList: true });
})();

/* The pinned bar: shows the latest pin; the counter button cycles through
 * the others (without JavaScript: the "All pinned" page). A pin or unpin
 * seen live reloads the bar from /api/chats/ID/pins. */
(function () {
	'use strict';

	var doc = document;
	var bar = doc.getElementById('pinned-bar');
	var list = doc.getElementById('messages');
	var chat = list && list.getAttribute('data-chat');
	if (!chat || !window.fetch) return;

	function items() { return bar ? Array.prototype.slice.call(bar.querySelectorAll('.pinned-item')) : []; }

	function setup() {
		var all = items();
		var next = bar && bar.querySelector('.pinned-next');
		if (!next) return;
		next.hidden = all.length < 2;
		next.onclick = function () {
			var cur = all.findIndex(function (a) { return !a.hidden; });
			all.forEach(function (a) { a.hidden = true; });
			all[(cur + 1) % all.length].hidden = false;
		};
	}

	// Rebuild the bar's items from the pins list (text only, no HTML).
	function reload() {
		fetch('/api/chats/' + chat + '/pins', { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) {
				if (!d || !bar) return; // no bar on this page yet: the next visit shows it
				var box = bar.querySelector('.pinned-items');
				box.textContent = '';
				d.messages.forEach(function (m, i) {
					var a = doc.createElement('a');
					a.className = 'pinned-item';
					a.href = '/chats/' + chat + '?around=' + m.seq + '#m-' + m.id;
					a.setAttribute('data-id', String(m.id));
					a.textContent = m.preview || '';
					a.hidden = i > 0;
					box.appendChild(a);
				});
				bar.hidden = d.messages.length === 0;
				var next = bar.querySelector('.pinned-next');
				if (next) next.textContent = String(d.messages.length);
				setup();
			});
	}

	setup();
	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		var s = ev && ev.type === 'message' && String(ev.chat) === chat && ev.message && ev.message.service;
		if (s && (s.event === 'pinned' || s.event === 'unpinned')) reload();
	});
})();
