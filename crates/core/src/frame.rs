//! Frames: reference-counted video pictures and audio chunks.
//!
//! A [`Frame`] is a cheap handle (`Arc` + sequence + timestamp). The pixels or
//! samples live in a [`FrameData`] that one capture produced and that every
//! track receiving the same picture shares; buffers come from a [`crate::pool::FramePool`]
//! so steady-state capture allocates nothing.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kind::MediaKind;

/// Pixel layouts a video track can deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PixelFormat {
    /// Planar Y, U, V; chroma halved in both directions. The default.
    I420,
    /// Planar Y, then interleaved U/V at half resolution.
    Nv12,
    /// Packed Y0 U Y1 V.
    Yuy2,
    /// Packed 8-bit R, G, B.
    Rgb24,
    /// Packed 8-bit B, G, R.
    Bgr24,
    /// Packed 8-bit R, G, B, A (A = 255).
    Rgba,
    /// Packed 8-bit B, G, R, A (A = 255).
    Bgra,
    /// A JPEG picture per frame (passed through from a camera or file).
    Mjpeg,
}

impl PixelFormat {
    /// Every format, default first.
    pub const ALL: [PixelFormat; 8] = [
        PixelFormat::I420,
        PixelFormat::Nv12,
        PixelFormat::Yuy2,
        PixelFormat::Rgb24,
        PixelFormat::Bgr24,
        PixelFormat::Rgba,
        PixelFormat::Bgra,
        PixelFormat::Mjpeg,
    ];
    /// The formats any raw source can be converted to (everything but MJPEG).
    pub const RAW: [PixelFormat; 7] = [
        PixelFormat::I420,
        PixelFormat::Nv12,
        PixelFormat::Yuy2,
        PixelFormat::Rgb24,
        PixelFormat::Bgr24,
        PixelFormat::Rgba,
        PixelFormat::Bgra,
    ];

    /// The name used in constraints and settings: `"I420"`, `"NV12"`, ...
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::I420 => "I420",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Yuy2 => "YUY2",
            PixelFormat::Rgb24 => "RGB24",
            PixelFormat::Bgr24 => "BGR24",
            PixelFormat::Rgba => "RGBA",
            PixelFormat::Bgra => "BGRA",
            PixelFormat::Mjpeg => "MJPEG",
        }
    }

    /// The format with this name (exact spelling, as in settings).
    pub fn from_name(name: &str) -> Option<PixelFormat> {
        PixelFormat::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Plane count, strides and plane sizes in bytes for a `width` x `height`
    /// picture with tightly packed rows. MJPEG has one plane of unknown size (0).
    pub fn layout(self, width: u32, height: u32) -> PlaneLayout {
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut l = PlaneLayout {
            count: 1,
            strides: [0; 4],
            sizes: [0; 4],
        };
        let mut set = |i: usize, stride: usize, rows: usize| {
            l.strides[i] = stride;
            l.sizes[i] = stride * rows;
        };
        match self {
            PixelFormat::I420 => {
                set(0, w, h);
                set(1, cw, ch);
                set(2, cw, ch);
                l.count = 3;
            }
            PixelFormat::Nv12 => {
                set(0, w, h);
                set(1, cw * 2, ch);
                l.count = 2;
            }
            PixelFormat::Yuy2 => set(0, cw * 4, h),
            PixelFormat::Rgb24 | PixelFormat::Bgr24 => set(0, w * 3, h),
            PixelFormat::Rgba | PixelFormat::Bgra => set(0, w * 4, h),
            PixelFormat::Mjpeg => {}
        }
        l
    }
}

/// Where a picture's planes lie in its buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaneLayout {
    pub count: usize,
    pub strides: [usize; 4],
    pub sizes: [usize; 4],
}

