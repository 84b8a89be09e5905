// Runs first in every policy isolate, before the policy's bundle (server/sandbox/worker/isolates.ts).
// It takes the host callbacks from their globals into this closure and deletes the globals, so
// policy code reaches them only through the SDK functions defined here. It removes what a pure
// policy must not have, fixes the clock, seeds Math.random, defines the `trueup:policy` runtime,
// and freezes the intrinsics so nothing a policy does can change how this file behaves.
//
// A policy keeps no state between batches: its bundle is wrapped in a factory (isolates.ts) that
// this file calls afresh at the start of every batch, so module-level variables start over, and
// whatever the policy added to globalThis is removed when the batch ends. One context serves every
// batch (a fresh context per batch costs 3–8 ms; a fresh module costs microseconds).
(() => {
  const g = globalThis;
  const hostNames = ['__trueupHostLdapEscape', '__trueupHostLdapEscapeDn', '__trueupHostSha256'];
  const [hostLdapEscape, hostLdapEscapeDn, hostSha256] = hostNames.map((name) => g[name]);
  for (const name of hostNames) delete g[name];
  // console too: its output would go nowhere; policies log through `log` from trueup:policy.
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'console']) delete g[name];

  // Captured now: a policy may shadow globals, never these.
  const { parse, stringify } = JSON;
  const { keys, getPrototypeOf, defineProperty, freeze, getOwnPropertyNames, getOwnPropertyDescriptors } =
    Object;
  const { isArray } = Array;
  const { isFinite: isFiniteNumber } = Number;
  const objectPrototype = Object.prototype;
  const { ownKeys, getOwnPropertyDescriptor, deleteProperty, setPrototypeOf } = Reflect;
  const { isExtensible } = Object;
  const regExpPrototype = RegExp.prototype;
  const RealError = Error;
  const RealDate = Date;

  let now = 0;
  let seed = 0;
  // The record running: -1 between records, -2 while the policy's module (top-level code) loads.
  let index = -1;

  // Date.now() and `new Date()` give the run's fixed time, so a dry run and its real run agree.
  function FixedDate(...args) {
    if (!new.target) return new RealDate(now).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [now] : args, new.target);
  }
  FixedDate.prototype = RealDate.prototype;
  FixedDate.now = () => now;
  FixedDate.parse = RealDate.parse;
  FixedDate.UTC = RealDate.UTC;
  RealDate.prototype.constructor = FixedDate;
  g.Date = FixedDate;

  // mulberry32: small, fast, and the same sequence for the same seed.
  Math.random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const policies = new WeakSet();
  const definedAt = new WeakMap();
  function define(kind, fns) {
    const policy = freeze({ kind, fns: freeze(fns) });
    policies.add(policy);
    definedAt.set(policy, String(new RealError('defined here').stack));
    return policy;
  }
  const requireFunction = (helper, name, value) => {
    if (typeof value !== 'function') throw new TypeError(`${helper} expects ${name} to be a function`);
  };
  const single = (kind, helper) => (fn) => {
    requireFunction(helper, 'its argument', fn);
    return define(kind, { default: (ctx) => fn(ctx) });
  };
  const defineMatchingRule = (rule) => {
    if (rule === null || typeof rule !== 'object')
      throw new TypeError('defineMatchingRule expects an object');
    requireFunction('defineMatchingRule', 'accountKeys', rule.accountKeys);
    requireFunction('defineMatchingRule', 'idmKeys', rule.idmKeys);
    const fns = {
      accountKeys: (account) => rule.accountKeys(account),
      idmKeys: (idmObject) => rule.idmKeys(idmObject),
    };
    if (rule.score !== undefined) {
      requireFunction('defineMatchingRule', 'score', rule.score);
      fns.score = (input) => rule.score(input.account, input.candidate);
    }
    return define('matchingRule', fns);
  };
  // Log lines wait in here until the call ends: a host callback costs about 3 µs a crossing, more
  // than a whole record. The first `logLimit` lines per call are kept, each cut at 2,000
  // characters, the rest counted; the host checks what it takes with zod (host-functions.ts).
  const logLimit = 100;
  let logLines = [];
  let logsDropped = 0;
  // Each kept line carries the stack where it was written: the host maps it to the policy's file:line.
  const logAt = (level) => (message) => {
    if (typeof message !== 'string') throw new TypeError('log functions expect a string message');
    if (logLines.length >= logLimit) {
      logsDropped++;
      return;
    }
    const line = {
      level,
      message: message.slice(0, 2000),
      stack: String(new RealError('log').stack).slice(0, 4000),
    };
    if (index >= 0) line.index = index;
    logLines.push(line);
  };
  function takeLogs() {
    const taken = stringify({ lines: logLines, dropped: logsDropped });
    logLines = [];
    logsDropped = 0;
    return taken;
  }
  const sdk = freeze({
    defineTargetQuery: single('targetQuery', 'defineTargetQuery'),
    defineIdmQuery: single('idmQuery', 'defineIdmQuery'),
    defineMatchingRule,
    definePopulation: single('population', 'definePopulation'),
    defineOutboundMapping: single('outboundMapping', 'defineOutboundMapping'),
    definePreProcessor: single('preProcessor', 'definePreProcessor'),
    definePostProcessor: single('postProcessor', 'definePostProcessor'),
    defineSituationCommand: single('situationCommand', 'defineSituationCommand'),
    defineCustomProcessor: single('customProcessor', 'defineCustomProcessor'),
    ldapEscape: (value) => hostLdapEscape(value),
    ldapEscapeDn: (value) => hostLdapEscapeDn(value),
    sha256: (text) => hostSha256(text),
    log: freeze({ debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') }),
  });

  // Results must be JSON data. Copying them into fresh null-prototype objects checks that, runs
  // each getter once, and leaves no `toJSON` or prototype for JSON.stringify to trip over.
  const recordLimit = 1 << 20;
  const batchLimit = 32 << 20;
  class ShapeProblem {
    constructor(message) {
      this.message = message;
      this.where = '';
    }
  }
  const typeName = (value) => {
    const proto = getPrototypeOf(value);
    const name = proto?.constructor?.name;
    return typeof name === 'string' && name ? name : 'non-plain';
  };
  function toPlain(value, depth, meter) {
    switch (typeof value) {
      case 'string':
        meter.size += value.length + 2;
        if (meter.size > meter.limit)
          throw new ShapeProblem(`the output is larger than ${meter.limit >> 20} MB`);
        return value;
      case 'number':
        if (!isFiniteNumber(value)) throw new ShapeProblem(`${value} is not a JSON number`);
        meter.size += 8;
        return value;
      case 'boolean':
        meter.size += 5;
        return value;
      case 'object': {
        if (value === null) return null;
        if (depth > 64) throw new ShapeProblem('nested more than 64 levels deep (is it cyclic?)');
        meter.size += 2;
        if (isArray(value)) {
          const out = new Array(value.length);
          for (let i = 0; i < value.length; i++) out[i] = within(i, value[i], depth, meter);
          return out;
        }
        const proto = getPrototypeOf(value);
        if (proto !== objectPrototype && proto !== null) {
          if (typeof value.then === 'function')
            throw new ShapeProblem('a Promise is not a result: policies are synchronous, do not use async');
          throw new ShapeProblem(
            `a ${typeName(value)} object is not JSON data; return plain objects and arrays`,
          );
        }
        const out = {};
        const own = keys(value);
        for (let i = 0; i < own.length; i++) {
          const key = own[i];
          if (key === '__proto__') throw new ShapeProblem('a key named __proto__ is not allowed');
          const item = value[key];
          if (item === undefined) continue;
          const copy = within(key, item, depth, meter);
          if (key in objectPrototype)
            defineProperty(out, key, { value: copy, writable: true, enumerable: true, configurable: true });
          else out[key] = copy;
        }
        return out;
      }
      case 'undefined':
        throw new ShapeProblem('undefined is not a result (did the function forget to return?)');
      default:
        throw new ShapeProblem(`a ${typeof value} is not JSON data`);
    }
  }
  function within(step, value, depth, meter) {
    try {
      return toPlain(value, depth + 1, meter);
    } catch (problem) {
      if (problem instanceof ShapeProblem)
        problem.where = (typeof step === 'number' ? `[${step}]` : `.${step}`) + problem.where;
      throw problem;
    }
  }

  function describeError(error) {
    try {
      if (error instanceof RealError) {
        return { name: String(error.name), message: String(error.message), stack: String(error.stack) };
      }
      const shown = typeof error === 'string' ? error : stringify(error);
      return {
        name: 'Error',
        message: `a non-Error value was thrown: ${String(shown).slice(0, 500)}`,
        stack: '',
      };
    } catch {
      return { name: 'Error', message: 'a value was thrown whose details cannot be read', stack: '' };
    }
  }

  // RegExp.prototype is the one intrinsic left unfrozen: V8 runs split, replace, match and friends
  // on its fast paths only while RegExp.prototype keeps its original map, and freezing gives it a
  // new one (split(/\s+/) took 4 µs instead of 0.3). It is guarded instead: a snapshot of its own
  // properties, compared before and after every batch and after loading. A policy that changed it
  // gets no result from that batch and its isolate is thrown away (isolates.ts), so the change can
  // reach neither this file (whose one RegExp runs right after a check) nor a later batch or run.
  const snapshotOf = (target) => {
    const keyList = ownKeys(target);
    const entries = [];
    for (let i = 0; i < keyList.length; i++)
      entries.push([keyList[i], getOwnPropertyDescriptor(target, keyList[i])]);
    return entries;
  };
  const regExpParent = getPrototypeOf(regExpPrototype);
  const regExpSnapshot = snapshotOf(regExpPrototype);
  let regExpChanged = false;
  function checkRegExpPrototype() {
    if (!regExpChanged) {
      const current = ownKeys(regExpPrototype);
      regExpChanged =
        current.length !== regExpSnapshot.length ||
        getPrototypeOf(regExpPrototype) !== regExpParent ||
        !isExtensible(regExpPrototype);
      for (let i = 0; i < regExpSnapshot.length && !regExpChanged; i++) {
        const [key, was] = regExpSnapshot[i];
        const is = getOwnPropertyDescriptor(regExpPrototype, key);
        regExpChanged =
          is === undefined ||
          is.value !== was.value ||
          is.get !== was.get ||
          is.set !== was.set ||
          is.writable !== was.writable ||
          is.enumerable !== was.enumerable ||
          is.configurable !== was.configurable;
      }
    }
    // isolates.ts recognises this message and throws the isolate away.
    if (regExpChanged)
      throw new RealError(
        'the policy changed RegExp.prototype; built-in prototypes are read-only in a policy',
      );
  }

  // The policy's bundle as a function that evaluates it afresh (isolates.ts wraps it), and the
  // kind its first evaluation defined: every later evaluation must define the same.
  let moduleFactory = null;
  let adoptedKind = null;
  function install(factory) {
    if (moduleFactory !== null || typeof factory !== 'function') throw new TypeError('install runs once');
    moduleFactory = factory;
  }
  // A fresh evaluation of the policy's module: its top-level code runs again, with the batch's clock.
  function freshPolicy() {
    index = -2;
    const candidate = moduleFactory()?.default;
    if (!policies.has(candidate) || (adoptedKind !== null && candidate.kind !== adoptedKind)) {
      throw new TypeError(
        'the default export is not a policy: make it with a define… helper from "trueup:policy"',
      );
    }
    index = -1;
    return candidate;
  }
  // Called once after the bundle was installed: checks the default export, reports what it defines.
  function adopt(runNow) {
    now = runNow;
    const policy = freshPolicy();
    adoptedKind = policy.kind;
    forgetGlobals();
    checkRegExpPrototype();
    return stringify({ kind: policy.kind, functions: keys(policy.fns), definedAt: definedAt.get(policy) });
  }

  // What the global object holds once this file has run; anything a policy adds is removed after
  // each batch. A global it made undeletable, or a changed prototype or extensibility that cannot be
  // put back, ends the context (isolates.ts recognises the message and starts afresh).
  let baseGlobals = null;
  let globalParent = null;
  function forgetGlobals() {
    const current = ownKeys(g);
    let stuck = !isExtensible(g);
    for (let i = 0; i < current.length; i++) {
      const key = current[i];
      if (!baseGlobals.has(key) && !deleteProperty(g, key)) stuck = true;
    }
    if (getPrototypeOf(g) !== globalParent && !setPrototypeOf(g, globalParent)) stuck = true;
    if (stuck) throw new RealError('the policy left state on globalThis that cannot be removed');
  }

  // A fresh deep copy of JSON data: every record gets its own copy of the shared fields, so what
  // one record's policy call does to them no later record sees. Spread copies own keys as data
  // (a "__proto__" key included) and is several times cheaper than parsing the text again.
  function copyJson(value) {
    const out = isArray(value) ? [...value] : { ...value };
    for (const key in out) {
      const item = out[key];
      if (typeof item === 'object' && item !== null) out[key] = copyJson(item);
    }
    return out;
  }
  function addShared(input, shared, sharedKeys) {
    for (let k = 0; k < sharedKeys.length; k++) {
      const key = sharedKeys[k];
      const item = shared[key];
      const copy = typeof item === 'object' && item !== null ? copyJson(item) : item;
      if (key in objectPrototype)
        defineProperty(input, key, { value: copy, writable: true, enumerable: true, configurable: true });
      else input[key] = copy;
    }
  }

  // One call per batch: inputs arrive as one JSON string and results leave as one. `sharedJson`
  // (or null) is an object whose fields every input gets, sent once instead of once per record.
  // Each result is { v: value }, { e: thrown error } or { s: shape problem }.
  function runBatch(fnName, inputsJson, sharedJson, runNow, runSeed) {
    // What a batch cut short by its timeout left behind goes first.
    forgetGlobals();
    checkRegExpPrototype();
    now = runNow;
    seed = runSeed | 0;
    logLines = [];
    logsDropped = 0;
    // Legacy RegExp statics (RegExp.lastMatch, $1…) would otherwise show the last batch's match;
    // the prototype was just checked, so this literal runs the original exec.
    lastMatchReset.exec('');
    const results = runRecords(freshPolicy().fns[fnName], inputsJson, sharedJson);
    forgetGlobals();
    return results;
  }
  const lastMatchReset = /(?:)/;
  function runRecords(fn, inputsJson, sharedJson) {
    const inputs = parse(inputsJson);
    const shared = sharedJson === null ? null : parse(sharedJson);
    const sharedKeys = shared === null ? [] : keys(shared);
    const results = new Array(inputs.length);
    const batchMeter = { size: 0, limit: batchLimit };
    for (let i = 0; i < inputs.length; i++) {
      index = i;
      const input = inputs[i];
      addShared(input, shared, sharedKeys);
      let value;
      try {
        value = fn(input);
      } catch (error) {
        results[i] = { e: describeError(error) };
        continue;
      }
      try {
        const meter = { size: 0, limit: recordLimit };
        results[i] = { v: toPlain(value, 0, meter) };
        batchMeter.size += meter.size;
        if (batchMeter.size > batchMeter.limit)
          throw new ShapeProblem('the batch output is larger than 32 MB');
      } catch (problem) {
        if (!(problem instanceof ShapeProblem)) throw problem;
        results[i] = { s: `${problem.where ? `at result${problem.where}: ` : ''}${problem.message}` };
      }
    }
    index = -1;
    checkRegExpPrototype();
    return stringify(results);
  }
  const running = () => index;

  // Frozen prototypes make `this.name = …` in an Error subclass throw (the "override mistake");
  // these accessors let an instance take its own copy instead.
  const errorPrototypes = [
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    AggregateError,
  ].map((type) => type.prototype);
  const overridable = [
    ...errorPrototypes.map((proto) => [proto, ['name', 'message', 'toString', 'constructor']]),
    [objectPrototype, ['toString', 'valueOf', 'toLocaleString', 'constructor']],
  ];
  for (const [proto, names] of overridable) {
    for (const name of names) {
      if (!Object.hasOwn(proto, name)) continue;
      const value = proto[name];
      Object.defineProperty(proto, name, {
        get: () => value,
        set(replacement) {
          if (this === proto) throw new TypeError(`${name} of a built-in prototype cannot be changed`);
          Object.defineProperty(this, name, {
            value: replacement,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        },
        enumerable: false,
        configurable: false,
      });
    }
  }

  // Deep-freezes what the global object held before any policy code ran, plus the intrinsics that
  // no global names, and makes those globals read-only.
  const seen = new WeakSet([regExpPrototype]);
  function deepFreeze(value) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value))
      return;
    seen.add(value);
    freeze(value);
    deepFreeze(getPrototypeOf(value));
    for (const descriptor of Object.values(getOwnPropertyDescriptors(value))) {
      deepFreeze(descriptor.value);
      deepFreeze(descriptor.get);
      deepFreeze(descriptor.set);
    }
  }
  const hidden = [
    [][Symbol.iterator](),
    new Map().entries(),
    new Set().values(),
    ''[Symbol.iterator](),
    /x/[Symbol.matchAll](''),
    function* generator() {},
    async () => {},
    async function* asyncGenerator() {},
  ];
  for (const name of getOwnPropertyNames(g)) {
    if (name !== 'globalThis') deepFreeze(g[name]);
    Object.defineProperty(g, name, { writable: false, configurable: false });
  }
  for (const value of hidden) deepFreeze(value);
  // Its functions and accessors are frozen like every other intrinsic; only the object is not.
  for (const [, descriptor] of regExpSnapshot) {
    deepFreeze(descriptor.value);
    deepFreeze(descriptor.get);
    deepFreeze(descriptor.set);
  }
  Object.defineProperty(g, '__trueupSdk', { value: sdk, enumerable: false });
  baseGlobals = new Set(ownKeys(g));
  globalParent = getPrototypeOf(g);
  // The worker takes these references, then deletes the globals before the policy runs.
  g.__trueupInstall = install;
  g.__trueupAdopt = adopt;
  g.__trueupRunBatch = runBatch;
  g.__trueupRunning = running;
  g.__trueupTakeLogs = takeLogs;
})();
