'use strict';
// localmediastream from Node, for benches/peers/run.py (one JSON line).
//
//   node ours.js a1 CHUNKS     fake microphone, 48 kHz stereo f32, 10 ms chunks, unpaced
//   node ours.js l1 SECONDS    live fake 1920x1080 I420 at 30 fps: capture -> consumer latency, CPU
//   node ours.js m1 FRAMES     unpaced fake 1080p: 1 s warm-up, then FRAMES frames; RSS
//
// V1 (the unpaced fake camera) is benches/node/read_fake.js. Frames are read
// with `for await` and closed after use; the consumer reads one byte of each
// plane, or one sample of each audio chunk.

const fs = require('node:fs');
const path = require('node:path');
const lms = require(path.resolve(__dirname, '../../../bindings/node'));

const VIDEO_1080P = { width: { exact: 1920 }, height: { exact: 1080 }, pixelFormat: { exact: 'I420' } };
const nowUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, as frame.timestamp

function statusKb(key) {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(key + ':'));
  return line ? Number(line.split(/\s+/)[1]) : -1;
}

async function a1(chunks) {
  lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 0, audio: 1 } });
  const stream = await lms.mediaDevices.getUserMedia({
    audio: { sampleRate: { exact: 48000 }, channelCount: { exact: 2 }, sampleFormat: { exact: 'f32' } },
  });
  const [track] = stream.getAudioTracks();
  let n = 0;
  let total = 0;
  let started = 0;
  let size = 0;
  for await (const frame of track.frames({ timeout: 5000 })) {
    total += frame.samples[0];
    size = frame.sampleCount;
    frame.close();
    n++;
    if (n === 100) started = performance.now();
    if (n === 100 + chunks) break;
  }
  const seconds = (performance.now() - started) / 1000;
  stream.stop();
  return { chunks, samples_per_chunk: size, seconds, fps: chunks / seconds, checksum: Math.round(total * 1000) / 1000 };
}

async function l1(seconds) {
  lms.configure({ backends: ['fake'], fake: { video: 1, audio: 0 } });
  const stream = await lms.mediaDevices.getUserMedia({ video: { ...VIDEO_1080P, frameRate: { exact: 30 } } });
  const [track] = stream.getVideoTracks();
  const latencies = [];
  let checksum = 0;
  let wall0 = 0;
  let cpu0 = null;
  for await (const frame of track.frames({ timeout: 5000 })) {
    const now = nowUs();
    if (cpu0 === null) {
      wall0 = now; // the first frame starts the clock
      cpu0 = process.cpuUsage();
    } else {
      latencies.push(now - frame.timestamp);
    }
    for (const plane of frame.planes) checksum += plane[0];
    frame.close();
    if (nowUs() - wall0 >= seconds * 1e6) break;
  }
  const wall = (nowUs() - wall0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const dropped = track.getStats().framesDropped;
  stream.stop();
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return {
    frames: n, seconds: wall, p50_ms: latencies[n >> 1] / 1e3, p99_ms: latencies[Math.floor((n * 99) / 100)] / 1e3,
    max_ms: latencies[n - 1] / 1e3, cpu_s: cpuS, cpu_pct: (100 * cpuS) / wall, dropped, checksum: checksum % 1000,
  };
}

async function m1(frames) {
  lms.configure({ backends: ['fake'], fake: { pacing: 'none', video: 1, audio: 0 } });
  const rssBefore = statusKb('VmRSS');
  const stream = await lms.mediaDevices.getUserMedia({ video: VIDEO_1080P });
  const [track] = stream.getVideoTracks();
  let checksum = 0;
  let warm = 0;
  let i = 0;
  let rssStart = 0;
  let rssEnd = 0;
  let rssMax = 0;
  let heapStart = 0;
  let heapMax = 0;
  const start = performance.now();
  for await (const frame of track.frames({ timeout: 5000 })) {
    for (const plane of frame.planes) checksum += plane[0];
    frame.close();
    if (rssStart === 0) {
      warm++;
      if (performance.now() - start >= 1000) {
        rssStart = rssEnd = rssMax = statusKb('VmRSS'); // after the first second
        heapStart = heapMax = process.memoryUsage().heapUsed;
      }
      continue;
    }
    i++;
    if (i % 1000 === 0) {
      rssEnd = statusKb('VmRSS');
      rssMax = Math.max(rssMax, rssEnd);
      heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    }
    if (i === frames) break;
  }
  const peak = statusKb('VmHWM');
  const heapGrowth = Math.round((heapMax - heapStart) / 1024); // how far V8's heap use climbed before a GC
  stream.stop();
  return {
    warmup_frames: warm, frames, rss_before_open_kb: rssBefore, rss_after_1s_kb: rssStart, rss_end_kb: rssEnd,
    growth_kb: rssEnd - rssStart, max_growth_kb: rssMax - rssStart, peak_kb: peak, heap_used_climb_kb: heapGrowth,
    checksum: checksum % 1000,
  };
}

(async () => {
  const [mode, arg] = process.argv.slice(2);
  const run = { a1, l1, m1 }[mode];
  if (!run) {
    console.error('usage: node ours.js a1 CHUNKS | l1 SECONDS | m1 FRAMES');
    process.exit(2);
  }
  console.log(JSON.stringify(await run(Number(arg))));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
