/* webapp.js: the installable web app's comforts on top of app.js.
 * - The network bar (#netbar, templates/partials/foot.html): a banner while
 *   the browser is offline, and "connected again" once the live connection
 *   is back after the reconnect indicator (#conn, app.js) was shown; on a
 *   phone with a chat open (no top bar) it also shows that indicator.
 * - Keyboard: Esc closes an open menu (<details> popovers) and returns the
 *   focus to what opened the emoji picker (so does a pick); a live update of
 *   a message keeps the focus on its control; arrow keys move through the emoji
 *   picker's grid and through the chat list; Alt+Up / Alt+Down open the
 *   previous / next chat of the list.
 * Every page works without this file; strings come from the catalogs
 * (data-t-* attributes rendered by the server). */
(function () {
	'use strict';

	var doc = document;
	if (!doc.body) return;

	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

	/* ---------- the network bar ---------- */

	var bar = doc.getElementById('netbar');
	var conn = doc.getElementById('conn');
	var backTimer = null;
	var downSince = 0;     // when the live connection dropped (0: up, or never opened)

	function showBar(kind) {
		if (!bar) return;
		clearTimeout(backTimer);
		bar.classList.remove('netbar-offline', 'netbar-back', 'netbar-reconnecting');
		if (!kind) { bar.hidden = true; bar.textContent = ''; return; }
		bar.classList.add('netbar-' + kind);
		bar.textContent = bar.getAttribute('data-t-' + kind) || '';
		bar.hidden = false;
		if (kind === 'back') backTimer = setTimeout(function () { showBar(null); }, 3000);
	}

	function offline() { return navigator.onLine === false; }

	window.addEventListener('offline', function () { showBar('offline'); });
	window.addEventListener('online', function () {
		// pages with a live connection say "back" once it is open again
		if (!(window.messly && window.messly.state && conn)) showBar('back');
		else if (window.messly.state.connected) showBar('back');
		else showBar(null);
	});
	doc.addEventListener('messly:disconnected', function () {
		if (!downSince) downSince = Date.now();
		if (offline()) showBar('offline');
	});
	doc.addEventListener('messly:connected', function () {
		// the indicator in the top bar appears after 1.5 s down (app.js)
		var wasShown = downSince && (Date.now() - downSince > 1500 || (conn && !conn.hidden));
		downSince = 0;
		if (wasShown) showBar('back');
		else if (bar && bar.classList.contains('netbar-offline')) showBar(null);
	});
	if (offline()) showBar('offline');

	// Where the top bar is not shown (a phone with a chat open), the bar
	// carries the reconnect indicator's message instead.
	if (conn && bar && window.MutationObserver) {
		new MutationObserver(function () {
			var unseen = !conn.hidden && conn.getClientRects().length === 0;
			if (unseen && !bar.classList.contains('netbar-offline')) {
				clearTimeout(backTimer);
				bar.classList.remove('netbar-back');
				bar.classList.add('netbar-reconnecting');
				bar.textContent = conn.textContent;
				bar.hidden = false;
			} else if (conn.hidden && bar.classList.contains('netbar-reconnecting')) {
				bar.classList.remove('netbar-reconnecting');
				if (!bar.classList.contains('netbar-back')) bar.hidden = true;
			}
		}).observe(conn, { attributes: true, attributeFilter: ['hidden'] });
	}

	/* ---------- Esc closes menus ---------- */

	var pickerOpener = null;   // the element focused before the emoji picker opened

	doc.addEventListener('focusin', function (e) {
		var t = e.target;
		var picker = t.closest && t.closest('.emoji-picker');
		if (!picker) return;
		// the dialog is named by its search field's label
		var search = picker.querySelector('.emoji-search');
		if (!picker.hasAttribute('aria-label') && search && search.getAttribute('aria-label'))
			picker.setAttribute('aria-label', search.getAttribute('aria-label'));
		var from = e.relatedTarget;
		if (from && from.closest && !from.closest('.emoji-picker')) pickerOpener = from;
	});

	// After a pick the picker is gone: the focus goes back where it was,
	// unless the pick moved it somewhere (e.g. into the composer).
	doc.addEventListener('click', function (e) {
		var t = e.target;
		if (!t.closest || !t.closest('.emoji-picker .emoji-choice') || t.isConnected) return;
		var active = doc.activeElement;
		if ((!active || active === doc.body) && pickerOpener && pickerOpener.isConnected) pickerOpener.focus();
		pickerOpener = null;
	});

	function closeMenus() {
		var closed = false;
		$all('details[open]').forEach(function (d) {
			if (d.classList.contains('msg-collapsed') || d.classList.contains('search-filters')) return;
			var active = doc.activeElement;
			var inside = active && d.contains(active);
			// a menu of the top bar or the chat header, or the one holding the focus
			if (!inside && !d.closest('.chat-head, .topbar')) return;
			d.open = false;
			closed = true;
			var s = d.querySelector('summary');
			if (s && inside) s.focus();
		});
		return closed;
	}

	doc.addEventListener('keydown', function (e) {
		if (e.key !== 'Escape' || e.defaultPrevented) return;
		var t = e.target;
		// emoji.js has already closed the picker (its own capturing listener)
		if (t && t.closest && t.closest('.emoji-picker')) {
			if (pickerOpener && pickerOpener.isConnected) pickerOpener.focus();
			pickerOpener = null;
			return;
		}
		if (closeMenus()) e.preventDefault();
	});

	/* ---------- the focus survives a live update of its message ---------- */

	// A live event replaces a message's element (a reaction, an edit): the
	// control that had the focus gets it back in the new element.
	var messages = doc.getElementById('messages');
	var lastFocus = null;
	doc.addEventListener('focusin', function (e) { lastFocus = e.target; });
	if (messages && window.MutationObserver) {
		new MutationObserver(function () {
			var was = lastFocus;
			if (!was || was.isConnected || (doc.activeElement && doc.activeElement !== doc.body)) return;
			var old = was.closest && was.closest('li.msg[id]');
			var li = old && doc.getElementById(old.id);
			var cls = typeof was.className === 'string' ? was.className.trim().split(/\s+/)[0] : '';
			var again = li && cls ? li.querySelector('.' + CSS.escape(cls)) : null;
			if (again) again.focus();
		}).observe(messages, { childList: true });
	}

	/* ---------- arrow keys in the emoji picker ---------- */

	function columns(buttons) {
		if (!buttons.length) return 1;
		var top = buttons[0].offsetTop, n = 0;
		while (n < buttons.length && buttons[n].offsetTop === top) n++;
		return Math.max(1, n);
	}

	doc.addEventListener('keydown', function (e) {
		var t = e.target;
		if (!t.closest || e.altKey || e.ctrlKey || e.metaKey) return;
		var picker = t.closest('.emoji-picker');
		if (!picker) return;
		var buttons = $all('.emoji-choice', picker);
		if (!buttons.length) return;
		if (t.classList.contains('emoji-search')) {
			if (e.key === 'ArrowDown') { e.preventDefault(); buttons[0].focus(); }
			return;
		}
		var i = buttons.indexOf(t);
		if (i < 0) return;
		var cols = columns(buttons), j = i;
		switch (e.key) {
		case 'ArrowRight': j = i + 1; break;
		case 'ArrowLeft': j = i - 1; break;
		case 'ArrowDown': j = i + cols; break;
		case 'ArrowUp':
			if (i < cols) { e.preventDefault(); picker.querySelector('.emoji-search').focus(); return; }
			j = i - cols;
			break;
		case 'Home': j = 0; break;
		case 'End': j = buttons.length - 1; break;
		default: return;
		}
		e.preventDefault();
		j = Math.max(0, Math.min(buttons.length - 1, j));
		buttons[j].focus();
		buttons[j].scrollIntoView({ block: 'nearest' });
	});

	/* ---------- the chat list: arrows, Alt+Up/Down ---------- */

	var chatList = doc.getElementById('chat-list');

	function chatLinks() { return chatList ? $all('.chat-item .chat-link', chatList) : []; }

	function typing(t) {
		return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
	}

	doc.addEventListener('keydown', function (e) {
		if (!chatList || e.ctrlKey || e.metaKey || e.shiftKey) return;
		var up = e.key === 'ArrowUp', down = e.key === 'ArrowDown';
		if (!up && !down && e.key !== 'Home' && e.key !== 'End') return;
		var links = chatLinks();
		if (!links.length) return;
		var t = e.target;
		if (e.altKey) {
			if (!up && !down) return;
			// the open chat's neighbour (the first chat when none is open)
			var cur = links.findIndex(function (a) { return a.closest('.chat-item').classList.contains('active'); });
			var next = cur < 0 ? (down ? 0 : links.length - 1) : cur + (down ? 1 : -1);
			if (next < 0 || next >= links.length || next === cur) return;
			e.preventDefault();
			location.href = links[next].href;
			return;
		}
		if (typing(t)) return;
		var i = links.indexOf(t);
		if (i < 0) return;
		var j = up ? i - 1 : down ? i + 1 : e.key === 'Home' ? 0 : links.length - 1;
		e.preventDefault();
		j = Math.max(0, Math.min(links.length - 1, j));
		links[j].focus();
	});
})();
