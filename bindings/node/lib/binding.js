'use strict';
// The native addon, found the way napi-rs packages are usually laid out:
//
//   1. the platform package npm installed beside this one, e.g.
//      `@localmediastream/linux-x64-gnu` (an optionalDependency of
//      `localmediastream`, so npm installs only the one for this machine);
//   2. else a local build in a checkout (`npm run build` puts
//      `localmediastream.<platform>.node` next to the generated `native.js`,
//      which loads it; `native.js` is not shipped in the npm package);
//   3. else an Error naming the platform, the package it looked for, and how
//      to build from source: never a bare "Cannot find module".
//
// Every other module requires this one instead of `native.js`.

const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_DIR = path.join(__dirname, '..');
const SCOPE = '@localmediastream';

/** True on a musl libc (Alpine), false on glibc; the same tests as napi's generated loader. */
function isMusl() {
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
    if (!report) return false;
    if (report.header?.glibcVersionRuntime) return false;
    return Array.isArray(report.sharedObjects) && report.sharedObjects.some((f) => f.includes('musl'));
  }
}

/** This machine in napi-rs's naming: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ... */
function platformId() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const libc = isMusl() ? 'musl' : 'gnu';
    return arch === 'arm' ? `linux-arm-${libc}eabihf` : `linux-${arch}-${libc}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** True when `error` says `specifier` itself is missing (not something it requires). */
function isMissing(error, specifier) {
  return error?.code === 'MODULE_NOT_FOUND' && String(error.message).includes(`'${specifier}'`);
}

function ownPackage() {
  try {
    return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));
  } catch {
    return {};
  }
}

function loadError(message, cause) {
  const error = new Error(message);
  error.code = 'ERR_LOCALMEDIASTREAM_NATIVE';
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** The platform package, or null when it is not installed; throws when it is there but does not load. */
function fromPlatformPackage(id, packageName) {
  let binding;
  try {
    binding = require(packageName);
  } catch (error) {
    if (isMissing(error, packageName)) return null;
    throw loadError(
      `localmediastream: the native addon for ${id} (${packageName}) is installed but does not load: ` +
        `${error.message}`,
      error,
    );
  }
  const expected = ownPackage().version;
  const found = require(`${packageName}/package.json`).version;
  if (expected !== undefined && found !== expected) {
    throw loadError(
      `localmediastream: version mismatch: localmediastream ${expected} needs ${packageName} ${expected}, ` +
        `found ${found}. Reinstall: npm install localmediastream@${expected}`,
    );
  }
  return binding;
}

/** A local build in a checkout (through napi's generated native.js), or null when there is none. */
function fromLocalBuild(id) {
  const loader = path.join(PACKAGE_DIR, 'native.js');
  const addon = path.join(PACKAGE_DIR, `localmediastream.${id}.node`);
  if (!fs.existsSync(loader) || (!fs.existsSync(addon) && !process.env.NAPI_RS_NATIVE_LIBRARY_PATH)) return null;
  try {
    return require(loader);
  } catch (error) {
    // napi's message for a failed load is generic; the first failure in its chain says why.
    let first = error;
    while (first.cause instanceof Error) first = first.cause;
    const file = process.env.NAPI_RS_NATIVE_LIBRARY_PATH || addon;
    throw loadError(`localmediastream: the local build ${file} does not load: ${first.message}`, error);
  }
}

function load() {
  const id = platformId();
  const packageName = `${SCOPE}/${id}`;
  const binding = fromPlatformPackage(id, packageName) ?? fromLocalBuild(id);
  if (binding) return binding;

  const checkout = fs.existsSync(path.join(PACKAGE_DIR, 'native.js'));
  const listed = Object.hasOwn(ownPackage().optionalDependencies ?? {}, packageName);
  const why = checkout
    ? `a checkout of the source does not install it`
    : listed
    ? `npm should have installed it as an optional dependency: install again without --omit=optional ` +
      `(or --no-optional), on this machine (a node_modules copied from another OS or CPU lacks it)`
    : `this copy of localmediastream has no prebuilt addon for ${id}`;
  const local = checkout
    ? `there is no local build (${path.join(PACKAGE_DIR, `localmediastream.${id}.node`)}: \`npm run build\` there makes it)`
    : `there is no local build (only a checkout of the source has one)`;
  throw loadError(
    `localmediastream: no native addon for this platform (${id}).\n` +
      `  - the platform package ${packageName} is not installed: ${why};\n` +
      `  - ${local}.\n` +
      `To build from source (Rust >= 1.91, a C compiler, and on Linux libasound2-dev): in a checkout of ` +
      `localmediastream, run scripts/setup, then \`npm ci && npm run build\` in bindings/node.`,
  );
}

module.exports = load();
