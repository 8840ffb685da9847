/* integration.js: where features meet on the page. In a group, a live
 * message from someone the viewer blocked is collapsed behind a <details>
 * toggle, as the server renders it on load (partials/message, "collapsed";
 * the list of blocked ids is #messages[data-blocked]). */
(function () {
	'use strict';
	var doc = document;
	var list = doc.getElementById('messages');
	if (!list || !list.getAttribute('data-blocked')) return;
	var blocked = list.getAttribute('data-blocked').split(',');

	function collapse(li) {
		if (!li || li.classList.contains('service') || li.querySelector('details.msg-collapsed')) return;
		if (blocked.indexOf(li.getAttribute('data-sender') || '') < 0) return;
		var details = doc.createElement('details');
		details.className = 'msg-collapsed';
		var summary = doc.createElement('summary');
		summary.appendChild(doc.createTextNode((list.getAttribute('data-t-collapsed') || '') + ' '));
		var show = doc.createElement('span');
		show.className = 'msg-show';
		show.textContent = list.getAttribute('data-t-show') || '';
		summary.appendChild(show);
		details.appendChild(summary);
		while (li.firstChild) details.appendChild(li.firstChild);
		li.appendChild(details);
	}

	doc.addEventListener('messly:event', function (e) {
		var ev = e.detail;
		if (!ev || ev.type !== 'message' || String(ev.chat) !== list.getAttribute('data-chat')) return;
		// after app.js has put the message on the page
		setTimeout(function () { collapse(doc.getElementById('m-' + ev.id)); }, 0);
	});
})();