impl PlaneLayout {
    /// Total bytes of all planes.
    pub fn total(&self) -> usize {
        self.sizes.iter().sum()
    }
    /// Byte offset of plane `i` in the buffer (planes are stored back to back).
    pub fn offset(&self, i: usize) -> usize {
        self.sizes[..i].iter().sum()
    }
}

/// Audio sample encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SampleFormat {
    /// 32-bit float in [-1, 1]. The default.
    F32,
    /// Signed 16-bit integer.
    S16,
}

impl SampleFormat {
    /// Every format, default first.
    pub const ALL: [SampleFormat; 2] = [SampleFormat::F32, SampleFormat::S16];
    /// `"f32"` or `"s16"`.
    pub fn name(self) -> &'static str {
        match self {
            SampleFormat::F32 => "f32",
            SampleFormat::S16 => "s16",
        }
    }
    /// The format with this name.
    pub fn from_name(name: &str) -> Option<SampleFormat> {
        SampleFormat::ALL.iter().copied().find(|f| f.name() == name)
    }
    /// Bits per sample (the `sampleSize` setting): 32 or 16.
    pub fn bits(self) -> u32 {
        match self {
            SampleFormat::F32 => 32,
            SampleFormat::S16 => 16,
        }
    }
}

/// A picture: planes stored back to back in one buffer.
///
/// The bytes are either the buffer's own (pooled, written in place by a
/// capture thread) or a read-only range of [`SharedBytes`] that many frames
/// share without a copy, such as a Y4M frame or a JPEG inside a memory-mapped
/// file ([`VideoBuffer::shared`]). Reading is the same for both; the first
/// write to a shared buffer (`plane_mut`, `planes_mut`, `set_encoded`) gives
/// it its own copy, so the shared bytes are never written.
#[derive(Debug, Clone)]
pub struct VideoBuffer {
    format: PixelFormat,
    width: u32,
    height: u32,
    layout: PlaneLayout,
    storage: Storage,
}

/// Bytes that many frames read without copying, e.g. a memory-mapped file.
/// They must neither change length nor be written while frames refer to them.
pub type SharedBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Where a picture's bytes live.
#[derive(Clone)]
enum Storage {
    /// The buffer's own bytes.
    Owned(Vec<u8>),
    /// `len` bytes of `bytes` from `offset` on (checked to lie inside when set).
    Shared {
        bytes: SharedBytes,
        offset: usize,
        len: usize,
    },
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Owned(v) => f.debug_struct("Owned").field("len", &v.len()).finish(),
            Storage::Shared { offset, len, .. } => f
                .debug_struct("Shared")
                .field("offset", offset)
                .field("len", len)
                .finish(),
        }
    }
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Owned(v) => v,
            Storage::Shared { bytes, offset, len } => (**bytes)
                .as_ref()
                .get(*offset..*offset + *len)
                .unwrap_or_default(),
        }
    }

    /// The buffer's own bytes, copied out of shared storage first if need be.
    fn owned_mut(&mut self) -> &mut Vec<u8> {
        if let Storage::Shared { .. } = self {
            *self = Storage::Owned(self.bytes().to_vec());
        }
        match self {
            Storage::Owned(v) => v,
            Storage::Shared { .. } => unreachable!("made owned just above"),
        }
    }
}

/// `offset..offset + len` of `bytes`, or an error saying why it does not fit.
fn check_range(bytes: &SharedBytes, offset: usize, len: usize) -> Result<()> {
    let available = (**bytes).as_ref().len();
    match offset.checked_add(len) {
        Some(end) if end <= available => Ok(()),
        _ => Err(Error::InvalidArgument(format!(
            "{len} bytes at offset {offset} do not fit in shared bytes of length {available}"
        ))),
    }
}

/// Largest width or height a buffer may have: bounds every allocation made
/// from untrusted sizes (constraints, file headers).
pub const MAX_DIMENSION: u32 = 16_384;

