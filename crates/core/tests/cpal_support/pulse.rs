//! A user-space PulseAudio server for real-time capture through cpal with no
//! sound card: a null sink (`speaker`) that a 440 Hz sine plays into, whose
//! monitor is the default source. [`PulseServer::start`] reaches it through
//! ALSA's `pulse` plugin as ALSA's default PCM (`ALSA_CONFIG_PATH`,
//! `LMS_AUDIO_HOST=alsa`); [`PulseServer::start_native`] through the server's
//! own protocol (`LMS_AUDIO_HOST=pulseaudio`), with a second null sink
//! (`music`) that `pacat` plays a 1 kHz tone into. The null sinks render at
//! the sample rate, so capture is paced by the wall clock like a microphone.
//!
//! A null sink renders in blocks as long as the lowest latency its clients
//! ask for, up to 2 s when idle: a `parec` asking for 10 ms is kept connected
//! so that a capture opened later gets its first chunk at once instead of at
//! the sink's next 2 s wake-up.
//!
//! Needs `pulseaudio`, `pulseaudio-utils` (parec, pactl) and
//! `libasound2-plugins` (the ALSA `pulse` PCM): `scripts/setup` installs them.
//! A missing program fails the test: it is never skipped.

/// Shared with pipewire.rs (by path: benches include this file alone).
#[path = "children.rs"]
pub mod children;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SINK_RATE: u32 = 48_000;
pub const SINE_HZ: f64 = 440.0;
/// The tone `pacat` plays into the `music` sink ([`PulseServer::start_native`]).
pub const MUSIC_HZ: f64 = 1000.0;

pub struct PulseServer {
    pub dir: PathBuf,
    server: Option<Child>,
    keeper: Option<Child>,
    player: Option<Child>,
    native: bool,
}

impl PulseServer {
    /// Start the server and make it ALSA's default device for this process.
    pub fn start() -> PulseServer {
        PulseServer::start_with(false, "")
    }

    /// Start the server for capture through its own protocol, with a `music`
    /// sink that `pacat` plays [`MUSIC_HZ`] into.
    pub fn start_native() -> PulseServer {
        PulseServer::start_with(true, "")
    }

    /// [`PulseServer::start_native`] with more lines for the server's script
    /// (modules to load), run after the sinks are made.
    pub fn start_native_with(script: &str) -> PulseServer {
        PulseServer::start_with(true, script)
    }

