'use strict';
// ImageCapture (W3C MediaStream Image Capture): photos and single pictures
// from a video track, over one NativeImageCapture. The core does the work
// (photo size, encoding, the errors); photos and grabbed frames wait for the
// camera's next frame on the thread pool.

const native = require('./binding.js');
const { call, fromNative } = require('./errors.js');
const { makeFrame } = require('./frame.js');
const { nativeTrackOf } = require('./track.js');
const webidl = require('./webidl.js');

class ImageCapture {
  #native;
  #track;

  /** Throws a TypeError unless `videoTrack` is a video MediaStreamTrack. */
  constructor(videoTrack) {
    webidl.requireArguments(arguments.length, 1, "Failed to construct 'ImageCapture'");
    const nativeTrack = nativeTrackOf(videoTrack);
    if (nativeTrack === null) {
      const got = videoTrack === null ? 'null' : typeof videoTrack;
      throw new TypeError(`new ImageCapture(videoTrack): expected a MediaStreamTrack, got ${got}`);
    }
    this.#native = call(() => new native.NativeImageCapture(nativeTrack));
    webidl.brand(this, ImageCapture);
    this.#track = videoTrack;
  }

  /** The track photos come from. */
  get track() {
    return this.#track;
  }

  /**
   * A photo of the camera's next frame: a Blob of type image/jpeg (or
   * image/png with `{imageType: 'image/png'}`), at the camera's size or
   * `imageWidth` x `imageHeight`.
   */
  async takePhoto(photoSettings) {
    let json = null;
    if (photoSettings !== undefined && photoSettings !== null) {
      if (typeof photoSettings !== 'object') {
        throw new TypeError(`takePhoto(photoSettings): photoSettings must be an object, got ${typeof photoSettings}`);
      }
      json = JSON.stringify(photoSettings);
    }
    let photo;
    try {
      photo = await this.#native.takePhoto(json);
    } catch (error) {
      throw fromNative(error);
    }
    return new Blob([photo.data], { type: photo.type });
  }

  /** The camera's next frame as an RGBA VideoFrame at the track's size (a browser gives an ImageBitmap). */
  async grabFrame() {
    try {
      return makeFrame(await this.#native.grabFrame());
    } catch (error) {
      throw fromNative(error);
    }
  }

  /** `{redEyeReduction, imageHeight, imageWidth, fillLightMode}`. */
  async getPhotoCapabilities() {
    return JSON.parse(call(() => this.#native.photoCapabilities()));
  }

  /** What a photo taken now without settings gives. */
  async getPhotoSettings() {
    return JSON.parse(call(() => this.#native.photoSettings()));
  }
}

webidl.defineInterface(ImageCapture, {
  attributes: ['track'],
  operations: {
    takePhoto: { required: 0, promise: true },
    getPhotoCapabilities: { required: 0, promise: true },
    getPhotoSettings: { required: 0, promise: true },
    grabFrame: { required: 0, promise: true },
  },
  length: 1,
});

module.exports = { ImageCapture };