impl VideoBuffer {
    /// A zero-filled picture. Fails for a zero or too large size, or for MJPEG
    /// (use [`VideoBuffer::new_encoded`]).
    pub fn new(format: PixelFormat, width: u32, height: u32) -> Result<VideoBuffer> {
        if format == PixelFormat::Mjpeg {
            return Err(Error::InvalidArgument(
                "an MJPEG buffer has no fixed layout".into(),
            ));
        }
        check_dimensions(width, height)?;
        let layout = format.layout(width, height);
        Ok(VideoBuffer {
            format,
            width,
            height,
            layout,
            storage: Storage::Owned(vec![0; layout.total()]),
        })
    }

    /// A raw picture whose planes are the bytes of `bytes` from `offset` on,
    /// tightly packed as [`PixelFormat::layout`] says, read in place (no copy).
    /// Fails for a bad size, for MJPEG (use [`VideoBuffer::shared_encoded`]),
    /// or when the picture does not fit inside `bytes`.
    pub fn shared(
        format: PixelFormat,
        width: u32,
        height: u32,
        bytes: SharedBytes,
        offset: usize,
    ) -> Result<VideoBuffer> {
        if format == PixelFormat::Mjpeg {
            return Err(Error::InvalidArgument(
                "an MJPEG buffer has no fixed layout".into(),
            ));
        }
        check_dimensions(width, height)?;
        let layout = format.layout(width, height);
        check_range(&bytes, offset, layout.total())?;
        Ok(VideoBuffer {
            format,
            width,
            height,
            layout,
            storage: Storage::Shared {
                bytes,
                offset,
                len: layout.total(),
            },
        })
    }

    /// An encoded (MJPEG) picture of `width` x `height` whose bytes are `len`
    /// bytes of `bytes` from `offset` on, read in place (no copy).
    pub fn shared_encoded(
        width: u32,
        height: u32,
        bytes: SharedBytes,
        offset: usize,
        len: usize,
    ) -> Result<VideoBuffer> {
        check_dimensions(width, height)?;
        check_range(&bytes, offset, len)?;
        let mut layout = PixelFormat::Mjpeg.layout(width, height);
        layout.strides[0] = len;
        layout.sizes[0] = len;
        Ok(VideoBuffer {
            format: PixelFormat::Mjpeg,
            width,
            height,
            layout,
            storage: Storage::Shared { bytes, offset, len },
        })
    }

    /// Point a shared buffer at another picture of the same format and size in
    /// `bytes` (from `offset` on), without allocating: how a pooled buffer
    /// steps through a memory-mapped file. For MJPEG, `len` is the new
    /// picture's length; for raw formats it must equal the layout's total.
    pub fn set_shared(&mut self, bytes: &SharedBytes, offset: usize, len: usize) -> Result<()> {
        if self.format != PixelFormat::Mjpeg && len != self.layout.total() {
            return Err(Error::InvalidArgument(format!(
                "a {}x{} {} picture has {} bytes, not {len}",
                self.width,
                self.height,
                self.format.name(),
                self.layout.total()
            )));
        }
        check_range(bytes, offset, len)?;
        if self.format == PixelFormat::Mjpeg {
            self.layout.strides[0] = len;
            self.layout.sizes[0] = len;
        }
        match &mut self.storage {
            Storage::Shared {
                bytes: current,
                offset: at,
                len: size,
            } => {
                if !Arc::ptr_eq(current, bytes) {
                    *current = Arc::clone(bytes);
                }
                (*at, *size) = (offset, len);
            }
            Storage::Owned(_) => {
                self.storage = Storage::Shared {
                    bytes: Arc::clone(bytes),
                    offset,
                    len,
                }
            }
        }
        Ok(())
    }

    /// Whether the bytes are shared (read in place from [`SharedBytes`]) rather than owned.
    pub fn is_shared(&self) -> bool {
        matches!(self.storage, Storage::Shared { .. })
    }

