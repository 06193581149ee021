// Types of localmediastream/wrtc (wrtc.js): our tracks sent through
// @roamhq/wrtc. Self-contained: they do not need @roamhq/wrtc's own types
// (which need the DOM library); a wrtc module passed in gives its own track type.

import type { MediaStreamTrack } from './index';

/** A picture for wrtc's `RTCVideoSource.onFrame()`: I420, tightly packed, `data`'s whole ArrayBuffer. */
export interface WrtcVideoFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 10 ms of interleaved 16-bit audio for wrtc's `RTCAudioSource.onData()`. */
export interface WrtcAudioData {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample?: number;
  channelCount?: number;
  numberOfFrames?: number;
}

/** What toWrtcTrack() uses of the wrtc module: `require('@roamhq/wrtc')` has it. */
export interface WrtcModule {
  readonly MediaStreamTrack: abstract new (...args: any[]) => object;
  readonly nonstandard: {
    readonly RTCVideoSource: new () => { createTrack(): object; onFrame(frame: WrtcVideoFrame): void };
    readonly RTCAudioSource: new () => { createTrack(): object; onData(data: WrtcAudioData): void };
  };
}

/** The wrtc `MediaStreamTrack` toWrtcTrack() returns (the members this package relies on). */
export interface WrtcMediaStreamTrack {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly readyState: 'live' | 'ended';
  enabled: boolean;
  /** Ends this track and stops the localmediastream track it carries. */
  stop(): void;
  clone(): WrtcMediaStreamTrack;
  /** `ended` fires when the localmediastream track ends (stopped, or its device gone). */
  onended: ((event: Event) => void) | null;
  addEventListener(type: 'ended', listener: (event: Event) => void): void;
  removeEventListener(type: 'ended', listener: (event: Event) => void): void;
}

/**
 * The track type of a wrtc module: what its `RTCVideoSource#createTrack()`
 * returns when its types say more than `object`, else WrtcMediaStreamTrack.
 */
export type WrtcTrackOf<W> = W extends {
  readonly nonstandard: { readonly RTCVideoSource: abstract new (...args: any[]) => { createTrack(): infer T } };
}
  ? object extends T
    ? WrtcMediaStreamTrack
    : T
  : WrtcMediaStreamTrack;

/**
 * A wrtc `MediaStreamTrack` that carries `track`'s frames: video as I420
 * through wrtc's `nonstandard.RTCVideoSource` (the track is switched to
 * `pixelFormat: 'I420'` when it is not), audio as 16-bit 10 ms chunks
 * through `nonstandard.RTCAudioSource`. It reads `track` (read a clone for
 * yourself); a second call for a track still sent gives the same wrtc track.
 * Stopping the returned track stops `track`; `track` ending (stop() or its
 * device) ends the returned track, which fires `ended`.
 *
 * Throws a TypeError for anything but a localmediastream MediaStreamTrack, a
 * video track that cannot give I420, or a `wrtc` that is not a wrtc module;
 * an InvalidStateError DOMException for an ended track. Without `wrtc` it
 * loads `@roamhq/wrtc` (an optional peer dependency).
 */
export declare function toWrtcTrack(track: MediaStreamTrack): WrtcMediaStreamTrack;
export declare function toWrtcTrack<W extends WrtcModule>(track: MediaStreamTrack, wrtc: W): WrtcTrackOf<W>;
