'use strict';
// What localmediastream sees of tests/support/pulse-loopback's sound server,
// as one JSON document on stdout: loopback.test.js runs this script under the
// wrapper (a process of its own: the server's address must be in the
// environment before the library first looks for audio devices) and checks
// the document.
//
// Reports the devices listed (class, kind, id, label), the capture of the
// "music" sink's monitor read two ways (track.readFrame() chunks, and
// AudioData from a MediaStreamTrackProcessor copied out as f32) with the
// frequency each measures, and what opening the output itself rejects with.

const path = require('node:path');

const lms = require(path.resolve(__dirname, '../../bindings/node'));

const MONITOR = 'cpal:music.monitor';
const OUTPUT = 'cpal:music';
const RAW = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
const CHUNKS = 100; // 10 ms each by default: 1 s of the tone
const TONE_HZ = 1000;

/**
 * The frequency of a tone: the mean period between its first and last rising
 * zero crossings, each placed between two samples by linear interpolation.
 */
function estimateFrequency(samples, sampleRate) {
  let first = -1;
  let last = 0;
  let crossings = 0;
  for (let i = 0; i + 1 < samples.length; i++) {
    const a = samples[i];
    const b = samples[i + 1];
    if (a < 0 && b >= 0) {
      const at = i + a / (a - b);
      if (first < 0) first = at;
      last = at;
      crossings++;
    }
  }
  return crossings >= 2 && last > first ? ((crossings - 1) * sampleRate) / (last - first) : 0;
}

/** Channel 0 of interleaved samples (Int16Array scaled to [-1, 1], or Float32Array). */
function channel0(samples, channels) {
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  const out = new Float64Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels] * scale;
  return out;
}

function concat(chunks) {
  const out = new Float64Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Each chunk's own frequency (10 ms: 10 periods of the tone): median and how many are within 1 Hz. */
function perChunk(chunks, sampleRate) {
  const hz = chunks.map((c) => estimateFrequency(c, sampleRate));
  return { chunkHz: hz, medianHz: median(hz), nearTone: hz.filter((f) => Math.abs(f - TONE_HZ) < 1).length };
}

function peak(samples) {
  return samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** Chunks from track.readFrame(): the longest run with consecutive sequence numbers. */
async function readFrames(track) {
  const runs = [[]];
  const all = [];
  const sequences = [];
  const formats = new Set();
  const rates = new Set();
  const sizes = new Set();
  const sampleTypes = new Set();
  for (let i = 0; i < CHUNKS; i++) {
    const frame = await track.readFrame({ timeout: 30_000 });
    formats.add(frame.format);
    rates.add(frame.sampleRate);
    sizes.add(frame.sampleCount);
    sampleTypes.add(frame.samples.constructor.name);
    if (sequences.length > 0 && frame.sequence !== sequences.at(-1) + 1) runs.push([]);
    const samples = channel0(frame.samples, frame.channels);
    runs.at(-1).push(samples);
    all.push(samples);
    sequences.push(frame.sequence);
    frame.close();
  }
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
  const samples = concat(longest);
  const rate = [...rates][0];
  return {
    formats: [...formats],
    rates: [...rates],
    chunkSizes: [...sizes],
    sampleTypes: [...sampleTypes],
    sequences,
    longestRunChunks: longest.length,
    samples: samples.length,
    peak: peak(samples),
    ...perChunk(all, rate),
    // The longest unbroken run as a whole.
    hz: estimateFrequency(samples, rate),
  };
}

/** AudioData from a MediaStreamTrackProcessor, copied out as f32 (channel 0 of plane 0). */
async function readAudioData(track) {
  const reader = new lms.MediaStreamTrackProcessor({ track, maxBufferSize: CHUNKS }).readable.getReader();
  const chunks = [];
  const classes = new Set();
  const rates = new Set();
  const timestamps = [];
  let durationUs = 0;
  for (let i = 0; i < CHUNKS / 2; i++) {
    const { value: data, done } = await reader.read();
    if (done) break;
    classes.add(data.constructor.name);
    rates.add(data.sampleRate);
    timestamps.push(data.timestamp);
    durationUs = data.duration;
    const out = new Float32Array(data.allocationSize({ planeIndex: 0, format: 'f32' }) / 4);
    data.copyTo(out, { planeIndex: 0, format: 'f32' });
    chunks.push(channel0(out, data.numberOfChannels));
    data.close();
  }
  await reader.cancel();
  const samples = concat(chunks);
  // Consecutive chunks: each starts one chunk's duration after the previous (1 ms slack).
  const gaps = timestamps.slice(1).filter((t, i) => Math.abs(t - timestamps[i] - durationUs) > 1000).length;
  return {
    classes: [...classes],
    rates: [...rates],
    chunks: chunks.length,
    gaps,
    samples: samples.length,
    peak: peak(samples),
    ...perChunk(chunks, [...rates][0]),
    // Every chunk read, as a whole.
    hz: estimateFrequency(samples, [...rates][0]),
  };
}

async function errorOf(promise) {
  try {
    await promise;
    return { rejected: false };
  } catch (e) {
    return {
      rejected: true,
      class: e?.constructor?.name,
      name: e?.name,
      constraint: e?.constraint,
      isOverconstrained: e instanceof lms.OverconstrainedError,
      isDOMException: e instanceof DOMException,
      message: String(e?.message ?? e),
    };
  }
}

async function main() {
  const report = {
    env: {
      PULSE_SERVER: process.env.PULSE_SERVER ?? null,
      LMS_AUDIO_HOST: process.env.LMS_AUDIO_HOST ?? null,
    },
  };
  lms.configure({ backends: ['cpal'] });
  const devices = await lms.mediaDevices.enumerateDevices();
  report.devices = devices.map((d) => ({
    class: d.constructor.name,
    isMediaDeviceInfo: d instanceof lms.MediaDeviceInfo,
    isInputDeviceInfo: d instanceof lms.InputDeviceInfo,
    hasGetCapabilities: typeof d.getCapabilities === 'function',
    ...d.toJSON(),
  }));
  const again = await lms.mediaDevices.enumerateDevices();
  report.sameListAgain = JSON.stringify(again) === JSON.stringify(devices);
  const monitor = devices.find((d) => d.deviceId === MONITOR);
  if (monitor instanceof lms.InputDeviceInfo) report.monitorCapabilities = monitor.getCapabilities();

  const stream = await lms.mediaDevices.getUserMedia({ audio: { deviceId: { exact: MONITOR }, ...RAW } });
  const [track] = stream.getAudioTracks();
  report.capture = { label: track.label, settings: track.getSettings() };
  report.capture.readFrame = await readFrames(track);
  report.capture.audioData = await readAudioData(track);
  report.capture.readyState = track.readyState;
  stream.getTracks().forEach((t) => t.stop());
  report.capture.readyStateAfterStop = track.readyState;

  report.openOutput = await errorOf(
    lms.mediaDevices.getUserMedia({ audio: { deviceId: { exact: OUTPUT } } }),
  );
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
