'use strict';
// One event stream for every console tab of this browser (a SharedWorker): a browser keeps six HTTP/1.1
// connections to a host, and a stream per tab would take one each. Each tab gets every event as it comes.
importScripts('events-stream.js');
const ports = new Set();
let source = null;

function broadcast(message) {
  for (const port of ports) { port.postMessage(message); }
}

function open() {
  if (source && source.readyState !== EventSource.CLOSED) { return; }
  source = openEvents(broadcast);
}

self.onconnect = event => {
  const port = event.ports[0];
  ports.add(port);
  port.onmessage = m => {
    if (m.data === 'close') { // the tab went
      ports.delete(port);
      if (!ports.size && source) { source.close(); source = null; }
    } else if (m.data === 'open') {
      open();
    }
  };
  port.start();
  open();
  if (source.readyState === EventSource.OPEN) { port.postMessage({kind: 'open'}); }
};
