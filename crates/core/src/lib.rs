//! # lms-core: `getUserMedia()` for native programs
//!
//! Opens local cameras and microphones, hands back a [`MediaStream`] of
//! [`MediaStreamTrack`]s, delivers their frames without copies, and stops
//! capture when asked, with the semantics of the W3C *Media Capture and
//! Streams* specification.
//!
//! ```
//! use lms_core::MediaDevices;
//! let devices = MediaDevices::from_json(r#"{"backends": ["fake"], "fake": {"pacing": "none"}}"#)?;
//! let stream = devices.get_user_media_json(r#"{"video": {"width": 320, "height": 240}}"#)?;
//! let track = &stream.get_video_tracks()[0];
//! let frame = track.read(Some(std::time::Duration::from_secs(1)))?;
//! assert_eq!(frame.video().map(|v| v.width()), Some(320));
//! stream.stop(); // LocalMediaStream.stop(): every track ends, the device is released
//! # Ok::<(), lms_core::Error>(())
//! ```
//!
//! Threads: frames are produced on one capture thread per opened device (or
//! the backend's own callback thread) and fanned out to per-track bounded
//! queues without ever blocking; readers block in [`MediaStreamTrack::read`];
//! push callbacks run on a per-track delivery thread; event listeners run on
//! one library event thread ([`events`]). Every type is `Send + Sync`.

pub mod audio;
pub mod backend;
pub mod clock;
pub mod config;
pub mod constraints;
pub mod controls;
pub mod device;
pub mod devices;
pub mod error;
pub mod events;
mod fanout;
pub mod frame;
pub mod generator;
pub mod image_capture;
pub mod kind;
mod platform;
pub mod pool;
pub mod property;
pub mod queue;
mod selection;
pub mod settings;
pub mod signal;
mod sink;
mod source;
pub mod stream;
pub mod track;
pub mod video;

pub use config::Config;
pub use constraints::MediaStreamConstraints;
pub use device::{Capabilities, DeviceInfo};
pub use devices::{DeviceUsage, MediaDevices};
pub use error::{Error, Result};
pub use events::{EventInfo, ListenerId, TrackEvent};
pub use frame::{AudioBuffer, Frame, FrameData, PixelFormat, SampleFormat, Samples, VideoBuffer};
pub use generator::TrackGenerator;
pub use image_capture::{ImageCapture, Photo, PhotoSettings};
pub use kind::MediaKind;
pub use queue::TrackStats;
pub use settings::{AudioSettings, ResizeMode, TrackSettings, VideoSettings};
pub use stream::MediaStream;
pub use track::{FrameCallback, MediaStreamTrack, ReadyState, WeakTrack};

/// The library version (from Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
