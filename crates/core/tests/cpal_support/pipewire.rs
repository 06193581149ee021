//! A user-space PipeWire for real-time capture with no sound card:
//! `pipewire`, the `wireplumber` session manager and `pipewire-pulse` (the
//! PulseAudio protocol, which cpal's `pulseaudio` host speaks), each with a
//! private `XDG_RUNTIME_DIR`, `HOME` and configuration and state directories,
//! no D-Bus and no display. A null sink (`speaker`, 48 kHz stereo, loaded
//! through `pactl load-module module-null-sink`) is the default output and
//! its monitor the default source; [`PipeWireServer::play_tone`] has `pacat`
//! play a 440 Hz sine into it (pipewire-pulse has no `module-sine`). The
//! graph is driven by PipeWire's timer-based dummy driver, so capture is
//! paced by the wall clock like a microphone.
//!
//! WirePlumber is configured to look at no device (ALSA, V4L2, libcamera,
//! Bluetooth): on a desktop it must not take the real sound card, and with
//! its D-Bus plugins (device reservation, logind, the portal) off it runs
//! without a session bus.
//!
//! Nothing here changes the environment of the calling process: point
//! `PULSE_SERVER` at [`PipeWireServer::pulse_server`] to use it.
//!
//! Needs `pipewire`, `pipewire-pulse` and `wireplumber` (Debian bookworm:
//! 0.3.65 and 0.4.13) and `pulseaudio-utils` (pactl, pacat): `scripts/setup`
//! installs them. A missing program fails the test: it is never skipped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const RATE: u32 = 48_000;
/// The tone [`PipeWireServer::play_tone`] plays: left at [`TONE_LEFT`], right at [`TONE_RIGHT`].
pub const TONE_HZ: f64 = 440.0;
pub const TONE_LEFT: f64 = 0.5;
pub const TONE_RIGHT: f64 = 0.25;

const START_LIMIT: Duration = Duration::from_secs(30);

/// The server's processes, killed (and the directory removed) on drop.
pub struct PipeWireServer {
    pub dir: PathBuf,
    /// pipewire, wireplumber, pipewire-pulse: (program, process).
    servers: Vec<(&'static str, Child)>,
    player: Option<Child>,
}

impl PipeWireServer {
    /// Start PipeWire, WirePlumber and pipewire-pulse, with the `speaker`
    /// null sink the default output and its monitor the default source.
    pub fn start() -> PipeWireServer {
        for program in [
            "pipewire",
            "pipewire-pulse",
            "wireplumber",
            "pactl",
            "pacat",
        ] {
            super::pulse::children::require(
                program,
                "the PipeWire tests need pipewire, pipewire-pulse, wireplumber and \
                 pulseaudio-utils",
            );
        }
        let dir = std::env::temp_dir().join(format!("lms-pipewire-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in [
            "run",
            "home",
            "state",
            "data",
            "config/wireplumber/main.lua.d",
            "config/wireplumber/bluetooth.lua.d",
        ] {
            std::fs::create_dir_all(dir.join(sub)).expect("temp dir");
        }
        {
            use std::os::unix::fs::PermissionsExt;
            let run = dir.join("run");
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))
                .expect("XDG_RUNTIME_DIR mode");
        }
        // Read after WirePlumber's own 50-*.lua, before its 90-enable-all.lua.
        std::fs::write(
            dir.join("config/wireplumber/main.lua.d/60-lms-test.lua"),
            "alsa_monitor.enabled = false\n\
             v4l2_monitor.enabled = false\n\
             libcamera_monitor.enabled = false\n\
             default_access.properties[\"enable-flatpak-portal\"] = false\n",
        )
        .expect("wireplumber config");
        std::fs::write(
            dir.join("config/wireplumber/bluetooth.lua.d/60-lms-test.lua"),
            "bluez_monitor.enabled = false\n",
        )
        .expect("wireplumber config");
        let mut server = PipeWireServer {
            dir,
            servers: Vec::new(),
            player: None,
        };
        server.run();
        server
    }

