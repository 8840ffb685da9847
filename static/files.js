/* files.js: files, photos and avatars in the browser (progressive
 * enhancement; everything works without it through the plain multipart
 * form, the file page and the avatar settings page).
 *  - uploads from the file button, drag and drop onto the chat and paste,
 *    one XMLHttpRequest per file with a progress bar and a cancel button;
 *  - a lightbox for photos (the link still leads to the file page);
 *  - avatars changing live (events {type: "avatar", key, avatar}).
 * No innerHTML: everything here is built with textContent/attributes. */
(function () {
	'use strict';

	var doc = document;
	var csrfMeta = doc.querySelector('meta[name="csrf"]');
	var csrf = csrfMeta ? csrfMeta.getAttribute('content') || '' : '';
	var form = doc.getElementById('attach');
	var list = doc.getElementById('messages');

	function el(tag, cls, text) {
		var e = doc.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	function randomId() {
		if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
		return String(Date.now()) + '-' + String(Math.random()).slice(2);
	}

	function t(name) {
		return (form && form.getAttribute('data-t-' + name)) || '';
	}

	/* ---------- uploads ---------- */

	var uploads = form ? doc.getElementById('uploads') : null;
	var input = form ? form.querySelector('input[type="file"]') : null;
	var caption = form ? form.querySelector('input[name="caption"]') : null;
	var asFile = form ? form.querySelector('input[name="as_file"]') : null;
	var max = form ? parseInt(form.getAttribute('data-max'), 10) || 0 : 0;
	var chatId = list ? list.getAttribute('data-chat') : null;
	var historyMode = /[?&]before=/.test(location.search);

	function catchUp() {
		if (window.messly && typeof window.messly.catchUp === 'function') window.messly.catchUp();
	}

	function itemFailed(li, bar, message) {
		li.classList.add('failed');
		bar.remove();
		var st = li.querySelector('.upload-status');
		st.textContent = message;
		var btn = li.querySelector('.upload-cancel');
		btn.textContent = '×';
		btn.onclick = function () { li.remove(); };
	}

	function upload(file, text) {
		var li = el('li', 'upload');
		li.appendChild(el('span', 'upload-name', file.name || 'file'));
		var bar = el('progress', 'upload-bar');
		bar.max = 100;
		bar.value = 0;
		li.appendChild(bar);
		li.appendChild(el('span', 'upload-status', t('uploading')));
		var cancel = el('button', 'upload-cancel', t('cancel'));
		cancel.type = 'button';
		li.appendChild(cancel);
		uploads.appendChild(li);
		if (max && file.size > max) {
			itemFailed(li, bar, t('too-large', 'The file is too large.'));
			return;
		}
		var fd = new FormData();
		fd.append('client_id', randomId());
		if (text) fd.append('caption', text);
		if (asFile && asFile.checked) fd.append('as_file', '1');
		fd.append('file', file, file.name || 'pasted');
		var xhr = new XMLHttpRequest();
		xhr.open('POST', '/api/chats/' + encodeURIComponent(chatId) + '/files');
		xhr.setRequestHeader('X-CSRF-Token', csrf);
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.upload.onprogress = function (e) {
			if (e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total);
		};
		xhr.onload = function () {
			if (xhr.status === 200 || xhr.status === 201) {
				li.remove();
				catchUp(); // the live event usually comes first; this covers a slow one
				return;
			}
			var msg = t('failed') + ' (' + xhr.status + ')';
			try {
				var d = JSON.parse(xhr.responseText);
				if (d && d.error && d.error.message) msg = d.error.message;
			} catch (e) { /* nginx's own page */ }
			itemFailed(li, bar, msg);
		};
		xhr.onerror = function () { itemFailed(li, bar, t('failed')); };
		cancel.onclick = function () { xhr.abort(); li.remove(); };
		xhr.send(fd);
	}

	function uploadAll(files) {
		if (!files || !files.length) return;
		var text = caption ? caption.value.trim() : '';
		if (caption) caption.value = '';
		for (var i = 0; i < files.length; i++) upload(files[i], i === 0 ? text : '');
	}

	if (form && input && uploads && chatId && !historyMode && window.FormData) {
		form.classList.add('js');
		input.addEventListener('change', function () {
			uploadAll(input.files);
			input.value = '';
		});
		form.addEventListener('submit', function (e) {
			e.preventDefault();
			uploadAll(input.files);
			input.value = '';
		});

		var zone = form.closest('.chat') || doc.body;
		var depth = 0;
		zone.setAttribute('data-t-drop', t('drop'));
		function hasFiles(e) {
			var types = e.dataTransfer && e.dataTransfer.types;
			return types && Array.prototype.indexOf.call(types, 'Files') >= 0;
		}
		zone.addEventListener('dragenter', function (e) {
			if (!hasFiles(e)) return;
			depth++;
			zone.classList.add('dropping');
		});
		zone.addEventListener('dragleave', function () {
			if (depth > 0 && --depth === 0) zone.classList.remove('dropping');
		});
		zone.addEventListener('dragover', function (e) {
			if (hasFiles(e)) e.preventDefault();
		});
		zone.addEventListener('drop', function (e) {
			depth = 0;
			zone.classList.remove('dropping');
			if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
			e.preventDefault();
			uploadAll(e.dataTransfer.files);
		});
		doc.addEventListener('paste', function (e) {
			var files = e.clipboardData && e.clipboardData.files;
			if (!files || !files.length) return;
			e.preventDefault();
			uploadAll(files);
		});
	}

	/* ---------- lightbox ---------- */

	var box = null, lastFocus = null;

	function closeBox() {
		if (!box) return;
		box.remove();
		box = null;
		doc.removeEventListener('keydown', onKey);
		if (lastFocus && lastFocus.focus) lastFocus.focus();
	}

	function onKey(e) {
		if (e.key === 'Escape') closeBox();
	}

	function openBox(a) {
		closeBox();
		lastFocus = a;
		box = el('div', 'lightbox');
		box.setAttribute('role', 'dialog');
		box.setAttribute('aria-modal', 'true');
		box.setAttribute('aria-label', a.getAttribute('data-name') || '');
		var img = el('img', 'lightbox-img');
		img.src = a.getAttribute('data-view');
		var thumb = a.querySelector('img');
		img.alt = (thumb && thumb.alt) || a.getAttribute('data-name') || ''; // the caption, else the name
		var bar = el('div', 'lightbox-bar');
		var orig = el('a', 'btn btn-secondary lightbox-original', t('original'));
		orig.href = a.getAttribute('data-url');
		orig.target = '_blank';
		orig.rel = 'noopener';
		var close = el('button', 'btn btn-secondary lightbox-close', t('close'));
		close.type = 'button';
		close.onclick = closeBox;
		bar.appendChild(el('span', 'lightbox-name', a.getAttribute('data-name') || ''));
		bar.appendChild(orig);
		bar.appendChild(close);
		box.appendChild(img);
		box.appendChild(bar);
		box.addEventListener('click', function (e) { if (e.target === box) closeBox(); });
		doc.body.appendChild(box);
		doc.addEventListener('keydown', onKey);
		close.focus();
	}

	doc.addEventListener('click', function (e) {
		var a = e.target.closest && e.target.closest('a.file-photo[data-view]');
		if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
		e.preventDefault();
		openBox(a);
	});

	/* ---------- avatars, live ---------- */

	function setAvatar(key, avatar) {
		var nodes = doc.querySelectorAll('.avatar[data-avatar="' + CSS.escape(key) + '"]');
		Array.prototype.forEach.call(nodes, function (span) {
			var old = span.querySelector('img.avatar-img');
			if (old) old.remove();
			if (!avatar) return;
			var img = el('img', 'avatar-img');
			img.alt = '';
			img.src = span.classList.contains('avatar-xl') ? avatar.url256
				: span.classList.contains('avatar-sm') ? avatar.url48 : avatar.url96;
			span.appendChild(img);
		});
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		if (ev && ev.type === 'avatar' && typeof ev.key === 'string') setAvatar(ev.key, ev.avatar || null);
	});
})();