    /// An encoded (MJPEG) picture of `width` x `height` holding `bytes`.
    pub fn new_encoded(width: u32, height: u32, bytes: &[u8]) -> Result<VideoBuffer> {
        check_dimensions(width, height)?;
        let mut b = VideoBuffer {
            format: PixelFormat::Mjpeg,
            width,
            height,
            layout: PixelFormat::Mjpeg.layout(width, height),
            storage: Storage::Owned(Vec::new()),
        };
        b.set_encoded(bytes);
        Ok(b)
    }

    /// Replace an MJPEG buffer's bytes, reusing its allocation (a shared
    /// buffer gets its own).
    pub fn set_encoded(&mut self, bytes: &[u8]) {
        if self.is_shared() {
            self.storage = Storage::Owned(Vec::new());
        }
        let data = self.storage.owned_mut();
        data.clear();
        data.extend_from_slice(bytes);
        self.layout.strides[0] = bytes.len();
        self.layout.sizes[0] = bytes.len();
    }

    pub fn format(&self) -> PixelFormat {
        self.format
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn layout(&self) -> &PlaneLayout {
        &self.layout
    }
    pub fn plane_count(&self) -> usize {
        self.layout.count
    }
    pub fn stride(&self, i: usize) -> usize {
        self.layout.strides[i]
    }
    /// Plane `i` (panics if `i >= plane_count()`).
    pub fn plane(&self, i: usize) -> &[u8] {
        let off = self.layout.offset(i);
        &self.storage.bytes()[off..off + self.layout.sizes[i]]
    }
    /// Plane `i`, writable (a shared buffer first gets its own copy).
    pub fn plane_mut(&mut self, i: usize) -> &mut [u8] {
        let off = self.layout.offset(i);
        let size = self.layout.sizes[i];
        &mut self.storage.owned_mut()[off..off + size]
    }
    /// All planes at once, writable (unused entries are empty; a shared buffer
    /// first gets its own copy).
    pub fn planes_mut(&mut self) -> [&mut [u8]; 4] {
        let [a, b, c, d] = self.layout.sizes;
        let (p0, rest) = self.storage.owned_mut().split_at_mut(a);
        let (p1, rest) = rest.split_at_mut(b);
        let (p2, rest) = rest.split_at_mut(c);
        let (p3, _) = rest.split_at_mut(d);
        [p0, p1, p2, p3]
    }
    /// Every byte of every plane.
    pub fn bytes(&self) -> &[u8] {
        &self.storage.bytes()[..self.layout.total()]
    }
    /// Whether this buffer already has this format and size (so it can be reused).
    pub fn is(&self, format: PixelFormat, width: u32, height: u32) -> bool {
        self.format == format && self.width == width && self.height == height
    }
}

fn check_dimensions(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(Error::InvalidArgument(format!(
            "picture size {width}x{height} is outside 1x1..{MAX_DIMENSION}x{MAX_DIMENSION}"
        )));
    }
    Ok(())
}

/// Interleaved audio samples.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    F32(Vec<f32>),
    S16(Vec<i16>),
}

/// A chunk of audio: `frames` sample frames of `channels` interleaved samples.
#[derive(Debug, Clone)]
pub struct AudioBuffer {
    sample_rate: u32,
    channels: u16,
    samples: Samples,
}

