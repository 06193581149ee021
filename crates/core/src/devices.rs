//! `MediaDevices`: `enumerateDevices()`, `getUserMedia()`,
//! `getSupportedConstraints()` and `devicechange`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};

use serde_json::Value;

use crate::backend::{self, Backend};
use crate::config::{Config, Permission};
use crate::constraints::{MediaStreamConstraints, TrackConstraints};
use crate::controls::ControlValues;
use crate::device::{Capabilities, DeviceEntry, DeviceInfo};
use crate::error::{Error, Result};
use crate::events::{EventInfo, ListenerId, Listeners};
use crate::kind::MediaKind;
use crate::property::Prop;
use crate::selection::{self, Defaults, Plan};
use crate::source::Source;
use crate::stream::MediaStream;
use crate::track::MediaStreamTrack;

pub use crate::backend::usage::DeviceUsage;

/// The entry point: devices of the configured backends, and `getUserMedia()`.
/// Cloning gives another handle to the same instance. Most programs use
/// [`MediaDevices::global`]; tests make isolated instances with [`MediaDevices::new`].
#[derive(Clone)]
pub struct MediaDevices {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Serialises opening devices, so two calls never open one device twice.
    opening: Mutex<()>,
    device_change: Listeners,
}

struct State {
    config: Config,
    backends: Vec<Arc<dyn Backend>>,
    /// Why the configuration from the environment was refused, until `configure()` fixes it.
    config_error: Option<Error>,
    sources: Vec<Weak<Source>>,
    /// The device list `devicechange` compares with: taken when the first
    /// listener is added (enumerating real devices costs milliseconds, and
    /// nobody needs it before), dropped when the last one goes.
    known: Option<Vec<DeviceInfo>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MediaDevices {
    /// An instance with its own backends and devices.
    pub fn new(config: Config) -> Result<MediaDevices> {
        let backends = backend::create_all(&config)?;
        Ok(MediaDevices::with_backends(config, backends, None))
    }

    /// An instance configured by a JSON document (over the environment's configuration).
    pub fn from_json(config_json: &str) -> Result<MediaDevices> {
        MediaDevices::new(Config::parse(config_json)?)
    }

    /// The process-wide instance, configured from the environment until
    /// [`MediaDevices::configure`] is called. A bad environment is reported by
    /// every call until a `configure()` succeeds.
    pub fn global() -> &'static MediaDevices {
        static GLOBAL: OnceLock<MediaDevices> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            match Config::from_env().and_then(|c| backend::create_all(&c).map(|b| (c, b))) {
                Ok((config, backends)) => MediaDevices::with_backends(config, backends, None),
                Err(e) => MediaDevices::with_backends(Config::default(), Vec::new(), Some(e)),
            }
        })
    }

    fn with_backends(
        config: Config,
        backends: Vec<Arc<dyn Backend>>,
        error: Option<Error>,
    ) -> MediaDevices {
        let md = MediaDevices {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    config,
                    backends,
                    config_error: error,
                    sources: Vec::new(),
                    known: None,
                }),
                opening: Mutex::new(()),
                device_change: Listeners::default(),
            }),
        };
        md.install_notifiers();
        md
    }

    fn install_notifiers(&self) {
        let weak = Arc::downgrade(&self.inner);
        let backends = lock(&self.inner.state).backends.clone();
        for b in backends {
            let weak = Weak::clone(&weak);
            b.set_change_notifier(Arc::new(move || {
                if let Some(inner) = weak.upgrade() {
                    MediaDevices { inner }.check_device_change();
                }
            }));
        }
    }

    /// Replace the configuration (a JSON document, see [`crate::config`]).
    /// Open devices keep running; new calls see the new backends.
    pub fn configure(&self, config_json: &str) -> Result<()> {
        let config = Config::parse(config_json)?;
        self.configure_with(config)
    }

    /// Replace the configuration.
    pub fn configure_with(&self, config: Config) -> Result<()> {
        let backends = backend::create_all(&config)?;
        {
            let mut state = lock(&self.inner.state);
            state.config = config;
            state.backends = backends;
            state.config_error = None;
        }
        self.install_notifiers();
        self.check_device_change();
        Ok(())
    }

    /// The configuration in force.
    pub fn config(&self) -> Config {
        lock(&self.inner.state).config.clone()
    }

    fn backends(&self) -> Result<(Vec<Arc<dyn Backend>>, Config)> {
        let state = lock(&self.inner.state);
        if let Some(e) = &state.config_error {
            return Err(e.clone());
        }
        Ok((state.backends.clone(), state.config.clone()))
    }

    fn list(&self) -> Result<Vec<DeviceEntry>> {
        Ok(self
            .list_with_backends()?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// Every device of every backend in the specification's order: microphones,
    /// then cameras; within a kind, the backends' order (each backend lists its
    /// system default first, and the backends come in configuration order).
    fn list_with_backends(&self) -> Result<Vec<(Arc<dyn Backend>, DeviceEntry)>> {
        let (backends, _) = self.backends()?;
        let mut all: Vec<(Arc<dyn Backend>, DeviceEntry)> = backends
            .iter()
            .flat_map(|b| b.devices().into_iter().map(move |e| (Arc::clone(b), e)))
            .collect();
        // Stable: the order within a kind stays the backends' order.
        all.sort_by_key(|(_, e)| e.info.kind);
        Ok(all)
    }

    /// `enumerateDevices()`: every input device, microphones first, then cameras,
    /// each kind's system default first (as the specification orders them), then
    /// the audio outputs (`audiooutput`, the system default first, as Chromium
    /// lists them); the same devices in the same order on every call while
    /// nothing changes.
    pub fn enumerate_devices(&self) -> Result<Vec<DeviceInfo>> {
        let (backends, _) = self.backends()?;
        let mut all: Vec<DeviceInfo> = self.list()?.into_iter().map(|e| e.info).collect();
        all.extend(backends.iter().flat_map(|b| b.outputs()));
        Ok(all)
    }

    /// The backends in use that cannot work on this machine, by name, each
    /// with why (the `cpal` backend where the system has no libasound).
    pub fn unavailable_backends(&self) -> Result<Vec<(String, String)>> {
        let (backends, _) = self.backends()?;
        Ok(backends
            .iter()
            .filter_map(|b| Some((b.name().to_string(), b.unavailable()?)))
            .collect())
    }

    /// A device's capabilities (as `getCapabilities()` of a track on it would give).
    /// `NotFoundError` for an unknown id; `TypeError` for an output's (outputs are
    /// listed but have no capabilities: they are never captured from).
    pub fn device_capabilities(&self, device_id: &str) -> Result<Value> {
        if let Some(entry) = self
            .list()?
            .into_iter()
            .find(|e| e.info.device_id == device_id)
        {
            return Ok(entry.capabilities.to_json(&entry.info));
        }
        let (backends, _) = self.backends()?;
        if backends
            .iter()
            .any(|b| b.outputs().iter().any(|o| o.device_id == device_id))
        {
            return Err(Error::Type(format!(
                "{device_id} is an audiooutput device: only input devices have capabilities"
            )));
        }
        Err(Error::NotFound(format!(
            "no device with deviceId \"{device_id}\""
        )))
    }

    /// `getSupportedConstraints()`: every supported constraint, `true`.
    pub fn get_supported_constraints() -> BTreeMap<&'static str, bool> {
        Prop::ALL.iter().map(|p| (p.name(), true)).collect()
    }

    /// `getUserMedia()` with constraints as JSON text.
    pub fn get_user_media_json(&self, constraints_json: &str) -> Result<MediaStream> {
        self.get_user_media(&MediaStreamConstraints::parse(constraints_json)?)
    }

    /// `getUserMedia()`: a stream with one audio track and/or one video track,
    /// chosen by the specification's SelectSettings.
    pub fn get_user_media(&self, constraints: &MediaStreamConstraints) -> Result<MediaStream> {
        let _opening = lock(&self.inner.opening);
        let mut tracks = Vec::new();
        for (kind, tc) in [
            (MediaKind::Audio, &constraints.audio),
            (MediaKind::Video, &constraints.video),
        ] {
            if let Some(tc) = tc {
                // On failure the tracks made so far are dropped, which stops them.
                tracks.push(self.open_track(kind, tc)?);
            }
        }
        if tracks.is_empty() {
            return Err(Error::Type(
                "no media kind requested: at least one of audio and video must be requested".into(),
            ));
        }
        Ok(MediaStream::from_tracks(&tracks))
    }

    fn open_track(
        &self,
        kind: MediaKind,
        constraints: &TrackConstraints,
    ) -> Result<MediaStreamTrack> {
        let (_, config) = self.backends()?;
        let permission = match kind {
            MediaKind::Video => config.camera,
            MediaKind::Audio => config.microphone,
        };
        if permission == Permission::Denied {
            let what = if kind == MediaKind::Video {
                "camera"
            } else {
                "microphone"
            };
            return Err(Error::NotAllowed(format!(
                "the application's permission policy denies the {what}"
            )));
        }
        let entries: Vec<(Arc<dyn Backend>, DeviceEntry)> = self
            .list_with_backends()?
            .into_iter()
            .filter(|(_, e)| e.info.kind == kind)
            .collect();
        if entries.is_empty() {
            let unavailable: String = self
                .unavailable_backends()?
                .iter()
                .map(|(name, why)| format!("; backend {name} is unavailable: {why}"))
                .collect();
            return Err(Error::NotFound(format!(
                "no {} device (backends in use: {}){unavailable}",
                kind.device_kind(),
                if config.backends.is_empty() {
                    "none".to_string()
                } else {
                    config.backends.join(", ")
                }
            )));
        }
        let mut candidates = Vec::new();
        let mut owners = Vec::new();
        for (i, (backend, entry)) in entries.iter().enumerate() {
            let defaults = Defaults::of(&entry.capabilities);
            let current = match (&entry.capabilities, self.live_source(&entry.info.device_id)) {
                (_, Some(source)) => source.control_values(),
                (Capabilities::Video { controls, .. }, None) if !controls.is_empty() => backend
                    .controls(&entry.info.device_id)
                    .and_then(|c| c.read().ok())
                    .unwrap_or_default(),
                _ => ControlValues::new(),
            };
            let spaces = match self.live_source(&entry.info.device_id) {
                Some(source) => {
                    let native = source.native();
                    selection::shared_spaces(
                        &entry.info,
                        &entry.capabilities,
                        &native,
                        &defaults.of_native(&native),
                        &current,
                    )
                }
                None => {
                    selection::fresh_spaces(&entry.info, &entry.capabilities, &defaults, &current)
                }
            };
            owners.extend(std::iter::repeat_n(i, spaces.len()));
            candidates.extend(spaces);
        }
        let (index, choice) = selection::choose(&candidates, constraints)?;
        let (backend, entry) = &entries[owners[index]];
        let source = match (
            &candidates[index].1,
            self.live_source(&entry.info.device_id),
        ) {
            (Plan::Keep { .. }, Some(source)) => source,
            _ => {
                let source = Source::open(
                    Arc::clone(backend),
                    entry.info.clone(),
                    entry.capabilities.clone(),
                    choice.native,
                )?;
                let mut state = lock(&self.inner.state);
                state.sources.retain(|w| w.strong_count() > 0);
                state.sources.push(Arc::downgrade(&source));
                source
            }
        };
        source.apply_controls(constraints, &choice.chosen)?;
        MediaStreamTrack::attach(
            &source,
            choice.settings,
            constraints.raw.clone(),
            config.queue_size,
        )
    }

    fn live_source(&self, device_id: &str) -> Option<Arc<Source>> {
        let state = lock(&self.inner.state);
        state
            .sources
            .iter()
            .filter_map(Weak::upgrade)
            .find(|s| s.device.device_id == device_id && s.is_usable())
    }

    /// Listen for `devicechange`: the list of devices changed. Runs on the event thread.
    pub fn add_device_change_listener(
        &self,
        listener: impl Fn(&EventInfo) + Send + Sync + 'static,
    ) -> ListenerId {
        let id = self
            .inner
            .device_change
            .add("devicechange", Arc::new(listener));
        // The first listener: the list to compare with from now on.
        self.check_device_change();
        id
    }

    /// Remove a `devicechange` listener; false if it was not registered.
    pub fn remove_device_change_listener(&self, id: ListenerId) -> bool {
        let removed = self.inner.device_change.remove(id);
        if self.inner.device_change.is_empty() {
            lock(&self.inner.state).known = None;
        }
        removed
    }

    /// Compare the device list with the last one seen; fire `devicechange` if it differs.
    pub fn check_device_change(&self) {
        if self.inner.device_change.is_empty() {
            lock(&self.inner.state).known = None;
            return;
        }
        let Ok(now) = self.enumerate_devices() else {
            return;
        };
        let changed = {
            let mut state = lock(&self.inner.state);
            let changed = state.known.as_ref().is_some_and(|known| *known != now);
            state.known = Some(now);
            changed
        };
        if changed {
            self.inner
                .device_change
                .fire("devicechange", "the list of devices changed");
        }
    }

    /// Apply a test control to a fake device: `disconnect`, `reconnect`, `mute`,
    /// `unmute`, `fail`, `busy`, `free`.
    pub fn fake_device_control(&self, device_id: &str, action: &str) -> Result<()> {
        let backend = self.backend_of(device_id)?;
        backend.control(device_id, action)
    }

    /// How often a fake device was opened and closed.
    pub fn fake_device_usage(&self, device_id: &str) -> Result<DeviceUsage> {
        let (backends, _) = self.backends()?;
        backends
            .iter()
            .filter(|b| b.name() == "fake")
            .find_map(|b| b.usage(device_id))
            .ok_or_else(|| Error::NotFound(format!("no fake device \"{device_id}\"")))
    }

    fn backend_of(&self, device_id: &str) -> Result<Arc<dyn Backend>> {
        let (backends, _) = self.backends()?;
        let prefix = device_id.split(':').next().unwrap_or_default();
        backends
            .into_iter()
            .find(|b| b.name() == prefix)
            .ok_or_else(|| Error::NotFound(format!("no device with deviceId \"{device_id}\"")))
    }
}
