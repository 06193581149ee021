//! Which devices the command sees: the environment's configuration, a
//! `--config` document over it, or `--fake` for the built-in fake devices.

use clap::Args;
use lms_core::{Config, Error, MediaDevices};
use serde_json::Value;

/// Options every subcommand takes.
#[derive(Args, Debug)]
pub struct Setup {
    /// Use the built-in fake camera and microphone (a moving test picture and a 440 Hz tone).
    #[arg(long, global = true)]
    pub fake: bool,
    /// A localmediastream configuration document (JSON, as for configure()), e.g.
    /// '{"backends": ["file"], "file": {"video": "clip.y4m"}}'.
    #[arg(long, global = true, value_name = "JSON")]
    pub config: Option<String>,
}

impl Setup {
    /// The configuration in force: environment, then `--config`, then `--fake`.
    ///
    /// Backends nobody asked for by name (the defaults, for real devices) that
    /// this build lacks are left out, so the command works with what it has.
    pub fn configuration(&self, queue_size: Option<usize>) -> Result<Config, Error> {
        let document = match &self.config {
            Some(text) => Some(
                serde_json::from_str::<Value>(text)
                    .map_err(|e| Error::Type(format!("--config is not valid JSON: {e}")))?,
            ),
            None => None,
        };
        let mut config = Config::from_env()?;
        if let Some(doc) = &document {
            config.apply(doc)?;
        }
        let named = std::env::var_os("LMS_BACKENDS").is_some()
            || document
                .as_ref()
                .is_some_and(|d| d.get("backends").is_some());
        if !named {
            config
                .backends
                .retain(|b| lms_core::backend::is_compiled(b));
        }
        if self.fake {
            config.backends = vec!["fake".into()];
        }
        if let Some(size) = queue_size {
            if document
                .as_ref()
                .is_none_or(|d| d.get("queueSize").is_none())
            {
                config.queue_size = size;
            }
        }
        if config.backends.is_empty() {
            return Err(Error::NotFound(
                "no device backends: this build has no real cameras or microphones; \
                 use --fake, or play files with LMS_FAKE_VIDEO_FILE / LMS_FAKE_AUDIO_FILE \
                 or --config '{\"file\": {\"video\": \"clip.y4m\"}}'"
                    .into(),
            ));
        }
        Ok(config)
    }

    /// An instance with the configuration in force.
    pub fn devices(&self, queue_size: Option<usize>) -> Result<MediaDevices, Error> {
        MediaDevices::new(self.configuration(queue_size)?)
    }
}
