// The admin's progressive enhancements, served as a static file so that a strict Content-Security-Policy
// (script-src 'self', no inline scripts or handlers) holds. Without it every page still works: inlines offer their
// extra empty rows, and a search picker keeps its current choice.
// - Inlines: an "Add another …" button copies the group's <template class="empty-form"> row, numbering its
//   __prefix__ names, and counts it in <prefix>-TOTAL_FORMS (up to MAX_NUM_FORMS).
// - Search pickers (autocompleteFields): a search box above the <select data-autocomplete-url>; typing asks the
//   admin's JSON search and puts the results in the select, the first one chosen.
(function () {
  'use strict';

  function renumber(root, index) {
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll('*')));
    nodes.forEach(function (el) {
      Array.prototype.slice.call(el.attributes).forEach(function (attr) {
        if (attr.value.indexOf('__prefix__') !== -1) el.setAttribute(attr.name, attr.value.split('__prefix__').join(index));
      });
    });
  }

  function inlineGroup(group) {
    var prefix = group.getAttribute('data-prefix');
    var template = group.querySelector('template.empty-form');
    var total = group.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var max = group.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var container = group.querySelector('tbody') || group.querySelector('.rows');
    if (!template || !total || !container) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary add-row';
    button.textContent = group.getAttribute('data-add-label');
    function update() {
      button.hidden = Boolean(max) && Number(total.value) >= Number(max.value);
    }
    button.addEventListener('click', function () {
      var index = total.value;
      var row = template.content.firstElementChild.cloneNode(true);
      renumber(row, index);
      container.appendChild(row);
      total.value = String(Number(index) + 1);
      row.querySelectorAll('select[data-autocomplete-url]').forEach(autocomplete);
      var first = row.querySelector('input:not([type=hidden]), select, textarea');
      if (first) first.focus();
      update();
    });
    group.appendChild(button);
    update();
  }

  function autocomplete(select) {
    if (select.getAttribute('data-enhanced')) return;
    select.setAttribute('data-enhanced', '1');
    var search = document.createElement('input');
    search.type = 'search';
    search.className = 'autocomplete-search';
    search.setAttribute('aria-label', select.getAttribute('data-search-label') || 'Search');
    search.placeholder = select.getAttribute('data-search-label') || '';
    if (select.id) search.setAttribute('aria-controls', select.id);
    select.parentNode.insertBefore(search, select);
    var timer = null;
    var asked = 0;
    function show(results) {
      var current = select.value;
      var keep = Array.prototype.slice.call(select.options).filter(function (o) { return o.value === '' || o.value === current; });
      while (select.options.length) select.remove(0);
      keep.forEach(function (o) { select.add(o); });
      results.forEach(function (r) {
        if (r.id === current) return;
        select.add(new Option(r.text, r.id));
      });
      if (results.length) select.value = results[0].id;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked;
        var url = select.getAttribute('data-autocomplete-url') + '&term=' + encodeURIComponent(search.value);
        fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (res) { return res.ok ? res.json() : { results: [] }; })
          .then(function (data) { if (mine === asked) show(data.results || []); })
          .catch(function () { /* the select keeps its choices */ });
      }, 250);
    });
  }

  function start() {
    document.querySelectorAll('.inline-group[data-prefix]').forEach(inlineGroup);
    document.querySelectorAll('select[data-autocomplete-url]').forEach(autocomplete);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
