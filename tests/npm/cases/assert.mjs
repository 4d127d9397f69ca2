// The assertions the shared cases use; no Node built-ins, so the same cases run in Chromium.

const show = (v) => {
  try {
    return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x === undefined ? '<undefined>' : x));
  } catch {
    return String(v);
  }
};

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

export class AssertionError extends Error {}

function fail(message, note) {
  throw new AssertionError(note ? `${note}: ${message}` : message);
}

export const t = {
  equal(actual, expected, note) {
    if (!Object.is(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, note);
  },
  deepEqual(actual, expected, note) {
    if (!same(actual, expected)) fail(`expected ${show(expected)},\n     got ${show(actual)}`, note);
  },
  ok(value, note) {
    if (!value) fail(`expected a truthy value, got ${show(value)}`, note);
  },
  /** `fn` throws an error of class `ctor` whose message matches `pattern`. */
  throws(fn, ctor, pattern, note) {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ctor)) fail(`expected a ${ctor.name}, got ${e?.name}: ${e?.message}`, note);
      if (!pattern.test(e.message)) fail(`message ${show(e.message)} does not match ${pattern}`, note);
      return;
    }
    fail('expected an exception', note);
  },
  /** `fn` throws an error named `name` (TypeError, RangeError, Error) with exactly `message`. */
  throwsExactly(fn, name, message, note) {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof Error)) fail(`expected an Error, got ${show(e)}`, note);
      if (e.name !== name || e.constructor.name !== name) fail(`expected a ${name}, got ${e.name}: ${e.message}`, note);
      if (e.message !== message) fail(`expected message ${show(message)},\n     got ${show(e.message)}`, note);
      return;
    }
    fail(`expected ${name}: ${message}`, note);
  },
};
