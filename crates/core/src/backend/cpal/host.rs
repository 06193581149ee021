//! Which cpal host serves the microphones.
//!
//! On Linux: the sound server's own protocol when a server answers (cpal's
//! `pulseaudio` host, a pure-Rust client of PulseAudio's native protocol,
//! which PipeWire also serves through `pipewire-pulse`), ALSA otherwise. The
//! server's protocol costs a fraction of the CPU of ALSA's `pulse` plugin,
//! lists the outputs' monitors as capture devices (system-audio loopback) and
//! names every device by the server's stable source name. `LMS_AUDIO_HOST`
//! chooses by hand: `pulseaudio` (only the server: no fallback), `alsa`
//! (ALSA even when a server runs, e.g. through its `pulse` plugin), `auto`
//! or unset (the server, else ALSA). Elsewhere the platform's one host
//! (WASAPI, CoreAudio) serves whatever the variable says.
//!
//! A connection to the server is kept and shared by every listing and
//! stream; when a listing through it fails (the server went away) it is
//! dropped, and the next look connects again or falls back to ALSA.

use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};

/// The environment variable that chooses the host by hand.
pub const HOST_ENV: &str = "LMS_AUDIO_HOST";

/// What [`HOST_ENV`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The sound server when one answers, else ALSA.
    Auto,
    /// ALSA only.
    Alsa,
    /// The sound server only.
    PulseAudio,
}

impl Choice {
    /// The choice [`HOST_ENV`] makes; a value it does not know is an error naming it.
    pub fn from_env() -> Result<Choice> {
        match std::env::var(HOST_ENV) {
            Err(_) => Ok(Choice::Auto),
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "auto" => Ok(Choice::Auto),
                "alsa" => Ok(Choice::Alsa),
                "pulseaudio" | "pulse" | "pipewire" => Ok(Choice::PulseAudio),
                _ => Err(Error::Type(format!(
                    "{HOST_ENV}={v:?} is not a host: use auto, alsa or pulseaudio"
                ))),
            },
        }
    }
}

/// The connection to the sound server, kept between calls.
static SERVER: Mutex<Option<Arc<cpal::Host>>> = Mutex::new(None);

/// The host to list and open devices with now, or why there is none.
pub(super) fn host() -> std::result::Result<Arc<cpal::Host>, String> {
    let choice = Choice::from_env().map_err(|e| e.message().to_string())?;
    host_for(choice)
}

#[cfg(target_os = "linux")]
fn host_for(choice: Choice) -> std::result::Result<Arc<cpal::Host>, String> {
    if choice != Choice::Alsa {
        let mut server = SERVER.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(host) = server.as_ref() {
            return Ok(Arc::clone(host));
        }
        let connected = if cpal::available_hosts().contains(&cpal::HostId::PulseAudio) {
            ensure_cookie();
            cpal::host_from_id(cpal::HostId::PulseAudio).map_err(|e| e.to_string())
        } else {
            Err(
                "no PulseAudio or PipeWire server socket in the environment \
                 (PULSE_SERVER, PULSE_RUNTIME_PATH, XDG_RUNTIME_DIR)"
                    .to_string(),
            )
        };
        match connected {
            Ok(host) => {
                let host = Arc::new(host);
                *server = Some(Arc::clone(&host));
                return Ok(host);
            }
            Err(why) if choice == Choice::PulseAudio => {
                return Err(format!("{HOST_ENV} asks for the sound server: {why}"));
            }
            Err(_) => {}
        }
    }
    cpal::host_from_id(cpal::HostId::Alsa)
        .map(Arc::new)
        .map_err(|e| format!("ALSA: {e}"))
}

/// Make sure the server's protocol client has a cookie to send, as libpulse
/// does. The client (the `pulseaudio` crate) sends the cookie at
/// `$PULSE_COOKIE`, `~/.config/pulse/cookie` or `~/.pulse-cookie`, and an
/// empty one when there is none, which PulseAudio and pipewire-pulse refuse
/// (they want 256 bytes even when they accept anyone). libpulse, where no
/// cookie exists, uses `$XDG_CONFIG_HOME/pulse/cookie` or creates
/// `~/.config/pulse/cookie` (random, owner-only): the same is done here, so
/// a machine where no libpulse client ran yet (a fresh server, PipeWire
/// alone) is reached too. Failing to write it only leaves the client as it was.
#[cfg(target_os = "linux")]
fn ensure_cookie() {
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::PathBuf;
    const COOKIE_BYTES: usize = 256;
    if std::env::var_os("PULSE_COOKIE").is_some() {
        return;
    }
    let Some(home) = std::env::var_os("HOME").map(PathBuf::from) else {
        return;
    };
    let target = home.join(".config/pulse/cookie");
    if target.exists() || home.join(".pulse-cookie").exists() {
        return;
    }
    let from_config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(|d| PathBuf::from(d).join("pulse/cookie"))
        .and_then(|p| std::fs::read(p).ok())
        .filter(|c| c.len() == COOKIE_BYTES);
    let cookie = from_config_home.or_else(|| {
        let mut random = vec![0u8; COOKIE_BYTES];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut random))
            .ok()?;
        Some(random)
    });
    let (Some(cookie), Some(dir)) = (cookie, target.parent()) else {
        return;
    };
    use std::os::unix::fs::DirBuilderExt;
    let made = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir);
    let _ = made.and_then(|()| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)?
            .write_all(&cookie)
    });
}

#[cfg(not(target_os = "linux"))]
fn host_for(_: Choice) -> std::result::Result<Arc<cpal::Host>, String> {
    Ok(Arc::new(cpal::default_host()))
}

/// Forget the server connection `host` is (its listing failed: the server
/// went away): the next [`host`] connects again, or falls back to ALSA.
pub(super) fn forget(host: &Arc<cpal::Host>) {
    let mut server = SERVER.lock().unwrap_or_else(PoisonError::into_inner);
    if server.as_ref().is_some_and(|h| Arc::ptr_eq(h, host)) {
        *server = None;
    }
}

/// Whether a sound server connection is in use now.
pub(super) fn in_use() -> bool {
    SERVER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .is_some()
}

/// Whether `host` speaks to a sound server (not ALSA, WASAPI or CoreAudio).
pub(super) fn is_server(host: &cpal::Host) -> bool {
    host.id().name().eq_ignore_ascii_case("pulseaudio")
}
