'use strict';
// CPU time per second of a 1280x720 30 fps fake camera sent through
// @roamhq/wrtc with toWrtcTrack(), against feeding wrtc's RTCVideoSource the
// same pictures from preallocated JavaScript buffers on a 30 fps timer (what
// a program without this library would do at best), each in a loopback call
// (two RTCPeerConnections in this process, VP8 at wrtc's default bitrate, an
// RTCVideoSink counting the decoded frames), in the same run, alternated.
// The whole process's process.cpuUsage() over the measured seconds: encoder,
// decoder and network are in both; the difference is the feeding (and, for
// ours, the fake camera drawing its pictures, which the baseline replays
// from memory). Also: ours without wrtc (the track read and its frames
// closed), and what a JavaScript copy of each picture would cost.
//
// Usage: node benches/node/wrtc_feed.js [SECONDS] [ROUNDS]   (defaults 5, 2)
// With the checkout's addon; for a release build without touching it:
//   (cd bindings/node && npx napi build --platform --release --output-dir ../../target/wrtc-bench)
//   NAPI_RS_NATIVE_LIBRARY_PATH=$PWD/target/wrtc-bench/localmediastream.linux-x64-gnu.node node benches/node/wrtc_feed.js
// Needs `npm ci` in bindings/node (@roamhq/wrtc is a development dependency).

const path = require('node:path');
const packageDir = path.resolve(__dirname, '../../bindings/node');
const lms = require(packageDir);
const { toWrtcTrack } = require(path.join(packageDir, 'wrtc.js'));
const wrtc = require(require.resolve('@roamhq/wrtc', { paths: [packageDir] }));

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 2);
const WARM_UP_MS = 2000;
const [W, H, FPS] = [1280, 720, 30];
const PICTURE = (W * H * 3) / 2;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function openCamera() {
  const stream = await lms.mediaDevices.getUserMedia({
    video: { width: { exact: W }, height: { exact: H }, frameRate: { exact: FPS }, pixelFormat: { exact: 'I420' } },
  });
  return stream.getVideoTracks()[0];
}

/** A loopback call sending `track`; counts what the far side decodes. */
async function call(track) {
  const caller = new wrtc.RTCPeerConnection();
  const callee = new wrtc.RTCPeerConnection();
  const state = { frames: 0, sizes: new Set(), sink: null };
  caller.onicecandidate = ({ candidate }) => candidate && callee.addIceCandidate(candidate).catch(() => {});
  callee.onicecandidate = ({ candidate }) => candidate && caller.addIceCandidate(candidate).catch(() => {});
  callee.ontrack = ({ track: received }) => {
    state.sink = new wrtc.nonstandard.RTCVideoSink(received);
    state.sink.onframe = ({ frame }) => {
      state.frames++;
      state.sizes.add(`${frame.width}x${frame.height}`);
    };
  };
  caller.addTrack(track);
  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  await callee.setRemoteDescription(offer);
  const answer = await callee.createAnswer();
  await callee.setLocalDescription(answer);
  await caller.setRemoteDescription(answer);
  state.close = () => {
    state.sink?.stop();
    caller.close();
    callee.close();
  };
  return state;
}

/** CPU ms per wall second over SECONDS after the warm-up, and the rates seen. */
async function measure(counter) {
  await sleep(WARM_UP_MS);
  const frames0 = counter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  return { cpu: (cpu.user + cpu.system) / 1000 / wall, fps: (counter() - frames0) / wall };
}

/** Ours: the fake camera's track through toWrtcTrack(). */
async function ours() {
  const camera = await openCamera();
  const c = await call(toWrtcTrack(camera, wrtc));
  const result = await measure(() => c.frames);
  camera.stop();
  c.close();
  return { ...result, sizes: [...c.sizes] };
}

/** The baseline: the same pictures from preallocated buffers, onFrame() on a 30 fps timer. */
async function baseline(pictures) {
  let source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const c = await call(track);
  let i = 0;
  let next = performance.now();
  let timer;
  const tick = () => {
    source.onFrame({ width: W, height: H, data: pictures[i++ % pictures.length] });
    next += 1000 / FPS;
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  tick();
  const result = await measure(() => c.frames);
  clearTimeout(timer);
  track.stop();
  c.close();
  source = null; // wrtc must not finalize a source at exit (see wrtc.js)
  return { ...result, sizes: [...c.sizes] };
}

/** Ours without wrtc: the camera read, each frame closed. */
async function cameraAlone() {
  const camera = await openCamera();
  let frames = 0;
  const loop = (async () => {
    for await (const frame of camera.frames()) {
      frames++;
      frame.close();
    }
  })();
  const result = await measure(() => frames);
  camera.stop();
  await loop;
  return result;
}

/** The fake camera's pictures, copied into JavaScript buffers (the baseline's input). */
async function recordPictures(count) {
  const camera = await openCamera();
  const pictures = [];
  for await (const frame of camera.frames()) {
    const data = new Uint8Array(PICTURE);
    let at = 0;
    for (const plane of frame.planes) {
      data.set(plane, at);
      at += plane.length;
    }
    frame.close();
    pictures.push(data);
    if (pictures.length === count) break;
  }
  camera.stop();
  return pictures;
}

function copyCost(pictures) {
  const out = new Uint8Array(PICTURE);
  const n = 300;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) out.set(pictures[i % pictures.length]);
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / n; // µs per picture
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  lms.configure({ backends: ['fake'], fake: { pacing: 'realtime' } });
  console.log(
    `wrtc_feed: ${W}x${H} ${FPS} fps through @roamhq/wrtc (VP8, loopback call), ` +
      `${SECONDS} s measured after ${WARM_UP_MS / 1000} s, ${ROUNDS} round(s); addon ${
        process.env.NAPI_RS_NATIVE_LIBRARY_PATH ?? 'of the checkout'
      }`,
  );
  const pictures = await recordPictures(FPS);
  const runs = { ours: [], baseline: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, run] of [
      ['ours', () => ours()],
      ['baseline', () => baseline(pictures)],
    ]) {
      const r = await run();
      runs[name].push(r);
      console.log(
        `  round ${round} ${name.padEnd(8)} ${r.cpu.toFixed(1).padStart(6)} ms CPU/s, ` +
          `${r.fps.toFixed(1)} frames/s decoded (${r.sizes.join(', ')})`,
      );
    }
  }
  const alone = await cameraAlone();
  const o = mean(runs.ours.map((r) => r.cpu));
  const b = mean(runs.baseline.map((r) => r.cpu));
  const copy = copyCost(pictures);
  console.log('');
  console.log('                                   CPU ms per second   decoded frames/s');
  console.log(`  toWrtcTrack(fake camera)          ${o.toFixed(1).padStart(10)}   ${mean(runs.ours.map((r) => r.fps)).toFixed(1).padStart(12)}`);
  console.log(`  JS buffers -> RTCVideoSource       ${b.toFixed(1).padStart(10)}   ${mean(runs.baseline.map((r) => r.fps)).toFixed(1).padStart(12)}`);
  console.log(`  ratio ours / baseline              ${(o / b).toFixed(2).padStart(9)}x   (goal <= 1.20x)`);
  console.log(`  the fake camera alone (read, closed, no wrtc): ${alone.cpu.toFixed(1)} ms CPU/s at ${alone.fps.toFixed(1)} frames/s`);
  console.log(
    `  a JavaScript copy of each picture would add ${copy.toFixed(0)} µs per frame, ` +
      `${((copy * FPS) / 1000).toFixed(1)} ms CPU/s (toWrtcTrack passes a view instead)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
