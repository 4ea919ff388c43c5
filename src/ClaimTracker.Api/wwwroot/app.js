// The ClaimTracker dashboard: plain JavaScript over the public JSON API, no build step.
// Every piece of data reaches the page through textContent or an attribute, never as markup.
'use strict';

(() => {
  const API = '/api/v1';
  const PAGE_SIZE = 25;
  const TIMELINE_PAGE_SIZE = 50;
  const SEARCH_DELAY_MS = 300;
  const STREAM_RETRY_MS = 30_000;

  // The statuses in the order of the contract, with the words a reader sees.
  const STATUSES = [
    ['unverified', 'Unverified'],
    ['in_review', 'In review'],
    ['confirmed', 'Confirmed'],
    ['disputed', 'Disputed'],
    ['inconclusive', 'Inconclusive'],
    ['refuted', 'Refuted'],
    ['retracted', 'Retracted'],
  ];
  const STATUS_LABELS = new Map(STATUSES);
  const statusLabel = status => STATUS_LABELS.get(status) ?? String(status);

  const $ = id => document.getElementById(id);

  // --- DOM and HTTP helpers -------------------------------------------------------------------

  /** Creates an element; strings among the children become text nodes, so data is never parsed as HTML. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') element.className = value;
      else if (name === 'dataset') Object.assign(element.dataset, value);
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) element.append(child);
    }
    return element;
  }

  class ApiError extends Error {
    constructor(status, problem) {
      super(`${status} ${problem.title ?? ''}`);
      this.status = status;
      this.problem = problem;
    }
  }

  /** GETs a JSON resource of the API; throws ApiError for an error status and TypeError when the network fails. */
  async function getJson(path, parameters) {
    const url = new URL(API + path, window.location.origin);
    for (const [name, value] of Object.entries(parameters ?? {})) {
      if (value === null || value === undefined || value === '') continue;
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
    }
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new ApiError(response.status, problem && typeof problem === 'object' ? problem : {});
    }
    return response.json();
  }

  const claimUrl = claim => `${API}/claims/${encodeURIComponent(claim.slug)}`;
  /** The claim's page (server-rendered HTML: /claims/{slug}), where rows, events and the latest change lead. */
  const pageUrl = claim => `/claims/${encodeURIComponent(claim.slug)}`;

  /** A link from the data only when it is http(s): never `javascript:` or the like. */
  function webUrl(text) {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  }

  /** A section shows its loading, ready, empty or unavailable state through data-state (see app.css). */
  function setState(section, state) {
    section.dataset.state = state;
    section.setAttribute('aria-busy', String(state === 'loading'));
  }

  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
  const numberFormat = new Intl.NumberFormat();
  const dayFormats = {
    day: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }),
    month: new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' }),
    year: new Intl.DateTimeFormat(undefined, { year: 'numeric', timeZone: 'UTC' }),
  };

  function timeElement(iso, format) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return h('span', null, '—');
    return h('time', { datetime: iso, title: date.toISOString() }, format.format(date));
  }

  /** An event's date as precise as it is known: "19 Jan 2025", "January 2025" or "2025". */
  function occurredElement(claim) {
    if (!claim.occurredOn) return h('span', { class: 'date-unknown' }, 'Date unknown');
    const format = dayFormats[claim.datePrecision] ?? dayFormats.day;
    return h('time', { datetime: claim.occurredOn }, format.format(new Date(`${claim.occurredOn}T00:00:00Z`)));
  }

  function statusBadge(status) {
    return h('span', { class: 'badge', dataset: { status } }, statusLabel(status));
  }

  /** Briefly highlights an element that a live update changed. */
  function flash(element) {
    element.classList.remove('flash');
    void element.offsetWidth; // restart the animation
    element.classList.add('flash');
  }

  // --- Story header -----------------------------------------------------------------------------

  /** "Italian" for `it`; null when the tag is missing or unknown. */
  function languageName(tag) {
    if (!tag) return null;
    try {
      return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? null;
    } catch {
      return null;
    }
  }

  async function loadStory() {
    try {
      const page = await getJson('/sources', { kind: 'article', limit: 1 });
      const article = page.items[0];
      if (!article) return;
      const title = $('story-title');
      title.textContent = article.title;
      if (article.language) title.lang = article.language;
      document.title = `${article.title} · ClaimTracker`;
      const meta = $('story-meta');
      meta.replaceChildren(
        'The claims of ',
        webUrl(article.url) ? h('a', { href: webUrl(article.url), rel: 'noopener noreferrer' }, 'the article') : 'the article',
        languageName(article.language) ? ` (in ${languageName(article.language)})` : '',
        article.publisher ? `, ${article.publisher}` : '',
        article.publishedAt ? `, ${dayFormats.day.format(new Date(article.publishedAt))}` : '',
        ', and of the sources that support, dispute or deny them.');
      meta.hidden = false;
    } catch {
      // The heading keeps its generic text.
    }
  }

  // --- Status counts ----------------------------------------------------------------------------

  let statsRequest = 0;
  let statsTimer = 0;

  async function loadStats() {
    const request = ++statsRequest;
    const section = $('status-section');
    try {
      const stats = await getJson('/stats');
      if (request === statsRequest) renderStats(stats);
    } catch {
      if (request !== statsRequest) return;
      if (section.dataset.state === 'ready') {
        $('status-total').textContent = 'Could not refresh the counts; they may be out of date.';
      } else {
        setState(section, 'unavailable');
      }
    }
  }

  /** Coalesces a burst of live changes into one request. */
  function refreshStatsSoon() {
    clearTimeout(statsTimer);
    statsTimer = setTimeout(loadStats, 250);
  }

  function renderStats(stats) {
    const chart = $('status-chart');
    const counts = STATUSES.map(([status]) => Number(stats.byStatus?.[status] ?? 0));
    const max = Math.max(1, ...counts);
    const previous = new Map([...chart.querySelectorAll('li')].map(li => [li.dataset.status, li.dataset.count]));

    chart.replaceChildren(...STATUSES.map(([status, label], i) => {
      const count = counts[i];
      const fill = h('span', { class: 'bar-fill' });
      fill.style.width = `${(count / max) * 100}%`;
      const row = h('li', { class: 'bar-row', dataset: { status, count: String(count) } },
        h('span', { class: 'bar-label' }, label),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'bar-value' },
          h('span', { class: 'count' }, numberFormat.format(count)),
          h('span', { class: 'visually-hidden' }, count === 1 ? ' claim' : ' claims')));
      if (previous.size && previous.get(status) !== String(count)) flash(row);
      return row;
    }));

    const total = Number(stats.claims ?? counts.reduce((a, b) => a + b, 0));
    const asOf = stats.generatedAt ? ` · as of ${timeFormat.format(new Date(stats.generatedAt))}` : '';
    $('status-total').textContent = `${numberFormat.format(total)} ${total === 1 ? 'claim' : 'claims'}${asOf}`;
    setState($('status-section'), 'ready');
  }

  // --- Timeline ---------------------------------------------------------------------------------

  let timelineCursor = null;

  async function loadTimeline(append) {
    const section = $('timeline-section');
    const more = $('timeline-more');
    more.disabled = true;
    try {
      const page = await getJson('/timeline', { limit: TIMELINE_PAGE_SIZE, cursor: append ? timelineCursor : null });
      const list = $('timeline');
      const items = page.items.map(timelineItem);
      if (append) list.append(...items);
      else list.replaceChildren(...items);
      timelineCursor = page.nextCursor;
      more.hidden = !timelineCursor;
      setState(section, list.childElementCount ? 'ready' : 'empty');
    } catch {
      if (!append) setState(section, 'unavailable');
    } finally {
      more.disabled = false;
    }
  }

  function timelineItem(claim) {
    return h('li', { class: 'event', dataset: { claimId: claim.id, slug: claim.slug } },
      h('div', { class: 'event-date' }, occurredElement(claim)),
      h('div', { class: 'event-body' },
        h('a', { class: 'event-statement', href: pageUrl(claim) }, claim.statement),
        h('div', { class: 'event-meta' }, statusBadge(claim.status), h('span', { class: 'subject' }, claim.subject.name))));
  }

  // --- Claims table -----------------------------------------------------------------------------

  const claimsQuery = { q: '', status: '', cursor: null };
  let claimsRequest = 0;
  let searchTimer = 0;

  async function loadClaims(append) {
    const request = ++claimsRequest;
    const section = $('claims-section');
    const more = $('claims-more');
    if (!append) setState(section, 'loading');
    more.disabled = true;
    try {
      const page = await getJson('/claims', {
        q: claimsQuery.q,
        sort: claimsQuery.q ? 'relevance' : null, // best match first; otherwise the API's default, newest change first
        status: claimsQuery.status,
        limit: PAGE_SIZE,
        cursor: append ? claimsQuery.cursor : null,
      });
      if (request !== claimsRequest) return; // a newer search replaced this one
      const body = $('claims').tBodies[0];
      const rows = page.items.map(claimRow);
      if (append) body.append(...rows);
      else body.replaceChildren(...rows);
      claimsQuery.cursor = page.nextCursor;
      more.hidden = !page.nextCursor;
      setState(section, body.rows.length ? 'ready' : 'empty');
    } catch (error) {
      if (request !== claimsRequest) return;
      if (!append) {
        $('claims').tBodies[0].replaceChildren();
        more.hidden = true;
        // A search the API refuses (bad syntax, too broad) says why; anything else is an outage.
        const reason = searchProblem(error);
        $('claims-problem').textContent = reason ?? '';
        setState(section, reason ? 'problem' : 'unavailable');
      }
    } finally {
      if (request === claimsRequest) more.disabled = false;
    }
  }

  /** What the API said about the search, for a 400 naming `q` or a 422 (e.g. too broad); else null. */
  function searchProblem(error) {
    if (!(error instanceof ApiError) || !claimsQuery.q) return null;
    const problem = error.problem;
    const messages = problem.errors?.q;
    if (error.status === 400 && Array.isArray(messages) && messages.length) return `Search: ${messages.join(' ')}`;
    if (error.status === 422 && typeof problem.detail === 'string') return problem.detail;
    return null;
  }

  function claimRow(claim) {
    const row = h('tr', { class: 'claim-row', dataset: { claimId: claim.id, slug: claim.slug } });
    fillClaimRow(row, claim);
    return row;
  }

  function fillClaimRow(row, claim) {
    const detailsId = `details-${claim.id}`;
    const open = row.nextElementSibling?.id === detailsId;
    const toggle = h('button', {
      class: 'details-toggle', type: 'button', 'aria-expanded': String(open), 'aria-controls': detailsId,
    }, open ? 'Hide details' : 'Details');
    toggle.addEventListener('click', () => toggleDetails(row, claim));
    row.dataset.status = claim.status;
    row.replaceChildren(
      h('td', { class: 'statement' }, h('a', { href: pageUrl(claim) }, claim.statement), ' ', toggle),
      h('td', { class: 'subject' }, claim.subject.name),
      h('td', { class: 'status', dataset: { status: claim.status } }, statusBadge(claim.status)),
      h('td', { class: 'updated' }, timeElement(claim.updatedAt, dateTimeFormat)));
  }

  async function toggleDetails(row, claim) {
    const detailsId = `details-${claim.id}`;
    const existing = document.getElementById(detailsId);
    const toggle = row.querySelector('.details-toggle');
    if (existing) {
      existing.remove();
      toggle.setAttribute('aria-expanded', 'false');
      toggle.textContent = 'Details';
      return;
    }
    const cell = h('td', { colspan: '4' }, h('p', { class: 'muted' }, 'Loading details…'));
    row.after(h('tr', { class: 'details-row', id: detailsId }, cell));
    toggle.setAttribute('aria-expanded', 'true');
    toggle.textContent = 'Hide details';
    await fillDetails(cell, claim.id);
  }

  async function fillDetails(cell, claimId) {
    try {
      const claim = await getJson(`/claims/${encodeURIComponent(claimId)}`);
      cell.replaceChildren(claimDetails(claim));
    } catch {
      cell.replaceChildren(h('p', { class: 'muted' }, 'Details unavailable.'));
    }
  }

  function claimDetails(claim) {
    const facts = [
      ['Status reason', claim.statusReason],
      ['Status since', claim.statusChangedAt && timeElement(claim.statusChangedAt, dateTimeFormat)],
      ['Claimant', claim.claimant ? claim.claimant.name : 'Unattributed'],
      ['Part of', claim.partOf && h('a', { href: pageUrl(claim.partOf) }, claim.partOf.statement)],
      ['Tags', claim.tags?.length ? claim.tags.join(', ') : null],
    ].filter(([, value]) => value);
    const appearances = claim.appearances ?? [];
    return h('div', { class: 'details' },
      h('dl', { class: 'facts' }, facts.map(([term, value]) => [h('dt', null, term), h('dd', null, value)])),
      appearances.length
        ? h('div', null,
          h('h3', null, `Where it appears (${appearances.length})`),
          h('ul', { class: 'appearances' }, appearances.map(a => h('li', null,
            h('span', { class: 'stance', dataset: { stance: a.stance } }, a.stance), ' ',
            h('span', { class: 'source' }, a.source.title),
            a.quote?.exact ? h('q', { class: 'quote' }, a.quote.exact) : null))))
        : null,
      h('p', null, h('a', { href: claimUrl(claim) }, 'The claim as JSON'), ' · ',
        h('a', { href: `${claimUrl(claim)}/history` }, 'its status history')));
  }

  /** Reads the search form into the query and the address bar, so that a view can be shared as a link. */
  function applyFilters() {
    claimsQuery.q = $('search').value.trim();
    claimsQuery.status = $('status-filter').value;
    claimsQuery.cursor = null;
    const url = new URL(window.location.href);
    for (const name of ['q', 'status']) {
      if (claimsQuery[name]) url.searchParams.set(name, claimsQuery[name]);
      else url.searchParams.delete(name);
    }
    window.history.replaceState(null, '', url);
    $('claims-note').textContent = claimsQuery.q ? 'Best matches first'
      : claimsQuery.status ? `${statusLabel(claimsQuery.status)} claims, most recently updated first` : 'Most recently updated first';
    return loadClaims(false);
  }

  function setUpFilters() {
    const select = $('status-filter');
    select.append(...STATUSES.map(([status, label]) => h('option', { value: status }, label)));
    const params = new URLSearchParams(window.location.search);
    $('search').value = params.get('q') ?? '';
    if (STATUS_LABELS.has(params.get('status'))) select.value = params.get('status');

    $('claims-filter').addEventListener('submit', event => {
      event.preventDefault();
      clearTimeout(searchTimer);
      applyFilters();
    });
    $('search').addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(applyFilters, SEARCH_DELAY_MS);
    });
    select.addEventListener('change', () => {
      clearTimeout(searchTimer);
      applyFilters();
    });
    $('claims-more').addEventListener('click', () => loadClaims(true));
    $('timeline-more').addEventListener('click', () => loadTimeline(true));
  }

  // --- Live updates -----------------------------------------------------------------------------

  let lostStream = false;

  function setLive(state, text) {
    const live = $('live');
    live.dataset.state = state;
    $('live-label').textContent = text;
  }

  /** Follows the change stream; EventSource reconnects by itself and resumes from the last `id` it saw. */
  function connectStream() {
    if (!('EventSource' in window)) {
      setLive('unavailable', 'Live updates unavailable');
      return;
    }
    const stream = new EventSource(`${API}/changes/stream`);
    stream.addEventListener('open', () => {
      setLive('live', 'Live');
      // Changes made while the stream was closed for good were not replayed: catch up on the counts.
      if (lostStream) refreshStatsSoon();
      lostStream = false;
    });
    stream.addEventListener('error', () => {
      if (stream.readyState === EventSource.CLOSED) {
        // Not a stream (absent, or refused): EventSource gives up, so try again later.
        stream.close();
        lostStream = true;
        setLive('unavailable', 'Live updates unavailable');
        setTimeout(connectStream, STREAM_RETRY_MS);
      } else {
        setLive('reconnecting', 'Reconnecting…');
      }
    });
    stream.addEventListener('status_change', event => {
      onStatusChange(event).catch(() => { /* the counts were refreshed; the row update is best effort */ });
    });
  }

  async function onStatusChange(event) {
    let change;
    try {
      change = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!change || typeof change.claimId !== 'string') return;
    refreshStatsSoon();

    let claim = null;
    try {
      claim = await getJson(`/claims/${encodeURIComponent(change.claimId)}`);
    } catch {
      // Shown without the statement below.
    }
    showLatestChange(change, claim);
    if (!claim) return;

    for (const row of document.querySelectorAll('#claims tr.claim-row')) {
      if (row.dataset.claimId !== claim.id) continue;
      fillClaimRow(row, claim);
      flash(row);
      const details = document.getElementById(`details-${claim.id}`);
      if (details) await fillDetails(details.cells[0], claim.id);
    }
    for (const item of document.querySelectorAll('#timeline li.event')) {
      if (item.dataset.claimId !== claim.id) continue;
      const updated = timelineItem(claim);
      item.replaceWith(updated);
      flash(updated);
    }
  }

  function showLatestChange(change, claim) {
    const latest = $('latest-change');
    latest.replaceChildren(
      h('span', { class: 'latest-label' }, 'Latest change'),
      change.at ? h('span', { class: 'latest-time' }, timeElement(change.at, timeFormat)) : null,
      claim ? h('a', { class: 'latest-claim', href: pageUrl(claim) }, claim.statement) : h('span', null, 'A claim'),
      h('span', { class: 'latest-move' },
        change.from ? statusBadge(change.from) : null,
        change.from ? h('span', { class: 'arrow' }, h('span', { 'aria-hidden': 'true' }, '→'),
          h('span', { class: 'visually-hidden' }, ' to ')) : null,
        change.to ? statusBadge(change.to) : null),
      change.reason ? h('span', { class: 'latest-reason' }, change.reason) : null);
    latest.dataset.claimId = change.claimId;
    latest.hidden = false;
  }

  // --- Start ------------------------------------------------------------------------------------

  function start() {
    setUpFilters();
    loadStory();
    // The stream starts from now, so load the state first, then follow the changes.
    Promise.allSettled([loadStats(), loadTimeline(false), applyFilters()]).then(connectStream);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
