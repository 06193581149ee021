'use strict';
// MediaStream: a set of MediaStreamTrack objects. It holds the JS track
// objects themselves, so getTracks() and getTrackById() give the same objects
// every time.

const { randomUUID } = require('node:crypto');
const webidl = require('./webidl.js');
const { MediaStreamTrack } = require('./track.js');

const toTrack = webidl.interfaceType(MediaStreamTrack, 'MediaStreamTrack');

class MediaStream extends EventTarget {
  #id = randomUUID();
  /** Track id -> track, in the order added. */
  #tracks = new Map();

  /**
   * `new MediaStream()`: no tracks; `new MediaStream(stream)`: the same track
   * objects as `stream`; `new MediaStream(tracks)`: those tracks.
   */
  constructor(streamOrTracks) {
    // Overloads as WebIDL resolves them: (), (MediaStream), (sequence<MediaStreamTrack>).
    let tracks = [];
    if (streamOrTracks === undefined) {
      // no tracks
    } else if (webidl.implementsInterface(streamOrTracks, MediaStream)) {
      tracks = streamOrTracks.getTracks();
    } else if (
      streamOrTracks !== null &&
      typeof streamOrTracks === 'object' &&
      typeof streamOrTracks[Symbol.iterator] === 'function'
    ) {
      tracks = Array.from(streamOrTracks, (t) => toTrack(t, 'new MediaStream(tracks): an element'));
    } else {
      throw new TypeError('new MediaStream(arg): expected a MediaStream or a sequence of MediaStreamTrack');
    }
    super();
    webidl.brand(this, MediaStream);
    for (const track of tracks) this.#tracks.set(track.id, track);
  }

  get id() {
    return this.#id;
  }

  /** True while at least one track is not ended. */
  get active() {
    for (const track of this.#tracks.values()) {
      if (track.readyState !== 'ended') return true;
    }
    return false;
  }

  getTracks() {
    return [...this.#tracks.values()];
  }
  getAudioTracks() {
    return this.getTracks().filter((t) => t.kind === 'audio');
  }
  getVideoTracks() {
    return this.getTracks().filter((t) => t.kind === 'video');
  }
  /** The track with this id (the same object), or null. */
  getTrackById(id) {
    return this.#tracks.get(id) ?? null;
  }

  /** Adds a track; one already present is not added again. Fires no event. */
  addTrack(track) {
    if (!this.#tracks.has(track.id)) this.#tracks.set(track.id, track);
  }

  /** Removes a track; an absent one is ignored. Fires no event. */
  removeTrack(track) {
    if (this.#tracks.get(track.id) === track) this.#tracks.delete(track.id);
  }

  /** A new stream (new id) of clones of every track (new ids, same sources). */
  clone() {
    return new MediaStream(this.getTracks().map((t) => t.clone()));
  }

  /** `LocalMediaStream.stop()`: stops every track. */
  stop() {
    for (const track of this.#tracks.values()) track.stop();
  }
}

// `addtrack` / `removetrack` (MediaStreamTrackEvent) are fired only by the user
// agent when it changes a stream's track set by itself (never for
// addTrack()/removeTrack()), for streams it made for other APIs (e.g. a
// WebRTC remote stream); getUserMedia() streams never change that way, so
// this library never fires them: present for code written for browsers.
webidl.defineInterface(MediaStream, {
  attributes: ['id', 'active'],
  operations: {
    getAudioTracks: 0,
    getVideoTracks: 0,
    getTracks: 0,
    getTrackById: [1, webidl.DOMString],
    addTrack: [1, toTrack],
    removeTrack: [1, toTrack],
    clone: 0,
    stop: 0,
  },
  eventHandlers: ['addtrack', 'removetrack'],
});

/**
 * The `addtrack` / `removetrack` event. `constructor(DOMString type,
 * MediaStreamTrackEventInit eventInitDict)`: both required, and so is
 * `eventInitDict.track`, a MediaStreamTrack.
 */
class MediaStreamTrackEvent extends Event {
  #track;

  constructor(type, eventInitDict) {
    webidl.requireArguments(arguments.length, 2, "Failed to construct 'MediaStreamTrackEvent'");
    const name = webidl.DOMString(type);
    const init = webidl.dictionary(eventInitDict, "Failed to construct 'MediaStreamTrackEvent': eventInitDict");
    const track = init.track;
    if (track === undefined) {
      throw new TypeError(
        "Failed to construct 'MediaStreamTrackEvent': required member track is undefined in MediaStreamTrackEventInit",
      );
    }
    toTrack(track, "Failed to construct 'MediaStreamTrackEvent': track");
    super(name, init);
    webidl.brand(this, MediaStreamTrackEvent);
    this.#track = track;
  }

  get track() {
    return this.#track;
  }
}

webidl.defineInterface(MediaStreamTrackEvent, { attributes: ['track'], length: 2 });

module.exports = { MediaStream, MediaStreamTrackEvent };
