'use strict';
// The API's event stream, opened the one way for the shared worker (events-worker.js) and for a page that has no
// shared worker (console.js): each thing that happens is told as {kind: 'event', type, data}, {kind: 'open'} or
// {kind: 'error', closed}.
const EVENT_TYPES = ['node.created', 'node.changed', 'node.deleted', 'job', 'api', 'reset', 'ended'];

function openEvents(tell) {
  const source = new EventSource('/api/v1/events');
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, m => {
      if (type === 'ended') { source.close(); } // the session or token is no longer accepted: not retried
      tell({kind: 'event', type, data: m.data});
    });
  }
  source.onopen = () => tell({kind: 'open'});
  source.onerror = () => tell({kind: 'error', closed: source.readyState === EventSource.CLOSED});
  return source;
}
