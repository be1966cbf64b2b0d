// The device's copy of a person's data, in IndexedDB: the session, the last
// roadmaps seen from the server, and the outbox of edits not yet sent.
// Signing out deletes the whole database.

const NAME = 'veikart';
let opening;

function open() {
  opening ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('kv');
      db.createObjectStore('roadmaps', { keyPath: 'id' });
      db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => {
      req.result.onversionchange = () => { req.result.close(); opening = null; };
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
  });
  return opening;
}

const done = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

async function run(store, mode, fn) {
  const db = await open();
  const tx = db.transaction(store, mode);
  const result = fn(tx.objectStore(store));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

export const kv = {
  get: (k) => run('kv', 'readonly', (s) => s.get(k)),
  set: (k, v) => run('kv', 'readwrite', (s) => s.put(v, k)),
  del: (k) => run('kv', 'readwrite', (s) => s.delete(k)),
};

export const roadmaps = {
  get: (id) => run('roadmaps', 'readonly', (s) => s.get(id)),
  put: (rec) => run('roadmaps', 'readwrite', (s) => s.put(rec)),
  del: (id) => run('roadmaps', 'readwrite', (s) => s.delete(id)),
  all: () => run('roadmaps', 'readonly', (s) => s.getAll()),
};

export const outbox = {
  add: (entry) => run('outbox', 'readwrite', (s) => s.add(entry)),
  put: (entry) => run('outbox', 'readwrite', (s) => s.put(entry)),
  all: () => run('outbox', 'readonly', (s) => s.getAll()),
  del: (seqs) => run('outbox', 'readwrite', (s) => { for (const q of seqs) s.delete(q); }),
};

// wipe deletes everything this app keeps about the person on this device.
export async function wipe() {
  if (opening) (await opening).close();
  opening = null;
  await done(indexedDB.deleteDatabase(NAME));
}

export { done };