    /// pipewire-pulse's socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("run/pulse/native")
    }

    /// The value for `PULSE_SERVER` (and the server of ALSA's `pulse` plugin).
    pub fn pulse_server(&self) -> String {
        format!("unix:{}", self.socket().display())
    }

    /// The cookie the server's `pactl` created (libpulse makes one on first
    /// use), for `PULSE_COOKIE`: cpal's PulseAudio client sends an empty one
    /// when it finds none at `$PULSE_COOKIE`, `~/.config/pulse/cookie` or
    /// `~/.pulse-cookie`, and pipewire-pulse refuses that (it wants 256
    /// bytes), so without it a test would depend on the user's home.
    pub fn cookie(&self) -> PathBuf {
        self.dir.join("config/pulse/cookie")
    }

    /// The process ids of pipewire, wireplumber and pipewire-pulse.
    pub fn pids(&self) -> Vec<(&'static str, u32)> {
        self.servers.iter().map(|(n, c)| (*n, c.id())).collect()
    }

    /// A command run in the server's private environment (its runtime,
    /// home and configuration directories; no D-Bus, no display), killed
    /// with this process.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", self.dir.join("home"))
            .env("XDG_RUNTIME_DIR", self.dir.join("run"))
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_STATE_HOME", self.dir.join("state"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("PULSE_SERVER", self.pulse_server())
            // Not the user's session bus (nor one autolaunched for a display).
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("PIPEWIRE_REMOTE")
            .env_remove("PIPEWIRE_RUNTIME_DIR")
            .env_remove("PULSE_RUNTIME_PATH")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        super::pulse::children::dies_with_test(&mut c);
        c
    }

    fn spawn_logged(&mut self, program: &'static str) {
        let log = std::fs::File::create(self.dir.join(format!("{program}.log"))).expect("log");
        let child = self
            .command(program)
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        self.servers.push((program, child));
    }

    fn wait_for(&mut self, what: &str, mut ready: impl FnMut(&mut Self) -> bool) {
        let started = Instant::now();
        while !ready(self) {
            for (program, child) in &mut self.servers {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "{program} exited ({status}) while waiting for {what}: see {}",
                        self.dir.join(format!("{program}.log")).display()
                    );
                }
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "PipeWire did not start ({what}): see the logs in {}",
                self.dir.display()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn run(&mut self) {
        self.spawn_logged("pipewire");
        let core = self.dir.join("run/pipewire-0");
        self.wait_for("pipewire's socket", |_| core.exists());
        self.spawn_logged("wireplumber");
        self.spawn_logged("pipewire-pulse");
        let socket = self.socket();
        self.wait_for("pipewire-pulse's socket", |_| socket.exists());
        self.pactl(&[
            "load-module",
            "module-null-sink",
            "sink_name=speaker",
            &format!("rate={RATE}"),
            "channels=2",
            "sink_properties=device.description=Speaker",
        ]);
        // WirePlumber makes the configured defaults the defaults once it sees the sink.
        self.wait_for("WirePlumber to set the defaults", |s| {
            s.pactl(&["set-default-sink", "speaker"]);
            s.pactl(&["set-default-source", "speaker.monitor"]);
            s.pactl(&["get-default-source"]).trim() == "speaker.monitor"
                && s.pactl(&["get-default-sink"]).trim() == "speaker"
        });
        assert!(self.cookie().is_file(), "pactl made no cookie");
    }

    /// `pactl` with `args` against this server: its standard output.
    pub fn pactl(&self, args: &[&str]) -> String {
        let out = self
            .command("pactl")
            .args(args)
            .stdout(Stdio::piped())
            .output()
            .expect("run pactl");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Have `pacat` play `seconds` of the tone into the `speaker` sink, with
    /// a 1 s buffer (a player late by less than that leaves no gap).
    pub fn play_tone(&mut self, seconds: f64) {
        let raw = self.dir.join("tone.raw");
        std::fs::write(&raw, tone(seconds)).expect("tone.raw");
        let player = self
            .command("pacat")
            .args([
                "--playback",
                "--device=speaker",
                "--format=s16le",
                &format!("--rate={RATE}"),
                "--channels=2",
                "--latency-msec=1000",
            ])
            .arg(&raw)
            .spawn()
            .expect("start pacat");
        self.player = Some(player);
        self.wait_for("pacat to connect", |s| {
            s.pactl(&["list", "short", "sink-inputs"])
                .lines()
                .any(|l| !l.trim().is_empty())
        });
    }

    /// Kill the player and the servers.
    pub fn kill(&mut self) {
        let player = self.player.take();
        let servers = std::mem::take(&mut self.servers).into_iter().rev();
        for mut child in player.into_iter().chain(servers.map(|(_, c)| c)) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `seconds` of the tone, s16le stereo at [`RATE`].
fn tone(seconds: f64) -> Vec<u8> {
    let frames = (seconds * f64::from(RATE)) as usize;
    let mut out = Vec::with_capacity(frames * 4);
    for i in 0..frames {
        let v = (std::f64::consts::TAU * TONE_HZ * i as f64 / f64::from(RATE)).sin();
        for gain in [TONE_LEFT, TONE_RIGHT] {
            out.extend_from_slice(&((v * gain * 32767.0).round() as i16).to_le_bytes());
        }
    }
    out
}

impl Drop for PipeWireServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
