/* chatux.js: how the open chat reads and writes, on top of app.js (issue 9).
 * - messages grouped by sender and minute, date separators ("Today",
 *   "Yesterday", else a date in the page's language), kept right in the
 *   reader's time zone whenever the list changes (the server renders the
 *   same in UTC: cgi/msglist.c);
 * - "Jump to latest" with the count of new messages while scrolled up;
 * - older messages loaded when scrolling up, keeping the position (without
 *   JavaScript: the "Older messages" link);
 * - the draft of each chat kept in localStorage, cleared on send;
 * - the emoji button of the composer (static/emoji.js);
 * - new messages from others announced in a polite live region;
 * - plural forms read from the page (data-t-one/few/many), never hard-coded:
 *   window.messlyPlural(n, forms). */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body) return;
	var me = body.getAttribute('data-me') || '';
	var lang = body.getAttribute('data-lang') || doc.documentElement.lang || 'en';

	/* ---------- plural forms (the rule of cgi/template.c plural_form()) ---------- */

	function pluralForm(n) {
		var a = Math.abs(n);
		if (lang === 'ru') {
			var d = a % 10, h = a % 100;
			if (d === 1 && h !== 11) return 'one';
			if (d >= 2 && d <= 4 && (h < 12 || h > 14)) return 'few';
			return 'many';
		}
		return a === 1 ? 'one' : 'many';
	}

	// The message for n from el's data-t-[NAME-]one / -few / -many ("{n} …"),
	// the catalog's plural forms rendered into the page.
	function plural(n, el, name) {
		var p = 'data-t-' + (name ? name + '-' : '');
		var s = el.getAttribute(p + pluralForm(n)) || el.getAttribute(p + 'many') || '{n}';
		return s.split('{n}').join(String(n));
	}
	window.messlyPlural = plural;
	window.messlyPluralForm = pluralForm;

	var list = doc.getElementById('messages');
	var scroller = doc.getElementById('scroller');
	var composer = doc.getElementById('composer');
	var textarea = composer ? composer.querySelector('textarea[name="text"]') : null;
	var chat = list ? list.getAttribute('data-chat') : null;
	if (!list || !chat) return;

	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

	/* ---------- grouping and date separators ---------- */

	var GROUP_MS = 5 * 60 * 1000; // MSGLIST_GROUP_SECONDS in cgi/msglist.h
	var fmtDay, fmtDayYear;
	try {
		fmtDay = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long' });
		fmtDayYear = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' });
	} catch (e) { fmtDay = fmtDayYear = null; }

	function when(li) {
		var t = li.querySelector('time.msg-time[datetime]');
		var d = t ? new Date(t.getAttribute('datetime')) : new Date(); // a local send: now
		return isNaN(d.getTime()) ? null : d;
	}

	function dayKey(d) {
		return d.getFullYear() + '-' + (d.getMonth() < 9 ? '0' : '') + (d.getMonth() + 1) + '-' +
			(d.getDate() < 10 ? '0' : '') + d.getDate();
	}

	function dayLabel(d) {
		var now = new Date();
		var today = dayKey(now);
		var y = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
		var k = dayKey(d);
		if (k === today) return list.getAttribute('data-t-today') || k;
		if (k === dayKey(y)) return list.getAttribute('data-t-yesterday') || k;
		if (!fmtDay) return k;
		return (d.getFullYear() === now.getFullYear() ? fmtDay : fmtDayYear).format(d);
	}

	function groupable(li) {
		return !li.classList.contains('service') && !!li.getAttribute('data-sender') &&
			!li.querySelector('.msg-collapsed');
	}

	function makeSep(key, label) {
		var s = doc.createElement('li');
		s.className = 'day-sep';
		s.setAttribute('data-day', key);
		var span = doc.createElement('span');
		span.textContent = label;
		s.appendChild(span);
		return s;
	}

	// Idempotent: a second run over the same list changes nothing, so the
	// mutation observer below settles.
	function regroup() {
		var keep = [];
		var prev = null, prevDay = null, prevAt = 0, broken = false;
		Array.prototype.forEach.call(list.children, function (li) {
			if (li.classList.contains('unread-divider')) { broken = true; return; }
			if (!li.classList.contains('msg')) return;
			var d = when(li);
			if (!d) { prev = null; return; }
			var key = dayKey(d);
			var grouped = false;
			if (key !== prevDay) {
				var anchor = li.previousElementSibling && li.previousElementSibling.classList.contains('unread-divider')
					? li.previousElementSibling : li;
				var before = anchor.previousElementSibling;
				var label = dayLabel(d);
				if (before && before.classList.contains('day-sep') && before.getAttribute('data-day') === key) {
					if (before.textContent !== label) before.firstElementChild.textContent = label;
					keep.push(before);
				} else {
					var s = makeSep(key, label);
					list.insertBefore(s, anchor);
					keep.push(s);
				}
			} else if (prev && !broken && groupable(li) && groupable(prev) &&
				   li.getAttribute('data-sender') === prev.getAttribute('data-sender') &&
				   d.getTime() - prevAt <= GROUP_MS && d.getTime() >= prevAt) {
				grouped = true;
			}
			if (li.classList.contains('grouped') !== grouped) li.classList.toggle('grouped', grouped);
			prev = li;
			prevDay = key;
			prevAt = d.getTime();
			broken = false;
		});
		$all('li.day-sep', list).forEach(function (s) { if (keep.indexOf(s) < 0) s.remove(); });
	}

	var regroupQueued = false;
	function queueRegroup() {
		if (regroupQueued) return;
		regroupQueued = true;
		Promise.resolve().then(function () { regroupQueued = false; regroup(); });
	}
	regroup();
	new MutationObserver(queueRegroup).observe(list, { childList: true });
	// past midnight "Today" becomes "Yesterday"
	setInterval(regroup, 60 * 1000);

	/* ---------- where the reader is ---------- */

	function fromBottom() {
		if (!scroller) return 0;
		var last = list.lastElementChild;
		if (!last) return 0;
		return last.getBoundingClientRect().bottom - scroller.getBoundingClientRect().bottom;
	}

	function fromTop() {
		if (!scroller) return Infinity;
		var first = list.firstElementChild;
		if (!first) return Infinity;
		return scroller.getBoundingClientRect().top - first.getBoundingClientRect().top;
	}

	/* ---------- jump to latest ---------- */

	var jump = doc.getElementById('jump-latest');
	var jumpCount = jump ? jump.querySelector('.jump-count') : null;
	var unseen = 0;
	var historyMode = /[?&](before|around)=/.test(location.search);

	function showJump() {
		if (!jump) return;
		var up = fromBottom() > 200;
		if (!up) unseen = 0;
		jump.hidden = !up;
		if (jumpCount) {
			jumpCount.hidden = unseen === 0;
			jumpCount.textContent = unseen ? plural(unseen, jump) : '';
		}
		jump.setAttribute('aria-label', (jump.getAttribute('data-t-label') || '') +
			(unseen ? ' (' + plural(unseen, jump) + ')' : ''));
	}

	if (jump && scroller) {
		jump.addEventListener('click', function () {
			if (historyMode) { location.href = '/chats/' + encodeURIComponent(chat); return; }
			unseen = 0;
			scroller.scrollTop = scroller.scrollHeight;
			var last = list.lastElementChild;
			if (last && last.scrollIntoView) last.scrollIntoView({ block: 'end' });
			showJump();
			if (textarea) textarea.focus();
		});
	}

	/* ---------- new messages: count and announce ---------- */

	var announcer = doc.getElementById('announcer');

	function isNew(ev) {
		var m = ev && ev.message;
		return ev && ev.type === 'message' && String(ev.chat) === String(chat) && m &&
			m.seq === ev.seq && m.sender && String(m.sender.id) !== me && m.kind !== 'service';
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		if (!isNew(ev) || historyMode) return;
		if (jump && !jump.hidden) unseen++;
		showJump();
		if (announcer) {
			var m = ev.message;
			var who = m.sender.deleted ? '' : (m.sender.name || '');
			announcer.textContent = (announcer.getAttribute('data-t-from') || '') + ' ' + who + ': ' +
				(m.preview != null ? m.preview : (m.text || ''));
		}
	});

	/* ---------- older messages while scrolling up ---------- */

	var olderLink = doc.querySelector('.scroller .older:not(.newer):not(.latest)');
	var hasOlder = list.getAttribute('data-has-older') === '1';
	var loading = false;

	function firstSeq() {
		var first = list.querySelector('li.msg[data-seq]:not(.local)');
		return first ? parseInt(first.getAttribute('data-seq'), 10) || 0 : 0;
	}

	function loadOlder() {
		if (loading || !hasOlder || !window.fetch) return;
		var before = firstSeq();
		if (before <= 1) { hasOlder = false; return; }
		loading = true;
		list.setAttribute('aria-busy', 'true');
		fetch('/api/chats/' + encodeURIComponent(chat) + '/messages?before=' + before + '&limit=50&html=1',
			{ credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) {
				if (!d) return;
				var anchor = list.querySelector('li.msg');
				var top = anchor ? anchor.getBoundingClientRect().top : 0;
				var frag = doc.createDocumentFragment();
				(d.messages || []).forEach(function (m) {
					if (!m.row_html || doc.getElementById('m-' + m.id)) return;
					var tpl = doc.createElement('template');
					tpl.innerHTML = m.row_html; // server-made (templates/partials/message.html)
					var li = tpl.content.querySelector('li');
					if (!li) return;
					if (window.messly && window.messly.decorate) window.messly.decorate(li);
					frag.appendChild(li);
				});
				list.insertBefore(frag, list.firstElementChild);
				regroup();
				if (window.messly && window.messly.renderReceipts) window.messly.renderReceipts();
				// keep what the reader was looking at where it was
				if (anchor && scroller) scroller.scrollTop += anchor.getBoundingClientRect().top - top;
				hasOlder = !!d.has_older;
				if (!hasOlder && olderLink) olderLink.remove();
				else if (olderLink) {
					var a = olderLink.querySelector('a');
					if (a) a.href = '/chats/' + encodeURIComponent(chat) + '?before=' + firstSeq();
				}
			})
			.catch(function () { /* the link still works */ })
			.then(function () {
				loading = false;
				list.removeAttribute('aria-busy');
				if (hasOlder && fromTop() < 400) setTimeout(loadOlder, 50);
			});
	}

	if (olderLink) {
		olderLink.addEventListener('click', function (e) {
			if (!window.fetch) return;
			e.preventDefault();
			loadOlder();
		});
	}

	var scrollQueued = false;
	if (scroller) {
		scroller.addEventListener('scroll', function () {
			if (scrollQueued) return;
			scrollQueued = true;
			requestAnimationFrame(function () {
				scrollQueued = false;
				showJump();
				if (fromTop() < 400) loadOlder();
			});
		}, { passive: true });
	}
	showJump();

	/* ---------- the composer: draft, emoji ---------- */

	if (!composer || !textarea) return;
	var DRAFT_KEY = 'messly.draft.' + me + '.' + chat;

	function store(fn) { try { return fn(window.localStorage); } catch (e) { return null; } }

	if (!textarea.value) {
		var draft = store(function (ls) { return ls.getItem(DRAFT_KEY); });
		if (draft) {
			textarea.value = draft;
			// grown as app.js does where CSS field-sizing is missing; no input
			// event: restoring a draft is not typing (static/readstate.js)
			if (!('fieldSizing' in textarea.style)) {
				textarea.style.height = 'auto';
				textarea.style.height = Math.min(textarea.scrollHeight + 2, 200) + 'px';
			}
		}
	}
	var saveTimer = null;
	function saveDraft() {
		clearTimeout(saveTimer);
		saveTimer = null;
		var v = textarea.value;
		store(function (ls) { if (v.trim()) ls.setItem(DRAFT_KEY, v); else ls.removeItem(DRAFT_KEY); });
	}
	textarea.addEventListener('input', function () {
		if (!saveTimer) saveTimer = setTimeout(saveDraft, 250);
	});
	// leaving for another chat saves at once
	window.addEventListener('pagehide', saveDraft);
	composer.addEventListener('submit', function () {
		// app.js sends and empties the field before this runs (scripts load in order)
		clearTimeout(saveTimer);
		saveTimer = null;
		store(function (ls) { ls.removeItem(DRAFT_KEY); });
	});

	var hint = composer.getAttribute(composer.getAttribute('data-send-key') === 'ctrl_enter'
		? 'data-t-hint-ctrl' : 'data-t-hint-enter');
	if (hint) textarea.title = hint;

	var emojiBtn = doc.getElementById('composer-emoji');
	if (emojiBtn && window.messlyEmoji) {
		emojiBtn.hidden = false;
		var caret = null;
		textarea.addEventListener('blur', function () { caret = [textarea.selectionStart, textarea.selectionEnd]; });
		emojiBtn.addEventListener('click', function () {
			var at = doc.activeElement === textarea ? [textarea.selectionStart, textarea.selectionEnd]
				: (caret || [textarea.value.length, textarea.value.length]);
			window.messlyEmoji.open(emojiBtn, function (emoji) {
				textarea.focus();
				textarea.setRangeText(emoji, at[0], at[1], 'end');
				caret = [textarea.selectionStart, textarea.selectionEnd];
				at = caret;
				textarea.dispatchEvent(new Event('input', { bubbles: true }));
			});
		});
	}
})();
