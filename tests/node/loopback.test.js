'use strict';
// System-audio loopback, the acceptance test: a null sink ("music") plays a
// 1 kHz tone (pacat), and its monitor, captured through localmediastream,
// measures 1 kHz.
//
// tests/support/pulse-loopback starts a private PulseAudio with that sink and
// tone around loopback_probe.js, which reports as JSON what the library sees
// with only the cpal backend configured (native PulseAudio host). The probe
// is a process of its own: the server's address must be in the environment
// before the library first looks for audio devices. Missing pulseaudio /
// pulseaudio-utils fail the test (scripts/setup installs them): never skipped.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const WRAPPER = path.resolve(__dirname, '../support/pulse-loopback');
const PROBE = path.join(__dirname, 'loopback_probe.js');
const MONITOR = 'cpal:music.monitor';
const OUTPUT = 'cpal:music';
const TONE_HZ = 1000;

let report;

test.before(async () => {
  const { stdout, stderr, code } = await new Promise((resolve) => {
    execFile(WRAPPER, [process.execPath, PROBE], { timeout: 180_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? (error.code ?? error.signal) : 0 }),
    );
  });
  assert.equal(code, 0, `pulse-loopback loopback_probe.js failed (${code})\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  report = JSON.parse(stdout.trim().split('\n').at(-1));
});

test('the wrapper points the library at its own sound server', () => {
  assert.match(report.env.PULSE_SERVER, /^unix:.*\/native$/);
  assert.equal(report.env.LMS_AUDIO_HOST, 'pulseaudio');
});

test('enumerateDevices(): the monitor is an InputDeviceInfo, the sink a MediaDeviceInfo (not an input)', () => {
  const listed = report.devices.map((d) => [d.kind, d.deviceId, d.label]);
  const monitor = report.devices.find((d) => d.deviceId === MONITOR);
  const output = report.devices.find((d) => d.deviceId === OUTPUT);
  assert.ok(monitor, JSON.stringify(listed));
  assert.ok(output, JSON.stringify(listed));
  assert.deepEqual([monitor.kind, monitor.label], ['audioinput', 'Monitor of Music']);
  assert.deepEqual([monitor.class, monitor.isInputDeviceInfo, monitor.isMediaDeviceInfo], ['InputDeviceInfo', true, true]);
  assert.ok(monitor.hasGetCapabilities);
  assert.deepEqual([output.kind, output.label], ['audiooutput', 'Music']);
  assert.deepEqual([output.class, output.isInputDeviceInfo, output.isMediaDeviceInfo], ['MediaDeviceInfo', false, true]);
  assert.equal(output.hasGetCapabilities, false, 'an output has no getCapabilities()');
  // Only the sound server's devices (cpal alone is configured): the inputs, then the outputs.
  const kinds = report.devices.map((d) => d.kind);
  assert.ok(kinds.every((k) => k === 'audioinput' || k === 'audiooutput'), JSON.stringify(listed));
  assert.deepEqual(kinds, [...kinds].sort((a, b) => (a === 'audiooutput') - (b === 'audiooutput')));
  assert.ok(report.sameListAgain);
  assert.equal(report.monitorCapabilities.deviceId, MONITOR);
});

test('getUserMedia() with the monitor: readFrame() and AudioData hear the tone at 1 kHz', () => {
  const { capture } = report;
  assert.equal(capture.label, 'Monitor of Music');
  assert.equal(capture.settings.deviceId, MONITOR);
  assert.equal(capture.readyState, 'live');
  assert.equal(capture.readyStateAfterStop, 'ended');
  for (const [how, read] of [['readFrame()', capture.readFrame], ['AudioData', capture.audioData]]) {
    console.log(
      `music.monitor by ${how}: median chunk ${read.medianHz.toFixed(3)} Hz, ` +
        `${read.nearTone} of ${read.chunkHz.length} chunks within 1 Hz, as a whole ${read.hz.toFixed(3)} Hz`,
    );
    assert.deepEqual(read.rates, [capture.settings.sampleRate], how);
    assert.ok(read.peak > 0.4 && read.peak < 0.6, `${how}: pacat plays at half scale: peak ${read.peak}`);
    // Each chunk measured alone: a glitch of a loaded machine spoils one chunk, not the test.
    assert.ok(Math.abs(read.medianHz - TONE_HZ) < 1, `${how}: ${read.chunkHz}`);
    assert.ok(read.nearTone >= 0.9 * read.chunkHz.length, `${how}: ${read.chunkHz}`);
  }
  assert.deepEqual(capture.readFrame.sampleTypes, [capture.settings.sampleFormat === 's16' ? 'Int16Array' : 'Float32Array']);
  assert.ok(capture.readFrame.longestRunChunks >= 50, JSON.stringify(capture.readFrame.sequences));
  assert.deepEqual(capture.audioData.classes, ['AudioData']);
  assert.equal(capture.audioData.chunks, 50);
});

test('getUserMedia() with the output itself rejects with OverconstrainedError (deviceId)', () => {
  const e = report.openOutput;
  assert.ok(e.rejected, 'an output cannot be captured');
  assert.deepEqual([e.class, e.name, e.constraint], ['OverconstrainedError', 'OverconstrainedError', 'deviceId']);
  assert.ok(e.isOverconstrained && e.isDOMException, JSON.stringify(e));
});
