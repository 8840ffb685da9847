/* emoji.js: the emoji picker. window.messlyEmoji.open(anchor, onPick)
 * shows a searchable grid (English and Russian names, from
 * static/emoji-data.js) next to anchor; the viewer's recent picks come
 * first; onPick(emoji) gets the choice. Esc or a click outside closes it. */
(function () {
	'use strict';

	var doc = document;
	var RECENT_KEY = 'messly.emoji.recent';
	var RECENT_MAX = 16;
	var lang = (doc.body && doc.body.getAttribute('data-lang')) || 'en';
	var picker = null, current = null;

	function data() { return window.messlyEmojiData || []; }

	function recent() {
		try {
			var r = JSON.parse(localStorage.getItem(RECENT_KEY) || '[]');
			return Array.isArray(r) ? r.filter(function (e) { return typeof e === 'string'; }) : [];
		} catch (e) { return []; }
	}

	function remember(emoji) {
		var r = recent().filter(function (e) { return e !== emoji; });
		r.unshift(emoji);
		try { localStorage.setItem(RECENT_KEY, JSON.stringify(r.slice(0, RECENT_MAX))); } catch (e) { /* private mode */ }
	}

	// Recent picks first, then the set in its order; q filters by name.
	function entries(q) {
		var all = data(), seen = {}, out = [];
		q = (q || '').trim().toLowerCase();
		function add(row) {
			if (seen[row[0]]) return;
			if (q && (row[1] + ' ' + row[2]).toLowerCase().indexOf(q) < 0) return;
			seen[row[0]] = true;
			out.push(row);
		}
		if (!q) recent().forEach(function (e) {
			for (var i = 0; i < all.length; i++) if (all[i][0] === e) { add(all[i]); return; }
		});
		all.forEach(add);
		return out;
	}

	function render(q) {
		var grid = picker.querySelector('.emoji-grid');
		grid.textContent = '';
		entries(q).forEach(function (row) {
			var b = doc.createElement('button');
			b.type = 'button';
			b.className = 'emoji-choice';
			b.textContent = row[0];
			b.title = lang === 'ru' ? row[2] : row[1];
			b.setAttribute('data-emoji', row[0]);
			grid.appendChild(b);
		});
	}

	function close() {
		if (!picker) return;
		picker.remove();
		picker = null;
		current = null;
		doc.removeEventListener('mousedown', outside, true);
		doc.removeEventListener('keydown', onKey, true);
	}

	function outside(e) { if (picker && !picker.contains(e.target)) close(); }
	function onKey(e) { if (e.key === 'Escape') close(); }

	function open(anchor, onPick) {
		close();
		current = onPick;
		picker = doc.createElement('div');
		picker.className = 'emoji-picker';
		picker.setAttribute('role', 'dialog');
		var input = doc.createElement('input');
		input.type = 'search';
		input.className = 'emoji-search';
		input.placeholder = doc.body.getAttribute('data-t-emoji-search') || '';
		input.setAttribute('aria-label', input.placeholder);
		var grid = doc.createElement('div');
		grid.className = 'emoji-grid';
		picker.appendChild(input);
		picker.appendChild(grid);
		doc.body.appendChild(picker);
		render('');
		input.addEventListener('input', function () { render(input.value); });
		grid.addEventListener('click', function (e) {
			var b = e.target.closest && e.target.closest('.emoji-choice');
			if (!b) return;
			var emoji = b.getAttribute('data-emoji'), cb = current;
			remember(emoji);
			close();
			if (cb) cb(emoji);
		});
		var r = anchor.getBoundingClientRect();
		var top = r.bottom + window.scrollY + 4, left = r.left + window.scrollX;
		var w = picker.offsetWidth, h = picker.offsetHeight;
		if (left + w > window.scrollX + doc.documentElement.clientWidth) left = Math.max(4, window.scrollX + doc.documentElement.clientWidth - w - 4);
		if (top + h > window.scrollY + window.innerHeight && r.top - h - 4 > window.scrollY) top = r.top + window.scrollY - h - 4;
		picker.style.top = top + 'px';
		picker.style.left = left + 'px';
		doc.addEventListener('mousedown', outside, true);
		doc.addEventListener('keydown', onKey, true);
		input.focus();
	}

	window.messlyEmoji = { open: open, close: close };
})();
