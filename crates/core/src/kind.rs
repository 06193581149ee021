//! The two kinds of media: audio and video.

/// A track's kind (`"audio"` / `"video"`); a device's kind is `audioinput` / `videoinput`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    /// `"audio"` or `"video"`, as `MediaStreamTrack.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }

    /// `"audioinput"` or `"videoinput"`, as `MediaDeviceInfo.kind`.
    pub fn device_kind(self) -> &'static str {
        match self {
            MediaKind::Audio => "audioinput",
            MediaKind::Video => "videoinput",
        }
    }
}

impl std::fmt::Display for MediaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
