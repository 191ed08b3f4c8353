// What the JavaScript SDK scripts share: calling the fake's control API, and an SDK
// error described for the Python test to check.
'use strict';

// A function that POSTs to the control API of the server at `endpoint`.
function controlAt(endpoint) {
  return async function control(path, body) {
    const response = await fetch(`${endpoint}/_batchjobs/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
    });
    const document = await response.json();
    if (!response.ok) {
      throw new Error(`control ${path} answered ${response.status}: ${document.error}`);
    }
    return document;
  };
}

function described(error, errorClass) {
  return {
    name: error.name,
    isInstance: error instanceof errorClass,
    status: error.$metadata && error.$metadata.httpStatusCode,
    attempts: error.$metadata && error.$metadata.attempts,
    fault: error.$fault,
    message: error.message,
  };
}

// How `promise` failed, described; null if it did not.
async function failure(promise, errorClass) {
  try {
    await promise;
  } catch (error) {
    return described(error, errorClass);
  }
  return null;
}

module.exports = { controlAt, failure };
