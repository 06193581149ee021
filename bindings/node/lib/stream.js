'use strict';
// MediaStream: a set of MediaStreamTrack objects. It holds the JS track
// objects themselves, so getTracks() and getTrackById() give the same objects
// every time.

const { randomUUID } = require('node:crypto');
const { defineEventHandlers } = require('./events.js');
const { MediaStreamTrack } = require('./track.js');

function checkTrack(track, what) {
  if (!(track instanceof MediaStreamTrack)) {
    throw new TypeError(`${what}: expected a MediaStreamTrack, got ${track === null ? 'null' : typeof track}`);
  }
  return track;
}

class MediaStream extends EventTarget {
  #id = randomUUID();
  /** Track id -> track, in the order added. */
  #tracks = new Map();

  /**
   * `new MediaStream()`: no tracks; `new MediaStream(stream)`: the same track
   * objects as `stream`; `new MediaStream(tracks)`: those tracks.
   */
  constructor(streamOrTracks) {
    super();
    if (streamOrTracks === undefined) return;
    let tracks;
    if (streamOrTracks instanceof MediaStream) {
      tracks = streamOrTracks.getTracks();
    } else if (streamOrTracks !== null && typeof streamOrTracks[Symbol.iterator] === 'function' && typeof streamOrTracks !== 'string') {
      tracks = Array.from(streamOrTracks, (t) => checkTrack(t, 'new MediaStream(tracks)'));
    } else {
      throw new TypeError('new MediaStream(arg): expected a MediaStream or a sequence of MediaStreamTrack');
    }
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
    return this.#tracks.get(String(id)) ?? null;
  }

  /** Adds a track; one already present is not added again. Fires no event. */
  addTrack(track) {
    checkTrack(track, 'addTrack(track)');
    if (!this.#tracks.has(track.id)) this.#tracks.set(track.id, track);
  }

  /** Removes a track; an absent one is ignored. Fires no event. */
  removeTrack(track) {
    checkTrack(track, 'removeTrack(track)');
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

  get [Symbol.toStringTag]() {
    return 'MediaStream';
  }
}

// Only the user agent fires these (never addTrack()/removeTrack()), and this
// library never does: present for code written for browsers.
defineEventHandlers(MediaStream, ['addtrack', 'removetrack']);

module.exports = { MediaStream };