    fn start_with(native: bool, extra: &str) -> PulseServer {
        for program in ["pulseaudio", "parec", "pactl", "pacat"] {
            children::require(
                program,
                "the PulseAudio tests need pulseaudio, pulseaudio-utils and libasound2-plugins",
            );
        }
        assert!(
            Path::new("/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so").exists()
                || Path::new("/usr/lib/aarch64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so")
                    .exists(),
            "ALSA's pulse plugin is missing: install libasound2-plugins (scripts/setup does)"
        );
        let dir = std::env::temp_dir().join(format!("lms-pulse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("run")).expect("temp dir");
        let socket = dir.join("native");
        std::fs::write(
            dir.join("script.pa"),
            format!(
                "load-module module-native-protocol-unix socket={} auth-anonymous=1\n\
                 load-module module-null-sink sink_name=speaker rate={SINK_RATE} channels=2\n\
                 load-module module-sine sink=speaker frequency={SINE_HZ}\n\
                 {music}\
                 {extra}\
                 set-default-sink speaker\n\
                 set-default-source speaker.monitor\n",
                socket.display(),
                music = if native {
                    format!(
                        "load-module module-null-sink sink_name=music rate={SINK_RATE} channels=2 \
                         sink_properties=device.description=Music\n"
                    )
                } else {
                    String::new()
                },
            ),
        )
        .expect("script.pa");
        std::fs::write(dir.join("music.raw"), music_tone()).expect("music.raw");
        let conf = dir.join("asound.conf");
        std::fs::write(
            &conf,
            format!(
                "</usr/share/alsa/alsa.conf>\n\
                 pcm.!default {{ type pulse server \"unix:{0}\" }}\n\
                 ctl.!default {{ type pulse server \"unix:{0}\" }}\n",
                socket.display()
            ),
        )
        .expect("asound.conf");
        if native {
            std::env::set_var("LMS_AUDIO_HOST", "pulseaudio");
        } else {
            std::env::set_var("ALSA_CONFIG_PATH", &conf);
            std::env::set_var("LMS_AUDIO_HOST", "alsa");
        }
        std::env::set_var("PULSE_SERVER", format!("unix:{}", socket.display()));
        let mut server = PulseServer {
            dir,
            server: None,
            keeper: None,
            player: None,
            native,
        };
        server.run();
        server
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", &self.dir)
            .env("XDG_RUNTIME_DIR", self.dir.join("run"))
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        children::dies_with_test(&mut c);
        c
    }

    fn run(&mut self) {
        let socket = self.dir.join("native");
        let _ = std::fs::remove_file(&socket);
        let log = std::fs::File::create(self.dir.join("pulseaudio.log")).expect("log file");
        let started = Instant::now();
        let server = self
            .command("pulseaudio")
            .args(["-n", "-F"])
            .arg(self.dir.join("script.pa"))
            .args([
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--log-target=stderr",
            ])
            .stderr(log)
            .spawn()
            .expect("start pulseaudio");
        self.server = Some(server);
        while !socket.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "pulseaudio did not start: see {}",
                self.dir.join("pulseaudio.log").display()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let keeper = self
            .command("parec")
            .args([
                "--latency-msec=10",
                "--format=s16le",
                "--channels=1",
                "--device=speaker.monitor",
            ])
            .spawn()
            .expect("start parec");
        self.keeper = Some(keeper);
        while self.source_outputs() < 1 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "parec did not connect to pulseaudio"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        if self.native {
            self.play_music();
        }
    }

    /// Play [`MUSIC_HZ`] into the `music` sink with `pacat` (native mode).
    fn play_music(&mut self) {
        let player = self
            .command("pacat")
            .args([
                "--playback",
                "--device=music",
                "--format=s16le",
                "--rate=48000",
                "--channels=2",
                "--latency-msec=20",
            ])
            .arg(self.dir.join("music.raw"))
            .spawn()
            .expect("start pacat");
        self.player = Some(player);
    }

    /// Run `pactl` with `args` against this server; its standard output.
    pub fn pactl(&self, args: &[&str]) -> String {
        let out = self
            .command("pactl")
            .args(args)
            .stdout(Stdio::piped())
            .output()
            .expect("run pactl");
        assert!(out.status.success(), "pactl {args:?} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// How many capture streams the server has now.
    pub fn source_outputs(&self) -> usize {
        let out = self
            .command("pactl")
            .args(["list", "short", "source-outputs"])
            .stdout(Stdio::piped())
            .output()
            .expect("run pactl");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    /// Kill the server (as if the sound system crashed).
    pub fn kill(&mut self) {
        for child in [self.player.take(), self.keeper.take(), self.server.take()]
            .into_iter()
            .flatten()
        {
            let mut child = child;
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again after [`PulseServer::kill`].
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }
}

/// 90 s of [`MUSIC_HZ`] at half scale, s16le stereo at [`SINK_RATE`].
fn music_tone() -> Vec<u8> {
    let frames = 90 * SINK_RATE as usize;
    let mut out = Vec::with_capacity(frames * 4);
    for i in 0..frames {
        let v = (std::f64::consts::TAU * MUSIC_HZ * i as f64 / f64::from(SINK_RATE)).sin() * 0.5;
        let s = ((v * 32767.0).round() as i16).to_le_bytes();
        out.extend_from_slice(&s);
        out.extend_from_slice(&s);
    }
    out
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