impl AudioBuffer {
    /// A silent chunk of `frames` sample frames.
    pub fn new(
        format: SampleFormat,
        sample_rate: u32,
        channels: u16,
        frames: usize,
    ) -> AudioBuffer {
        let n = frames * channels as usize;
        let samples = match format {
            SampleFormat::F32 => Samples::F32(vec![0.0; n]),
            SampleFormat::S16 => Samples::S16(vec![0; n]),
        };
        AudioBuffer {
            sample_rate,
            channels,
            samples,
        }
    }
    pub fn format(&self) -> SampleFormat {
        match self.samples {
            Samples::F32(_) => SampleFormat::F32,
            Samples::S16(_) => SampleFormat::S16,
        }
    }
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
    pub fn channels(&self) -> u16 {
        self.channels
    }
    /// Sample frames (samples per channel) in the chunk.
    pub fn frames(&self) -> usize {
        let n = match &self.samples {
            Samples::F32(v) => v.len(),
            Samples::S16(v) => v.len(),
        };
        n / self.channels.max(1) as usize
    }
    pub fn samples(&self) -> &Samples {
        &self.samples
    }
    pub fn samples_mut(&mut self) -> &mut Samples {
        &mut self.samples
    }
    /// The interleaved samples as bytes (native endian).
    pub fn bytes(&self) -> &[u8] {
        match &self.samples {
            Samples::F32(v) => bytemuck::cast_slice(v),
            Samples::S16(v) => bytemuck::cast_slice(v),
        }
    }
    /// Whether this buffer already has this shape (so it can be reused).
    pub fn is(&self, format: SampleFormat, sample_rate: u32, channels: u16, frames: usize) -> bool {
        self.format() == format
            && self.sample_rate == sample_rate
            && self.channels == channels
            && self.frames() == frames
    }
}

/// The payload of a frame.
#[derive(Debug, Clone)]
pub enum FrameData {
    Video(VideoBuffer),
    Audio(AudioBuffer),
}

impl FrameData {
    pub fn kind(&self) -> MediaKind {
        match self {
            FrameData::Video(_) => MediaKind::Video,
            FrameData::Audio(_) => MediaKind::Audio,
        }
    }
    pub fn video(&self) -> Option<&VideoBuffer> {
        match self {
            FrameData::Video(v) => Some(v),
            FrameData::Audio(_) => None,
        }
    }
    pub fn audio(&self) -> Option<&AudioBuffer> {
        match self {
            FrameData::Audio(a) => Some(a),
            FrameData::Video(_) => None,
        }
    }
    pub fn video_mut(&mut self) -> Option<&mut VideoBuffer> {
        match self {
            FrameData::Video(v) => Some(v),
            FrameData::Audio(_) => None,
        }
    }
    pub fn audio_mut(&mut self) -> Option<&mut AudioBuffer> {
        match self {
            FrameData::Audio(a) => Some(a),
            FrameData::Video(_) => None,
        }
    }
}

/// One delivered frame: a shared, immutable buffer plus when it was captured.
///
/// Cloning a `Frame` is cheap (a reference count); the buffer goes back to its
/// pool when the last clone is dropped. Views into it (`plane`, `bytes`) stay
/// valid as long as the `Frame` (or a clone) lives, even after its track stopped.
#[derive(Debug, Clone)]
pub struct Frame {
    data: Arc<FrameData>,
    sequence: u64,
    timestamp_us: i64,
}

impl Frame {
    /// A frame over `data`, captured at `timestamp_us` (see [`crate::clock::monotonic_us`]).
    pub fn new(data: Arc<FrameData>, sequence: u64, timestamp_us: i64) -> Frame {
        Frame {
            data,
            sequence,
            timestamp_us,
        }
    }
    pub fn kind(&self) -> MediaKind {
        self.data.kind()
    }
    /// The capture sequence number of the source: increases by one per captured
    /// frame; a track that skips frames (frame-rate decimation, drops) sees gaps.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
    /// Microseconds on the monotonic clock (`CLOCK_MONOTONIC`) when the frame was captured.
    pub fn timestamp_us(&self) -> i64 {
        self.timestamp_us
    }
    pub fn data(&self) -> &FrameData {
        &self.data
    }
    pub fn shared_data(&self) -> &Arc<FrameData> {
        &self.data
    }
    pub fn video(&self) -> Option<&VideoBuffer> {
        self.data.video()
    }
    pub fn audio(&self) -> Option<&AudioBuffer> {
        self.data.audio()
    }
    /// The bytes of plane `i` (audio: plane 0 is the interleaved samples).
    pub fn plane(&self, i: usize) -> Option<&[u8]> {
        match &*self.data {
            FrameData::Video(v) if i < v.plane_count() => Some(v.plane(i)),
            FrameData::Audio(a) if i == 0 => Some(a.bytes()),
            _ => None,
        }
    }
    /// Whether two frames share one buffer (no copy was made between them).
    pub fn shares_buffer_with(&self, other: &Frame) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_bytes(n: usize) -> SharedBytes {
        Arc::new((0..n).map(|i| i as u8).collect::<Vec<u8>>())
    }

