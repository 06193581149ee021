'use strict';
// A WebRTC call with itself: the fake camera and microphone of localmediastream
// sent through @roamhq/wrtc (two RTCPeerConnections in this process, ICE
// candidates handed over directly, no STUN), received and checked: the
// sequence numbers the fake camera paints into its pictures, read back from
// the decoded VP8 frames, and the frequency of the fake microphone's tone.
//
// Run from the repository root after `npm ci` in bindings/node (which
// installs @roamhq/wrtc, a development dependency) and a build of the addon:
//   node examples/webrtc/loopback.js [SECONDS]
// In a program of your own: require('localmediastream') and
// require('localmediastream/wrtc'), with @roamhq/wrtc installed beside them.

const path = require('node:path');
const packageDir = path.resolve(__dirname, '../../bindings/node');
const lms = require(packageDir);
const { toWrtcTrack } = require(path.join(packageDir, 'wrtc.js'));
const wrtc = require(require.resolve('@roamhq/wrtc', { paths: [packageDir] }));
const { RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

const SECONDS = Number(process.argv[2] ?? 3);

async function main() {
  lms.configure({ backends: ['fake'], fake: { pacing: 'realtime', toneHz: 440 } });
  const stream = await lms.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 30 },
    audio: { channelCount: 1 },
  });

  const caller = new wrtc.RTCPeerConnection();
  const callee = new wrtc.RTCPeerConnection();
  caller.onicecandidate = ({ candidate }) => candidate && callee.addIceCandidate(candidate);
  callee.onicecandidate = ({ candidate }) => candidate && caller.addIceCandidate(candidate);

  // Sending: each of our tracks becomes a wrtc track.
  for (const track of stream.getTracks()) caller.addTrack(toWrtcTrack(track, wrtc));

  // Receiving: sinks give the decoded frames (I420) and audio (16-bit).
  const sequences = [];
  const sizes = new Set();
  const audio = { rate: 0, crossings: 0, samples: 0, last: 0 };
  const sinks = [];
  callee.ontrack = ({ track }) => {
    if (track.kind === 'video') {
      const sink = new RTCVideoSink(track);
      sink.onframe = ({ frame: { width, height, data } }) => {
        const y = data.subarray(0, width * height);
        const u = data.subarray(width * height, (width * height * 5) / 4);
        const v = data.subarray((width * height * 5) / 4);
        sizes.add(`${width}x${height}`);
        sequences.push(lms.decodeSequence({ kind: 'video', format: 'I420', width, height, planes: [y, u, v] }));
      };
      sinks.push(sink);
    } else {
      const sink = new RTCAudioSink(track);
      sink.ondata = ({ samples, sampleRate, channelCount }) => {
        audio.rate = sampleRate;
        for (let i = 0; i < samples.length; i += channelCount) {
          const x = samples[i];
          if (audio.last < 0 && x >= 0) audio.crossings++; // upward zero crossings: one per period
          audio.last = x;
          audio.samples++;
        }
      };
      sinks.push(sink);
    }
  };

  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  await callee.setRemoteDescription(offer);
  const answer = await callee.createAnswer();
  await callee.setLocalDescription(answer);
  await caller.setRemoteDescription(answer);

  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  console.log(`connection: ${caller.connectionState}`);
  const decoded = sequences.filter((s) => s !== null);
  const missing = decoded.length > 0 ? decoded[decoded.length - 1] - decoded[0] + 1 - decoded.length : 0;
  console.log(`video: ${sequences.length} frames received (${[...sizes].join(', ')}), sequence numbers`);
  console.log(`       ${decoded.slice(0, 8).join(' ')} ... ${decoded.slice(-8).join(' ')}`);
  console.log(`       read back from ${decoded.length} of ${sequences.length} frames; ${missing} missing between the first and the last`);
  const seconds = audio.samples / audio.rate;
  console.log(`audio: ${seconds.toFixed(2)} s at ${audio.rate} Hz, tone ${(audio.crossings / seconds).toFixed(1)} Hz`);

  stream.stop(); // ends the wrtc tracks too
  for (const sink of sinks) sink.stop();
  caller.close();
  callee.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
