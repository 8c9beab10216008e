'use strict';
// Vagoth's web console. Everything it shows and does goes through the remote API (/api/v1/), with the
// session cookie of the sign-in and, on every change, the session's CSRF token: a script can do the same.
(function () {
  const PAGE = 100;
  const EVENTS_KEPT = 500;
  const S = {
    me: null, csrf: null, hvs: new Map(), view: null, events: [], stream: null, down: false, ended: false,
    pages: [], followed: new Map()
  };
  const ROLES = {viewer: 0, operator: 1, admin: 2};
  const ENDED = ['done', 'failed', 'cancelled', 'interrupted'];
  /** The serial log's lines a VM's page shows. */
  const SERIAL_LINES = 50;
  const may = role => S.me && ROLES[S.me.role] >= ROLES[role];

  // ---- DOM: built with nodes and text, never from markup strings (what the API answers is data, not HTML)
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) { continue; }
      if (k.startsWith('on')) { e.addEventListener(k.slice(2), v); } else if (k === 'text') { e.textContent = v; }
      else { e.setAttribute(k, v === true ? '' : v); }
    }
    for (const k of kids.flat(Infinity)) {
      if (k !== null && k !== undefined && k !== false) { e.append(k instanceof Node ? k : String(k)); }
    }
    return e;
  }
  const $ = id => document.getElementById(id);
  /** Replaces what {@code node} holds with {@code kids}, leaving out the null ones. */
  const fill = (node, ...kids) => node.replaceChildren(...kids.flat(Infinity).filter(k => k !== null && k !== undefined
    && k !== false));

  // ---- the API
  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function api(method, path, body) {
    const headers = {};
    if (method !== 'GET') { headers['X-CSRF-Token'] = S.csrf || ''; }
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    let resp;
    try {
      resp = await fetch(path, {method, headers, credentials: 'same-origin', cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body)});
    } catch (e) {
      unreachable();
      throw new ApiError(0, 'the daemon is unreachable at ' + location.host);
    }
    reachable();
    const text = await resp.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (resp.status === 401) {
      sessionEnded();
    }
    if (!resp.ok) {
      throw new ApiError(resp.status, (data && data.error) || (resp.status + ' ' + resp.statusText));
    }
    return {data, headers: resp.headers, status: resp.status};
  }

  // ---- the daemon unreachable, the session ended: said plainly, at the top
  /** A refusal, said at the top (unless the session has ended: that says more). */
  const refused = (what, e) => { if (!S.ended) { banner(what + ' refused: ' + e.message); } };

  function banner(message, link) {
    const b = $('banner');
    fill(b, message, link ? ' ' : '', link);
    b.hidden = !message;
  }

  function unreachable() {
    if (S.down || S.ended) { return; }
    S.down = true;
    banner('The daemon is unreachable at ' + location.host + ': what is shown may be out of date. Retrying every'
      + ' 5 seconds…');
    const retry = setInterval(async () => {
      try {
        const r = await fetch('/api/v1/session', {credentials: 'same-origin', cache: 'no-store'});
        clearInterval(retry);
        if (r.status === 401) { sessionEnded(); return; }
        reachable();
        render();
      } catch (e) { /* still down */ }
    }, 5000);
  }

  function reachable() {
    if (S.down) {
      S.down = false;
      if (!S.ended) { banner(''); }
    }
  }

  function sessionEnded() {
    if (S.ended) { return; }
    S.ended = true;
    if (S.stream) { S.stream.close(); }
    banner('Your session has ended (signed out, idle too long, its token revoked or expired, or the daemon'
      + ' restarted).', el('a', {href: signInUrl('ended')}, 'Sign in again'));
    document.querySelectorAll('main button, #followed button').forEach(b => { b.disabled = true; });
  }

  const signInUrl = why => 'login.html?why=' + why + '&next=' + encodeURIComponent(location.hash || '');

  // ---- formatting
  function mib(n) {
    if (n === null || n === undefined) { return '?'; }
    return n >= 1024 ? (n / 1024).toFixed(n % 1024 === 0 ? 0 : 1) + ' GiB' : n + ' MiB';
  }
  const stateOf = s => el('span', {class: 'state state-' + String(s).replace(/[^a-z]/g, '')}, s);
  const when = t => t ? new Date(t).toLocaleString() : '';
  const hvName = id => (S.hvs.get(id) || {name: id}).name;

  function hvState(hv) {
    const words = [hv.state];
    if (hv.maintenance) { words.push('maintenance'); }
    if (hv.fenced) { words.push('fenced'); }
    if (hv.duplicates && hv.duplicates.length) { words.push('still runs copies of ' + hv.duplicates.join(' ')); }
    return words.join(', ');
  }

  function bar(label, used, total, unit) {
    const text = total === null ? unit(used) + ' committed, capacity unknown'
      : unit(used) + ' of ' + unit(total);
    return el('div', {class: 'bar'}, total === null ? null : el('meter', {min: 0, max: total,
      value: Math.min(used, total), 'aria-label': label + ' committed: ' + text}), el('span', {}, text));
  }

  function fields(map) {
    const keys = Object.keys(map || {});
    if (!keys.length) { return el('p', {class: 'muted'}, 'none'); }
    return el('dl', {class: 'fields'}, keys.map(k => [el('dt', {}, k), el('dd', {}, map[k])]));
  }

  const tags = t => el('span', {class: 'tags'}, Object.entries(t || {}).map(([k, v]) => el('span', {},
    v ? k + '=' + v : k)));

  // ---- dialogs: a plan or a warning first, then one button that does it
  function dialog({title, body, ok, danger, ready, onOk}) {
    const d = $('dialog');
    $('dialog-title').textContent = title;
    fill($('dialog-body'), body);
    $('dialog-error').textContent = '';
    const okButton = $('dialog-ok');
    okButton.textContent = ok;
    okButton.className = danger ? 'danger' : '';
    okButton.disabled = !ready;
    okButton.onclick = async event => {
      event.preventDefault();
      okButton.disabled = true;
      $('dialog-error').textContent = '';
      try {
        await onOk();
        d.close();
      } catch (e) {
        $('dialog-error').textContent = e.message;
        okButton.disabled = false;
      }
    };
    $('dialog-cancel').onclick = () => d.close();
    d.showModal();
    return {enable: on => { okButton.disabled = !on; }, error: m => { $('dialog-error').textContent = m; }};
  }

  // ---- following a job to its end: its state, steps and error, in the list of jobs started here
  function follow(job, what) {
    $('followed').hidden = false;
    const item = el('li', {'data-job': job.id});
    $('followed-list').prepend(item);
    S.followed.set(job.id, {item, what});
    showFollowed(job);
    (async () => {
      let j = job;
      while (!ENDED.includes(j.state)) {
        try {
          // answers at the end, or after 2 s with the steps so far (a disk copy's progress is a step)
          j = (await api('GET', '/api/v1/jobs/' + encodeURIComponent(job.id) + '?wait=2')).data;
          showFollowed(j);
        } catch (e) {
          if (e.status === 0) { await new Promise(r => setTimeout(r, 5000)); continue; }
          return;
        }
      }
    })();
  }

  function showFollowed(j) {
    const f = S.followed.get(j.id);
    if (!f) { return; }
    fill(f.item, f.what + ': ', stateOf(j.state), ' ', el('a', {href: '#/job/' + j.id}, 'job ' + j.id),
      j.error ? el('div', {class: 'error'}, j.error) : null,
      j.steps && j.steps.length ? el('ol', {class: 'steps'}, j.steps.map(s => el('li', {}, s))) : null);
  }

  /** A line in the list of what was done here, for a change that is not a job (maintenance, fence). */
  function done(what, detail) {
    $('followed').hidden = false;
    $('followed-list').prepend(el('li', {}, what + ': ', stateOf('done'), detail ? ' — ' + detail : ''));
  }

  async function vmAction(vm, action, body) {
    const r = await api('POST', '/api/v1/vms/' + encodeURIComponent(vm.name) + '/' + action, body || {});
    follow(r.data, action + ' ' + vm.name);
    return r.data;
  }

  function vmButtons(vm) {
    if (!may('operator')) { return null; }
    const run = action => async event => {
      const b = event.currentTarget;
      b.disabled = true;
      try { await vmAction(vm, action); } catch (e) { refused(action + ' ' + vm.name, e); }
      finally { b.disabled = S.ended; }
    };
    return el('div', {class: 'actions'},
      ['start', 'stop', 'shutdown', 'reboot'].map(a => el('button', {type: 'button', onclick: run(a),
        'aria-label': a + ' ' + vm.name}, a[0].toUpperCase() + a.slice(1))),
      el('button', {type: 'button', onclick: () => migrateDialog(vm), 'aria-label': 'migrate ' + vm.name},
        'Migrate…'));
  }

  async function migrateDialog(vm) {
    const choice = el('select', {id: 'migrate-to'}, el('option', {value: ''}, "the allocator's choice"),
      [...S.hvs.values()].filter(h => h.id !== vm.parent).map(h => el('option', {value: h.name}, h.name)));
    const plan = el('div', {id: 'plan', 'aria-live': 'polite'}, 'Planning…');
    const live = el('input', {type: 'checkbox', id: 'migrate-live', checked: true});
    const liveField = el('div', {class: 'field', hidden: true}, live,
      el('label', {for: 'migrate-live'}, ' Live: it keeps running while it moves'));
    let chosen = null;
    const d = dialog({title: 'Migrate ' + vm.name, ok: 'Migrate', ready: false,
      body: el('div', {}, el('p', {}, vm.name + ' is on ' + hvName(vm.parent) + '.'),
        el('div', {class: 'field'}, el('label', {for: 'migrate-to'}, 'Move it to'), choice), liveField,
        el('h3', {}, 'The plan'), plan),
      onOk: async () => {
        await vmAction(vm, 'migrate', liveField.hidden || !live.checked ? {to: chosen} : {to: chosen, live: true});
      }});
    async function replan() {
      d.enable(false);
      chosen = null;
      fill(plan, 'Planning…');
      try {
        const p = (await api('GET', '/api/v1/vms/' + encodeURIComponent(vm.name) + '/plan'
          + (choice.value ? '?to=' + encodeURIComponent(choice.value) : ''))).data;
        const why = Object.entries(p.reasons).map(([h, r]) => el('li', {}, h + ': ' + r));
        liveField.hidden = !p.live; // offered when both hosts can
        if (p.to) {
          chosen = p.to;
          $('dialog-ok').textContent = 'Migrate to ' + p.to;
          fill(plan, el('p', {}, el('strong', {}, p.vm + ' → ' + p.to), p.disk === 'shared'
            ? ' (they share storage: only its definition moves)'
            : ' (they share no storage: its disk is copied, checked, then removed from ' + p.from + ')'),
          why.length ? el('details', {}, el('summary', {}, 'Why not elsewhere'), el('ul', {}, why)) : null);
          d.enable(true);
        } else {
          fill(plan, el('p', {class: 'error'}, p.vm + ' fits nowhere'), el('ul', {}, why));
        }
      } catch (e) {
        fill(plan, el('p', {class: 'error'}, e.message));
      }
    }
    choice.addEventListener('change', replan);
    replan();
  }

  // ---- hypervisors, with what they have committed of what they have
  /** What a hypervisor's row shows: a row is redrawn only when this changes (a poll alone changes nothing). */
  const hvSig = hv => JSON.stringify([hv.name, hv.state, hv.maintenance, hv.fenced, hv.duplicates, hv.capacity]);

  function hvRow(hv) {
    return el('tr', {'data-id': hv.id, 'data-sig': hvSig(hv)},
      el('th', {scope: 'row'}, el('a', {href: '#/vms?parent=' + encodeURIComponent(hv.id),
        title: 'the VMs on ' + hv.name}, hv.name)),
      el('td', {}, stateOf(hvState(hv))),
      el('td', {class: 'num'}, hv.capacity.vms + (hv.capacity.max_vms === null ? '' : ' of ' + hv.capacity.max_vms)),
      el('td', {}, bar('RAM', hv.capacity.ram_used, hv.capacity.ram_total, mib)),
      el('td', {}, bar('CPUs', hv.capacity.cpus_used, hv.capacity.cpus_total, String)),
      may('admin') ? el('td', {}, hvButtons(hv)) : null);
  }

  async function hypervisorsView(main) {
    await loadHypervisors();
    const data = [...S.hvs.values()];
    const admin = may('admin');
    const tbody = el('tbody', {}, data.map(hvRow));
    fill(main, el('h1', {}, 'Hypervisors'),
      el('p', {class: 'muted'}, data.length + ' hypervisor' + (data.length === 1 ? '' : 's')
        + '; RAM and CPUs are what their VMs are given, of what the host has.'),
      el('table', {id: 'hypervisors'}, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'State'),
        el('th', {class: 'num'}, 'VMs'), el('th', {}, 'RAM'), el('th', {}, 'CPUs'),
        admin ? el('th', {}, 'Actions') : null)), tbody),
      await haPanel());
    async function refresh() {
      const before = [...tbody.children].map(tr => tr.dataset.id).join(',');
      await loadHypervisors();
      if ([...S.hvs.keys()].join(',') !== before) { render(); return; } // one came or went
      for (const tr of [...tbody.children]) {
        const hv = S.hvs.get(tr.dataset.id);
        if (hv && tr.dataset.sig !== hvSig(hv)) { tr.replaceWith(hvRow(hv)); }
      }
    }
    return {onEvent: type => { if (type.startsWith('node.')) { later('hypervisors', refresh); } }};
  }

  /** High availability: the VMs that ask for it and what recovery did; the hosts it could not fence, and why. */
  async function haPanel() {
    const {data} = await api('GET', '/api/v1/ha');
    const vms = data.vms.length ? el('table', {id: 'ha-vms'}, el('thead', {}, el('tr', {}, ['VM', 'Priority', 'State',
      'Host', 'Relocations', 'Restarts left', 'Recovery'].map(h => el('th', {}, h)))), el('tbody', {},
      data.vms.map(v => el('tr', {'data-name': v.name},
        el('th', {scope: 'row'}, el('a', {href: '#/vm/' + encodeURIComponent(v.name)}, v.name)),
        el('td', {class: 'num'}, String(v.priority)), el('td', {}, stateOf(v.state)), el('td', {}, v.host || 'none'),
        el('td', {class: 'num'}, String(v.relocations)),
        el('td', {class: 'num'}, v.restarts_left === null ? '' : String(v.restarts_left)),
        el('td', {}, v.recovery || '')))))
      : el('p', {class: 'muted'}, 'No VM asks for it (vagoth ha VM on).');
    const m = data.manager;
    const manager = el('p', {id: 'ha-manager', class: m && m.enabled ? 'muted' : 'error'}, !m
      ? 'No recovery runs in this daemon.' : !m.enabled
      ? 'Recovery is off (enabled = false in etc/vagoth.ha.cfg): a dead host\'s VMs stay lost.'
      : 'Manager ' + m.daemon + ': fences a host unreachable for ' + m.grace_s + ' s and ' + m.min_missed_polls
        + ' polls in a row; ' + m.max_restarts + ' starts and ' + m.max_relocations + ' relocations per VM; '
        + (m.last_pass ? 'last pass ' + when(m.last_pass) + ' over ' + (m.hosts.join(', ') || 'no host') + '.'
          : 'no pass yet.'));
    return el('section', {id: 'ha'}, el('h2', {}, 'High availability'), manager, vms,
      data.unfenced.map(h => el('p', {class: 'error ha-unfenced'}, h.name + ' (' + h.state + ') is not fenced, so'
        + ' none of its VMs is restarted elsewhere: ' + h.fence_failed + (h.next_try ? '; tried again after '
        + when(h.next_try) : ''))));
  }

  function hvButtons(hv) {
    const button = (label, onclick, cls) => el('button', {type: 'button', onclick, class: cls,
      'aria-label': label.replace('…', '').toLowerCase() + ' ' + hv.name}, label);
    return el('div', {class: 'actions'},
      button(hv.maintenance ? 'Maintenance off' : 'Maintenance on', async event => {
        event.currentTarget.disabled = true;
        try {
          await api('PUT', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/maintenance',
            {on: !hv.maintenance});
          done('maintenance ' + (hv.maintenance ? 'off' : 'on') + ' ' + hv.name);
        } catch (e) { refused('maintenance ' + hv.name, e); }
        render();
      }),
      button('Evacuate…', () => evacuateDialog(hv)),
      hv.fenced && hv.duplicates.length ? button('Stop duplicates', async event => {
        event.currentTarget.disabled = true;
        try {
          const r = (await api('POST', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/fence',
            {stop_duplicates: true})).data;
          done('stop duplicates on ' + hv.name, 'stopped its copies of ' + r.stopped.join(', ')
            + '; it stays fenced');
        } catch (e) { refused('stop duplicates on ' + hv.name, e); }
        render();
      }, 'danger') : null,
      hv.fenced ? button('Unfence', async () => {
        try {
          await api('POST', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/unfence', {});
          done('unfence ' + hv.name);
        } catch (e) { refused('unfence ' + hv.name, e); }
        render();
      }) : button('Fence…', () => fenceDialog(hv), 'danger'));
  }

  async function evacuateDialog(hv) {
    const body = el('div', {'aria-live': 'polite'}, 'Planning…');
    const d = dialog({title: 'Evacuate ' + hv.name, ok: 'Evacuate ' + hv.name, ready: false, body,
      onOk: async () => {
        const r = (await api('POST', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/evacuate', {})).data;
        done('evacuate ' + hv.name, 'in maintenance; ' + r.moves.length + ' moving, ' + r.stays.length + ' staying');
        r.moves.forEach(m => m.job ? follow(m.job, 'migrate ' + m.vm + ' → ' + m.to)
          : refused('migrate ' + m.vm, {message: m.error}));
        render();
      }});
    try {
      const p = (await api('GET', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/evacuate')).data;
      fill(body, el('p', {}, hv.name + (p.maintenance ? ' is' : ' will be put') + ' in maintenance (no new'
        + ' VMs are placed on it), then its VMs are migrated as the plan says, as many at once as the scheduler'
        + ' runs. What moved stays moved; it is safe to run again.'),
      el('h3', {}, p.moves.length + ' would move'),
      p.moves.length ? el('ul', {}, p.moves.map(m => el('li', {}, m.vm + ' → ' + m.to))) : el('p', {}, 'none'),
      el('h3', {}, p.stays.length + ' would stay'),
      p.stays.length ? el('ul', {}, p.stays.map(m => el('li', {}, m.vm + ': fits nowhere (' + Object.entries(
        m.reasons).map(([h, r]) => h + ' ' + r).join('; ') + ')'))) : el('p', {}, 'none'));
      d.enable(true);
    } catch (e) {
      fill(body, el('p', {class: 'error'}, e.message));
    }
  }

  function fenceDialog(hv) {
    const confirm = el('input', {id: 'fence-confirm', autocomplete: 'off', spellcheck: 'false'});
    const command = el('input', {id: 'fence-command', type: 'checkbox'});
    const d = dialog({title: 'Fence ' + hv.name, ok: 'Fence ' + hv.name, danger: true, ready: false,
      body: el('div', {},
        el('div', {class: 'warning'},
          el('p', {}, el('strong', {}, 'Fencing states that ' + hv.name + ' is powered off.')),
          el('p', {}, 'Vagoth then releases the VMs it lost with ' + hv.name + ' so that they can be started on'
            + ' other hosts. If ' + hv.name + ' is in fact still running, those VMs run twice, on two hosts at'
            + ' once, and their disks can be damaged beyond repair.'),
          el('p', {}, 'Fence only a host you have seen powered off, or let the configured fence command power it'
            + ' off first.')),
        el('p', {}, command, ' ', el('label', {for: 'fence-command'},
          'Run the configured fence command first (it must succeed)')),
        el('div', {class: 'field'}, el('label', {for: 'fence-confirm'}, 'Type ' + hv.name + ' to confirm'),
          confirm)),
      onOk: async () => {
        const r = (await api('POST', '/api/v1/hypervisors/' + encodeURIComponent(hv.name) + '/fence',
          {command: command.checked})).data;
        done('fence ' + hv.name, r.released.length ? 'released ' + r.released.join(', ') : 'no VM to release');
        render();
      }});
    confirm.addEventListener('input', () => d.enable(confirm.value === hv.name));
    confirm.focus();
  }

  // ---- VMs: filtered as 'vagoth list' filters, a page at a time
  const VM_FILTERS = ['name', 'state', 'tenant', 'parent', 'tag'];

  async function vmsView(main, params) {
    if (!S.hvs.size) { await loadHypervisors(); }
    const query = new URLSearchParams();
    for (const k of VM_FILTERS) {
      const v = params.get(k);
      if (v) { query.set(k, k === 'name' && !/[*?]/.test(v) ? '*' + v + '*' : v); }
    }
    query.set('limit', String(PAGE));
    const after = params.get('after');
    if (after) { query.set('after', after); }
    const r = await api('GET', '/api/v1/vms?' + query);
    const total = Number(r.headers.get('X-Total-Count') || r.data.length);
    const rows = new Map();
    const tbody = el('tbody', {}, r.data.map(vm => {
      const tr = vmRow(vm);
      rows.set(vm.id, tr);
      return tr;
    }));
    const input = (k, label, attrs) => el('div', {}, el('label', {for: 'f-' + k}, label),
      el('input', Object.assign({id: 'f-' + k, name: k, value: params.get(k) || ''}, attrs || {})));
    const form = el('form', {class: 'filters', role: 'search', onsubmit: event => {
      event.preventDefault();
      const q = new URLSearchParams();
      new FormData(event.target).forEach((v, k) => { if (v) { q.set(k, v); } });
      S.pages = [];
      location.hash = '#/vms' + (q.toString() ? '?' + q : '');
    }},
    input('name', 'Name (a glob, or part of it)', {type: 'search', placeholder: 'web*'}),
    input('state', 'State', {placeholder: 'running'}),
    input('tenant', 'Tenant'),
    el('div', {}, el('label', {for: 'f-parent'}, 'Host'), el('select', {id: 'f-parent', name: 'parent'},
      el('option', {value: ''}, 'any'), [...S.hvs.values()].map(h => el('option', {value: h.id,
        selected: params.get('parent') === h.id}, h.name)))),
    input('tag', 'Tag (KEY=VALUE)', {placeholder: 'role=web'}),
    el('button', {type: 'submit'}, 'Filter'));
    const first = S.pages.length === 0 || !after;
    const shown = r.data.length;
    const place = S.pages.length * PAGE;
    const pager = el('div', {class: 'pager'},
      el('button', {type: 'button', disabled: first, onclick: () => {
        const prev = S.pages.pop();
        go('vms', params, prev);
      }}, '← Previous'),
      el('span', {id: 'vm-count', 'aria-live': 'polite'}, shown ? (place + 1) + '–' + (place + shown) + ' of ' + total
        + ' VM' + (total === 1 ? '' : 's') : 'No VM matches'),
      el('button', {type: 'button', disabled: !/rel="next"/.test(r.headers.get('Link') || ''), onclick: () => {
        S.pages.push(after || '');
        go('vms', params, r.data[r.data.length - 1].name);
      }}, 'Next →'));
    fill(main, el('h1', {}, 'VMs'), form, pager,
      el('table', {id: 'vms'}, el('thead', {}, el('tr', {}, ['Name', 'State', 'Host', 'Tenant', 'Tags']
        .map(h => el('th', {}, h)), may('operator') ? el('th', {}, 'Actions') : null)), tbody));
    document.body.dataset.ready = 'vms';
    performance.mark('vms-ready');
    // the first frame with the list painted and the page back to waiting for input: ready (what the benchmark times)
    requestAnimationFrame(() => setTimeout(() => performance.mark('vms-interactive')));
    return {onEvent: (type, d) => {
      if (type === 'node.changed' && rows.has(d.id) && rows.get(d.id).dataset.sig !== vmSig(d)) {
        const tr = vmRow(d);
        rows.get(d.id).replaceWith(tr);
        rows.set(d.id, tr);
      } else if ((type === 'node.created' || type === 'node.deleted') && (d.type === undefined || d.type === 'vm')) {
        later('vms', render);
      }
    }};
  }

  /** Goes to the page of the list after the VM named {@code after} (empty: the first page). */
  function go(view, params, after) {
    const q = new URLSearchParams(params);
    if (after) { q.set('after', after); } else { q.delete('after'); }
    location.hash = '#/' + view + (q.toString() ? '?' + q : '');
  }

  /** What a VM's row shows: a row is redrawn only when this changes. */
  const vmSig = vm => JSON.stringify([vm.name, vm.state, vm.parent, vm.tenant, vm.tags]);

  function vmRow(vm) {
    return el('tr', {'data-id': vm.id, 'data-name': vm.name, 'data-sig': vmSig(vm)},
      el('th', {scope: 'row'}, el('a', {href: '#/vm/' + encodeURIComponent(vm.name)}, vm.name)),
      el('td', {class: 'vm-state'}, stateOf(vm.state)),
      el('td', {}, vm.parent ? hvName(vm.parent) : el('span', {class: 'muted'}, 'none')),
      el('td', {}, vm.tenant || ''),
      el('td', {}, tags(vm.tags)),
      may('operator') ? el('td', {}, vmButtons(vm)) : null);
  }

  async function loadHypervisors() {
    const {data} = await api('GET', '/api/v1/hypervisors');
    S.hvs = new Map(data.map(h => [h.id, h]));
  }

  // ---- one VM: its definition, metadata, keys and its recent jobs
  async function vmView(main, name) {
    if (!S.hvs.size) { await loadHypervisors(); }
    const vm = (await api('GET', '/api/v1/vms/' + encodeURIComponent(name))).data;
    const shown = JSON.stringify(vm);
    const jobs = (await api('GET', '/api/v1/jobs?limit=20&node=' + encodeURIComponent(vm.id))).data;
    fill(main, el('h1', {}, 'VM ' + vm.name),
      el('dl', {class: 'fields', id: 'vm-summary'},
        el('dt', {}, 'State'), el('dd', {class: 'vm-state'}, stateOf(vm.state)),
        el('dt', {}, 'Host'), el('dd', {}, vm.parent ? hvName(vm.parent) : 'none'),
        el('dt', {}, 'Tenant'), el('dd', {}, vm.tenant || ''),
        el('dt', {}, 'Id'), el('dd', {}, vm.id),
        el('dt', {}, 'Tags'), el('dd', {}, tags(vm.tags)),
        el('dt', {}, 'High availability'), el('dd', {id: 'vm-ha'}, haOf(vm))),
      vmButtons(vm),
      el('div', {class: 'columns'},
        el('section', {}, el('h2', {}, 'Definition'), fields(vm.definition)),
        el('section', {}, el('h2', {}, 'Metadata'), fields(vm.metadata)),
        el('section', {}, el('h2', {}, 'Keys'), vm.keys.length ? el('ul', {}, vm.keys.map(k => el('li', {}, k)))
          : el('p', {class: 'muted'}, 'none'))),
      el('h2', {}, 'Recent jobs'), jobTable(jobs),
      may('operator') && vm.parent ? serialLog(vm) : null);
    return {onEvent: (type, d) => {
      if ((type === 'node.changed' && d.id === vm.id && JSON.stringify(d) !== shown)
        || (type === 'job' && d.args && d.args.node === vm.id)) {
        later('vm', render);
      }
    }};
  }

  /** Whether a VM is restarted elsewhere when its host dies, and (operators) a button to change that. */
  function haOf(vm) {
    const on = vm.definition.ha === 'restart';
    const said = on ? 'restarted elsewhere when its host dies, priority ' + (vm.definition.ha_priority || '0')
      : 'off';
    if (!may('operator')) { return said; }
    return el('span', {}, said, ' ', el('button', {type: 'button', id: 'vm-ha-toggle', onclick: async event => {
      event.currentTarget.disabled = true;
      try {
        const r = (await api('PUT', '/api/v1/ha/' + encodeURIComponent(vm.name), {on: !on})).data;
        done('ha ' + vm.name + (on ? ' off' : ' on'), r.on && !r.shared ? 'its host shares no storage, so it would'
          + ' stay unassigned when the host dies' : null);
      } catch (e) { refused('ha ' + vm.name, e); }
      render();
    }}, on ? 'Turn HA off' : 'Turn HA on'));
  }

  /**
   * The last lines of a VM's serial log (operators: what a guest prints may say more than viewers should read),
   * fetched after the page is shown, and again on Refresh; what the agent says when it keeps none.
   */
  function serialLog(vm) {
    const pre = el('pre', {class: 'serial-log', id: 'serial-log'}, 'reading its serial log…');
    const load = async () => {
      try {
        const {data} = await api('GET', '/api/v1/vms/' + encodeURIComponent(vm.name) + '/console?lines='
          + SERIAL_LINES);
        fill(pre, data.lines.length ? data.lines.join('\n') : el('span', {class: 'muted'}, 'nothing printed yet'));
      } catch (e) {
        fill(pre, el('span', {class: 'muted', id: 'serial-log-error'}, 'no serial log: ' + e.message));
      }
    };
    load();
    return el('section', {}, el('h2', {}, 'Serial console'),
      el('p', {class: 'muted'}, 'Its last ' + SERIAL_LINES + ' lines, from ' + hvName(vm.parent)
        + '. To type into it: vagoth console ' + vm.name + '. ',
        el('button', {type: 'button', id: 'serial-log-refresh', onclick: load}, 'Refresh')),
      pre);
  }

  // ---- jobs, live
  function jobTable(jobs) {
    if (!jobs.length) { return el('p', {class: 'muted'}, 'No job yet.'); }
    return el('table', {class: 'jobs'}, el('thead', {}, el('tr', {}, ['Job', 'Action', 'Node', 'State', 'Created',
      'Finished', 'Error'].map(h => el('th', {}, h)))), el('tbody', {}, jobs.map(jobRow)));
  }

  const jobRow = j => el('tr', {'data-job': j.id},
    el('th', {scope: 'row'}, el('a', {href: '#/job/' + j.id}, j.id)), el('td', {}, j.action),
    el('td', {}, (j.args && j.args.node) || ''), el('td', {class: 'job-state'}, stateOf(j.state)),
    el('td', {}, when(j.created)), el('td', {}, when(j.finished)),
    el('td', {class: j.error ? 'error' : ''}, j.error || ''));

  async function jobsView(main, params) {
    const q = new URLSearchParams({limit: '100'});
    if (params.get('state')) { q.set('state', params.get('state')); }
    const jobs = (await api('GET', '/api/v1/jobs?' + q)).data;
    const table = jobTable(jobs);
    fill(main, el('h1', {}, 'Jobs'), el('p', {class: 'muted'}, 'The latest 100, newest first; new ones'
      + ' and changes appear as they happen.'), table);
    return {onEvent: (type, j) => {
      if (type !== 'job' || (params.get('state') && j.state !== params.get('state'))) { return; }
      const tbody = main.querySelector('table.jobs tbody');
      if (!tbody) { later('jobs', render); return; }
      const old = tbody.querySelector('tr[data-job="' + CSS.escape(j.id) + '"]');
      if (old) { old.replaceWith(jobRow(j)); } else { tbody.prepend(jobRow(j)); }
    }};
  }

  async function jobView(main, id) {
    const j = (await api('GET', '/api/v1/jobs/' + encodeURIComponent(id))).data;
    fill(main, el('h1', {}, 'Job ' + j.id),
      el('dl', {class: 'fields'}, el('dt', {}, 'Action'), el('dd', {}, j.action),
        el('dt', {}, 'State'), el('dd', {class: 'job-state'}, stateOf(j.state)),
        el('dt', {}, 'Arguments'), el('dd', {}, Object.entries(j.args).map(([k, v]) => k + '=' + v).join(' ')),
        el('dt', {}, 'Source'), el('dd', {}, j.source || ''),
        el('dt', {}, 'Created'), el('dd', {}, when(j.created)),
        el('dt', {}, 'Started'), el('dd', {}, when(j.started)),
        el('dt', {}, 'Finished'), el('dd', {}, when(j.finished))),
      j.error ? el('p', {class: 'error', id: 'job-error'}, j.error) : null,
      el('h2', {}, 'Steps'), j.steps.length ? el('ol', {class: 'steps'}, j.steps.map(s => el('li', {}, s)))
        : el('p', {class: 'muted'}, j.finished ? 'none' : 'none yet'));
    if (!ENDED.includes(j.state)) {
      const here = location.hash;
      setTimeout(() => { if (location.hash === here) { render(); } }, 2000); // its steps as they come
    }
    return {onEvent: (type, d) => { if (type === 'job' && d.id === j.id) { later('job', render); } }};
  }

  // ---- the event feed, live
  function summary(type, d) {
    if (type === 'job') { return 'job ' + d.id + ' ' + d.action + ' ' + ((d.args && d.args.node) || '') + ': ' + d.state
      + (d.error ? ' (' + d.error + ')' : ''); }
    if (type === 'api') { return d.actor + ' (' + d.role + ') ' + d.method + ' ' + d.path + ' → ' + d.status; }
    if (type === 'node.deleted') { return d.name + ' deleted'; }
    if (type.startsWith('node.')) { return d.type + ' ' + d.name + ': ' + d.state + (d.parent ? ' on '
      + hvName(d.parent) : ''); }
    return JSON.stringify(d);
  }

  async function eventsView(main) {
    const list = el('ul', {class: 'events', id: 'events'}, S.events.map(eventItem));
    fill(main, el('h1', {}, 'Events'), el('p', {class: 'muted'}, 'What changed since the console was'
      + ' opened (the latest ' + EVENTS_KEPT + '), newest first.'), list);
    return {onEvent: (type, d, e) => {
      list.prepend(eventItem(e));
      while (list.children.length > EVENTS_KEPT) { list.lastChild.remove(); }
    }};
  }

  const eventItem = e => el('li', {}, el('time', {}, e.time.toLocaleTimeString()), ' ', el('strong', {}, e.type),
    ' ', summary(e.type, e.data));

  /** An event as it arrives, whichever way it came: kept for the feed, and given to the view. */
  function arrived(type, raw) {
    if (type === 'reset') { render(); return; }
    if (type === 'ended') { // the session or its token is no longer accepted: ask which, then go on
      api('GET', '/api/v1/session').then(() => setTimeout(() => S.stream.open(), 1000), () => { /* said */ });
      return;
    }
    let data;
    try { data = JSON.parse(raw); } catch (err) { return; }
    const e = {type, data, time: new Date()};
    S.events.unshift(e);
    S.events.length = Math.min(S.events.length, EVENTS_KEPT);
    if (type === 'job' && S.followed.has(data.id)) { showFollowed(data); }
    if (type.startsWith('node.') && data.type === 'hv') { S.hvs.set(data.id, Object.assign(S.hvs.get(data.id)
      || {}, data)); }
    if (S.view && S.view.onEvent) { S.view.onEvent(type, data, e); }
  }

  /** The stream broke: when for good (refused, or the session ended), ask why, then start again. */
  async function broken(closed) {
    if (S.ended) { return; }
    if (!closed) { unreachable(); return; }
    try { await api('GET', '/api/v1/session'); setTimeout(() => S.stream.open(), 1000); } catch (e) { /* said */ }
  }

  /**
   * The API's event stream: through one SharedWorker for all this browser's console tabs where there is one
   * (each tab a stream of its own would use up the six connections a browser keeps to a host), else directly.
   */
  function listen() {
    const told = msg => {
      if (msg.kind === 'event') { arrived(msg.type, msg.data); }
      else if (msg.kind === 'open') { reachable(); }
      else if (msg.kind === 'error') { broken(msg.closed); }
    };
    if (window.SharedWorker) {
      const port = new SharedWorker('events-worker.js').port;
      port.onmessage = m => told(m.data);
      port.start();
      S.stream = {open: () => port.postMessage('open'), close: () => port.postMessage('close')};
      return;
    }
    let source;
    const open = () => {
      if (source && source.readyState !== EventSource.CLOSED) { return; }
      source = openEvents(told); // events-stream.js
    };
    S.stream = {open, close: () => source.close()};
    open();
  }

  // ---- the router: #/view/arg?filters
  const timers = {};
  function later(key, fn) {
    clearTimeout(timers[key]);
    timers[key] = setTimeout(fn, 300);
  }

  async function render() {
    if (S.ended) { return; }
    const hash = location.hash.replace(/^#\/?/, '');
    const [path, query] = hash.split('?');
    const [view, ...rest] = (path || 'hypervisors').split('/');
    const arg = decodeURIComponent(rest.join('/'));
    const params = new URLSearchParams(query || '');
    if (view !== 'vms') { S.pages = []; }
    document.querySelectorAll('header nav a').forEach(a => {
      if (a.dataset.view === view || (a.dataset.view === 'vms' && view === 'vm')
        || (a.dataset.view === 'jobs' && view === 'job')) {
        a.setAttribute('aria-current', 'page');
      } else { a.removeAttribute('aria-current'); }
    });
    const views = {hypervisors: hypervisorsView, vms: vmsView, vm: m => vmView(m, arg), jobs: jobsView,
      job: m => jobView(m, arg), events: eventsView};
    const main = $('view');
    const fn = views[view];
    main.setAttribute('aria-busy', 'true');
    delete document.body.dataset.ready;
    try {
      S.view = fn ? await fn(main, params) : (fill(main, el('h1', {}, 'Not here'),
        el('p', {}, 'There is no view "' + view + '". '), el('a', {href: '#/hypervisors'}, 'Hypervisors')), null);
      document.title = (main.querySelector('h1') || {textContent: ''}).textContent + ' · Vagoth';
    } catch (e) {
      S.view = null;
      if (!S.ended && e.status !== 0) {
        fill(main, el('h1', {}, 'Cannot show this'), el('p', {class: 'error'}, e.message));
      }
    } finally {
      main.setAttribute('aria-busy', 'false');
    }
  }

  async function start() {
    let me;
    try {
      me = (await fetch('/api/v1/session', {credentials: 'same-origin', cache: 'no-store'}));
    } catch (e) {
      banner('The daemon is unreachable at ' + location.host + ': is it running (vagoth daemon status)?');
      fill($('view'));
      setTimeout(start, 5000);
      return;
    }
    if (me.status === 401) {
      location.replace(signInUrl('none'));
      return;
    }
    S.me = await me.json();
    S.csrf = S.me.csrf;
    $('me').textContent = S.me.name + ' (' + S.me.role + ')';
    const out = $('signout');
    out.hidden = false;
    out.addEventListener('click', async () => {
      try { await api('DELETE', '/api/v1/session'); } catch (e) { /* gone already */ }
      if (S.stream) { S.stream.close(); }
      location.replace('login.html?why=signed-out');
    });
    banner('');
    window.addEventListener('hashchange', () => { render(); $('view').focus({preventScroll: true}); });
    window.addEventListener('pagehide', () => { if (S.stream) { S.stream.close(); } });
    listen();
    render();
  }

  start();
}());