    #[test]
    fn a_shared_picture_reads_its_planes_in_place() {
        let bytes = shared_bytes(100);
        // 4x4 I420 is 16 + 4 + 4 bytes; start at 10.
        let v = VideoBuffer::shared(PixelFormat::I420, 4, 4, Arc::clone(&bytes), 10).unwrap();
        assert!(v.is_shared());
        let source: &[u8] = (*bytes).as_ref();
        assert_eq!(v.plane(0).as_ptr(), source[10..].as_ptr(), "no copy");
        assert_eq!(v.plane(1), &source[26..30]);
        assert_eq!(v.plane(2), &source[30..34]);
        assert_eq!(v.bytes(), &source[10..34]);
    }

    #[test]
    fn writing_a_shared_picture_copies_it_first_and_leaves_the_shared_bytes_alone() {
        let bytes = shared_bytes(24);
        let mut v = VideoBuffer::shared(PixelFormat::I420, 4, 4, Arc::clone(&bytes), 0).unwrap();
        v.plane_mut(1)[0] = 200;
        assert!(!v.is_shared());
        assert_eq!(v.plane(1)[0], 200);
        assert_eq!(v.plane(0), &(*bytes).as_ref()[..16]);
        assert_eq!(
            (*bytes).as_ref()[16],
            16,
            "the shared bytes are never written"
        );
        let clone = v.clone();
        assert_eq!(clone.bytes(), v.bytes());
    }

    #[test]
    fn a_shared_picture_steps_to_the_next_one_and_refuses_ranges_outside() {
        let bytes = shared_bytes(48);
        let mut v = VideoBuffer::shared(PixelFormat::I420, 4, 4, Arc::clone(&bytes), 0).unwrap();
        v.set_shared(&bytes, 24, 24).unwrap();
        assert_eq!(v.plane(0)[0], 24);
        assert!(v.set_shared(&bytes, 25, 24).is_err(), "past the end");
        assert!(v.set_shared(&bytes, 0, 23).is_err(), "wrong size");
        assert!(v.set_shared(&bytes, usize::MAX, 24).is_err(), "overflow");
        assert_eq!(v.plane(0)[0], 24, "a refused step changes nothing");
        let e = VideoBuffer::shared(PixelFormat::I420, 4, 4, Arc::clone(&bytes), 30).unwrap_err();
        assert_eq!(e.name(), "InvalidArgumentError");
        assert!(VideoBuffer::shared(PixelFormat::Mjpeg, 4, 4, bytes, 0).is_err());
    }

    #[test]
    fn a_shared_jpeg_has_one_plane_of_its_own_length() {
        let bytes = shared_bytes(64);
        let mut v = VideoBuffer::shared_encoded(8, 8, Arc::clone(&bytes), 4, 10).unwrap();
        assert_eq!(
            (v.plane_count(), v.plane(0).len(), v.plane(0)[0]),
            (1, 10, 4)
        );
        v.set_shared(&bytes, 20, 30).unwrap();
        assert_eq!((v.stride(0), v.plane(0).len(), v.plane(0)[0]), (30, 30, 20));
        v.set_encoded(&[1, 2, 3]);
        assert!(!v.is_shared());
        assert_eq!(v.plane(0), &[1, 2, 3]);
    }
}
