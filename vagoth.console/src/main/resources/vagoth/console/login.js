'use strict';
// Sign-in: the token is sent once, to POST /api/v1/session, which answers with an HttpOnly session cookie.
(function () {
  const params = new URLSearchParams(location.search);
  const why = params.get('why');
  if (why === 'ended') {
    document.getElementById('why').textContent = 'Your session has ended (signed out, idle too long, its token'
      + ' revoked or expired, or the daemon restarted). Sign in again.';
  } else if (why === 'signed-out') {
    document.getElementById('why').textContent = 'You are signed out.';
  }
  // only a place in the console itself: never an address elsewhere
  const next = /^#\/[\w\-.\/?=&%*]*$/.test(params.get('next') || '') ? params.get('next') : '';
  const form = document.getElementById('signin');
  const error = document.getElementById('error');
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    error.textContent = '';
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const resp = await fetch('/api/v1/session', {
        method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({token: document.getElementById('token').value.trim()})
      });
      if (resp.ok) {
        location.replace('index.html' + next);
        return;
      }
      let message = resp.statusText;
      try { message = (await resp.json()).error || message; } catch (e) { /* not JSON */ }
      error.textContent = 'Not signed in: ' + message;
    } catch (e) {
      error.textContent = 'The daemon is unreachable at ' + location.host + ': is it running (vagoth daemon status)?';
    } finally {
      button.disabled = false;
    }
  });
  form.querySelector('button').disabled = false; // ready: the form is ours to send
}());
