/* msgactions.js: message actions with JavaScript, on top of app.js and
 * messages.js (which toggles a reaction when its chip is clicked).
 * - Who reacted: resting on a reaction chip (mouse), focusing it (keyboard)
 *   or a long press (touch) shows the names for that emoji
 *   (GET /api/messages/ID/reactions); Esc closes. The click still toggles.
 * - Reply: the ↩ button sets a "replying to NAME: text" bar above the
 *   composer; the send carries reply_to (app.js reads the hidden field);
 *   × or Esc cancels.
 * - Edit: the ✎ button on one's own text message (or Up in the empty
 *   composer: the last one) puts its text in the composer with an
 *   "editing" bar; sending saves it with PATCH /api/messages/ID and the
 *   live event updates the message in place; × or Esc cancels and brings
 *   back what was typed before.
 * Without JavaScript the "⋯" link leads to the message page and its forms. */
(function () {
	'use strict';

	var doc = document;
	var body = doc.body;
	if (!body || !window.fetch) return;
	var me = body.getAttribute('data-me') || '';
	var list = doc.getElementById('messages');
	if (!list || !me) return;
	var composer = doc.getElementById('composer');
	var text = doc.getElementById('composer-text');
	var tt = doc.getElementById('msg-actions-t');
	var csrfMeta = doc.querySelector('meta[name="csrf"]');
	var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';

	function t(key) { return (tt && tt.getAttribute('data-t-' + key)) || ''; }
	function $all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

	function api(method, url, data) {
		var opts = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrf } };
		if (data !== undefined) {
			opts.headers['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(data);
		}
		return fetch(url, opts);
	}

	/* ---------- who reacted ---------- */

	var pop = doc.createElement('div');
	pop.id = 'reaction-who';
	pop.className = 'reaction-who';
	pop.setAttribute('role', 'tooltip');
	pop.hidden = true;
	body.appendChild(pop);
	var popFor = null, showTimer = null, hideTimer = null, suppressClick = false;
	var cache = {}; // message id + users -> reactions

	function hidePop() {
		clearTimeout(showTimer);
		clearTimeout(hideTimer);
		pop.hidden = true;
		if (popFor) popFor.removeAttribute('aria-describedby');
		popFor = null;
	}

	function fill(chip, reactions) {
		var emoji = chip.getAttribute('data-emoji');
		var r = (reactions || []).filter(function (x) { return x.emoji === emoji; })[0];
		pop.textContent = '';
		var head = doc.createElement('div');
		head.className = 'reaction-who-emoji';
		head.textContent = emoji;
		pop.appendChild(head);
		var ul = doc.createElement('ul');
		((r && r.users) || []).forEach(function (u) {
			var li = doc.createElement('li');
			li.textContent = u.name || ('@' + u.nickname);
			ul.appendChild(li);
		});
		pop.appendChild(ul);
		var rect = chip.getBoundingClientRect();
		pop.hidden = false;
		var top = rect.top + window.scrollY - pop.offsetHeight - 6;
		if (top < window.scrollY) top = rect.bottom + window.scrollY + 6;
		pop.style.top = top + 'px';
		pop.style.left = Math.max(4, Math.min(rect.left + window.scrollX, window.scrollX + doc.documentElement.clientWidth - pop.offsetWidth - 4)) + 'px';
		chip.setAttribute('aria-describedby', pop.id);
		popFor = chip;
	}

	function showPop(chip) {
		var li = chip.closest('li.msg');
		var id = li && li.getAttribute('data-id');
		if (!/^\d+$/.test(id || '')) return;
		var key = id + ' ' + (chip.getAttribute('data-users') || '') + ' ' + chip.getAttribute('data-emoji');
		if (cache[key]) { fill(chip, cache[key]); return; }
		api('GET', '/api/messages/' + id + '/reactions').then(function (r) { return r.ok ? r.json() : null; })
			.then(function (d) {
				if (!d || !chip.isConnected) return;
				cache[key] = d.reactions;
				if (popFor === chip || !popFor) fill(chip, d.reactions);
			}, function () {});
	}

	function later(chip, ms) {
		clearTimeout(showTimer);
		clearTimeout(hideTimer);
		if (popFor && popFor !== chip) hidePop();
		popFor = chip;
		showTimer = setTimeout(function () { showPop(chip); }, ms);
	}

	function chipOf(e) { return e.target && e.target.closest ? e.target.closest('a.reaction') : null; }

	list.addEventListener('pointerover', function (e) {
		var chip = chipOf(e);
		if (chip && e.pointerType === 'mouse' && popFor !== chip) later(chip, 450);
	});
	list.addEventListener('pointerout', function (e) {
		var chip = chipOf(e);
		if (!chip || e.pointerType !== 'mouse' || (e.relatedTarget && chip.contains(e.relatedTarget))) return;
		if (document.activeElement === chip) return; // the keyboard focus keeps it open
		clearTimeout(showTimer);
		hideTimer = setTimeout(hidePop, 150);
	});
	list.addEventListener('focusin', function (e) {
		var chip = chipOf(e);
		if (chip) later(chip, 300);
	});
	list.addEventListener('focusout', function (e) {
		if (chipOf(e)) hidePop();
	});
	// touch: a long press shows the names and does not toggle
	var pressTimer = null;
	list.addEventListener('pointerdown', function (e) {
		var chip = chipOf(e);
		if (!chip || e.pointerType === 'mouse') return;
		clearTimeout(pressTimer);
		pressTimer = setTimeout(function () {
			suppressClick = true;
			popFor = chip;
			showPop(chip);
		}, 500);
	});
	['pointerup', 'pointercancel', 'pointermove'].forEach(function (type) {
		list.addEventListener(type, function (e) {
			if (type === 'pointermove' && (Math.abs(e.movementX || 0) + Math.abs(e.movementY || 0)) < 4) return;
			clearTimeout(pressTimer);
		});
	});
	list.addEventListener('contextmenu', function (e) { if (chipOf(e)) e.preventDefault(); });
	// before messages.js's toggle (capture on the document)
	doc.addEventListener('click', function (e) {
		if (suppressClick && chipOf(e)) {
			suppressClick = false;
			e.preventDefault();
			e.stopImmediatePropagation();
			return;
		}
		suppressClick = false;
		if (!pop.hidden && !pop.contains(e.target)) hidePop();
	}, true);

	/* ---------- reply and edit ---------- */

	if (!composer || !text) {
		doc.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !pop.hidden) hidePop(); });
		return;
	}

	var mode = null; // {kind: 'reply'|'edit', id, saved}
	var bar = null;

	function replyField() {
		var f = composer.querySelector('input[name="reply_to"]');
		if (!f) {
			f = doc.createElement('input');
			f.type = 'hidden';
			f.name = 'reply_to';
			composer.insertBefore(f, composer.firstChild);
		}
		return f;
	}

	function showBar(label, who, snippet) {
		if (bar) bar.remove();
		bar = doc.createElement('div');
		bar.className = 'compose-bar';
		bar.setAttribute('role', 'status');
		var l = doc.createElement('span');
		l.className = 'compose-bar-label';
		l.textContent = who ? label + ' ' + who : label;
		var s = doc.createElement('span');
		s.className = 'compose-bar-text';
		s.textContent = snippet;
		var x = doc.createElement('button');
		x.type = 'button';
		x.className = 'compose-bar-close';
		x.setAttribute('aria-label', t('cancel'));
		x.title = t('cancel');
		x.textContent = '\u00D7';
		x.addEventListener('click', function () { cancel(); text.focus(); });
		bar.appendChild(l);
		bar.appendChild(s);
		bar.appendChild(x);
		var row = composer.querySelector('.composer-row');
		composer.insertBefore(bar, row || composer.firstChild);
	}

	function snippetOf(li) {
		var b = li.querySelector('.msg-body');
		var s = (b ? b.textContent : '').replace(/\s+/g, ' ').trim();
		return s.length > 80 ? s.slice(0, 80) + '\u2026' : s;
	}

	function clearMode() {
		if (bar) bar.remove();
		bar = null;
		var f = composer.querySelector('input[name="reply_to"]');
		if (f) f.remove();
		composer.classList.remove('editing');
		mode = null;
	}

	function setText(v) {
		text.value = v;
		text.dispatchEvent(new Event('input', { bubbles: true })); // autosize, drafts
	}

	function cancel() {
		var m = mode;
		clearMode();
		if (m && m.kind === 'edit') setText(m.saved);
	}

	function startReply(li) {
		if (mode && mode.kind === 'edit') cancel();
		var id = li.getAttribute('data-id');
		var who = li.querySelector('.msg-author');
		mode = { kind: 'reply', id: id };
		showBar(t('replying'), who ? who.textContent.trim() : '', snippetOf(li));
		replyField().value = id;
		text.focus();
	}

	function startEdit(li) {
		var id = li.getAttribute('data-id');
		api('GET', '/api/messages/' + id).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
			if (!d || !d.message) return;
			var saved = mode && mode.kind === 'edit' ? mode.saved : text.value;
			clearMode();
			mode = { kind: 'edit', id: id, saved: saved };
			composer.classList.add('editing');
			showBar(t('editing'), '', snippetOf(li));
			setText(d.message.text || '');
			text.focus();
			text.setSelectionRange(text.value.length, text.value.length);
		}, function () {});
	}

	function save() {
		var m = mode;
		var v = text.value;
		if (!v.trim()) { text.focus(); return; }
		api('PATCH', '/api/messages/' + m.id, { text: v }).then(function (r) {
			if (r.ok) {
				if (mode === m) { clearMode(); setText(m.saved); }
				return;
			}
			return r.json().then(function (d) { return d && d.error && d.error.message; }, function () { return ''; })
				.then(function (msg) {
					var s = bar && bar.querySelector('.compose-bar-text');
					if (s) s.textContent = msg || t('failed');
				});
		}, function () {
			var s = bar && bar.querySelector('.compose-bar-text');
			if (s) s.textContent = t('failed');
		});
	}

	// before app.js's send: an edit is saved instead
	doc.addEventListener('submit', function (e) {
		if (e.target !== composer || !mode || mode.kind !== 'edit') return;
		e.preventDefault();
		e.stopImmediatePropagation();
		save();
	}, true);
	// after app.js's send (it read reply_to): the reply is on its way
	composer.addEventListener('submit', function () {
		if (mode && mode.kind === 'reply' && !text.value.trim()) clearMode();
	});

	doc.addEventListener('keydown', function (e) {
		if (e.key === 'Escape' && !pop.hidden) { hidePop(); return; }
		if (e.target !== text) return;
		if (e.key === 'Escape' && mode) {
			e.preventDefault();
			cancel();
		} else if (e.key === 'ArrowUp' && !mode && text.value === '' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
			var own = $all('li.msg.own', list).filter(editable);
			if (!own.length) return;
			e.preventDefault();
			startEdit(own[own.length - 1]);
		}
	}, true);

	function real(li) {
		return li && li.classList && li.classList.contains('msg') && /^\d+$/.test(li.getAttribute('data-id') || '') &&
			!li.classList.contains('service') && !li.classList.contains('deleted') && !li.classList.contains('local');
	}

	function editable(li) {
		return real(li) && li.classList.contains('own') && !li.classList.contains('has-files') &&
			String(li.getAttribute('data-sender')) === me;
	}

	function button(cls, label, glyph) {
		var b = doc.createElement('button');
		b.type = 'button';
		b.className = cls;
		b.title = label;
		b.setAttribute('aria-label', label);
		b.textContent = glyph;
		return b;
	}

	function enhance(li) {
		if (!real(li) || li.querySelector('.msg-reply-btn')) return;
		var more = li.querySelector('.msg-more');
		var at = more && more.parentNode ? more : null;
		var add = function (b) { if (at) at.parentNode.insertBefore(b, at); else li.appendChild(b); };
		add(button('msg-reply-btn', t('reply'), '\u21A9'));
		if (editable(li)) add(button('msg-edit-btn', t('edit'), '\u270E'));
	}

	list.addEventListener('click', function (e) {
		var b = e.target.closest && e.target.closest('.msg-reply-btn, .msg-edit-btn');
		var li = b && b.closest('li.msg');
		if (!li) return;
		e.preventDefault();
		if (b.classList.contains('msg-reply-btn')) startReply(li);
		else startEdit(li);
	});

	$all('li.msg', list).forEach(enhance);
	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		if (ev && ev.type === 'message' && ev.id) enhance(doc.getElementById('m-' + ev.id));
	});
	new MutationObserver(function (records) {
		records.forEach(function (r) {
			Array.prototype.forEach.call(r.addedNodes, function (n) { if (n.nodeType === 1) enhance(n); });
		});
	}).observe(list, { childList: true });
})();
