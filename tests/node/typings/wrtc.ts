// Type-checked against bindings/node/wrtc.d.ts with `tsc --noEmit --strict`
// (tests/node/wrtc.test.js): our tracks sent through @roamhq/wrtc.
import { mediaDevices, type MediaStreamTrack } from '../../../bindings/node';
import {
  toWrtcTrack,
  type WrtcAudioData,
  type WrtcMediaStreamTrack,
  type WrtcModule,
  type WrtcTrackOf,
  type WrtcVideoFrame,
} from '../../../bindings/node/wrtc';

// A wrtc module's shape, as @roamhq/wrtc's own types give it (without the DOM library).
interface TheirTrack {
  readonly id: string;
  readonly kind: string;
  readonly readyState: 'live' | 'ended';
  stop(): void;
  theirs: true;
}
declare const wrtc: {
  MediaStreamTrack: { prototype: TheirTrack; new (): TheirTrack };
  RTCPeerConnection: new () => { addTrack(track: TheirTrack): unknown; close(): void };
  nonstandard: {
    RTCVideoSource: { prototype: object; new (init?: { isScreencast?: boolean }): { createTrack(): TheirTrack; onFrame(frame: WrtcVideoFrame): void } };
    RTCAudioSource: { prototype: object; new (): { createTrack(): TheirTrack; onData(data: WrtcAudioData): void } };
  };
};

export async function main(): Promise<void> {
  const stream = await mediaDevices.getUserMedia({ video: true, audio: true });
  const [camera] = stream.getVideoTracks();
  const [microphone]: MediaStreamTrack[] = stream.getAudioTracks();

  // With the caller's wrtc module: its own track type.
  const theirs: TheirTrack = toWrtcTrack(camera, wrtc);
  const flag: true = theirs.theirs;
  const pc = new wrtc.RTCPeerConnection();
  pc.addTrack(toWrtcTrack(microphone, wrtc));

  // Without: @roamhq/wrtc is loaded, and the track is typed by this package.
  const sent: WrtcMediaStreamTrack = toWrtcTrack(camera.clone());
  const kind: 'audio' | 'video' = sent.kind;
  const state: 'live' | 'ended' = sent.readyState;
  sent.enabled = false;
  sent.onended = (event: Event) => console.log(event.type);
  sent.addEventListener('ended', () => undefined);
  sent.stop();

  // A module typed only as a WrtcModule gives a WrtcMediaStreamTrack.
  const loose: WrtcModule = wrtc;
  const plain: WrtcMediaStreamTrack = toWrtcTrack(camera, loose);
  const same: WrtcTrackOf<typeof wrtc> = theirs;

  // @ts-expect-error: a track of this package only
  toWrtcTrack(theirs);
  // @ts-expect-error: the wrtc module needs nonstandard.RTCVideoSource and RTCAudioSource
  toWrtcTrack(camera, { MediaStreamTrack: Object, nonstandard: {} });
  // @ts-expect-error: wrtc takes a picture as {width, height, data: Uint8Array}
  const frame: WrtcVideoFrame = { width: 2, height: 2, data: new Int16Array(3) };

  console.log(flag, kind, state, plain, same, frame);
  pc.close();
  stream.stop();
}
