//! A user-space PulseAudio server for real-time capture through cpal with no
//! sound card: a null sink (`speaker`) that a 440 Hz sine plays into, whose
//! monitor is the default source, reached through ALSA's `pulse` plugin as
//! ALSA's default PCM (`ALSA_CONFIG_PATH`). The null sink renders at the
//! sample rate, so capture is paced by the wall clock like a microphone.
//!
//! A null sink renders in blocks as long as the lowest latency its clients
//! ask for, up to 2 s when idle: a `parec` asking for 10 ms is kept connected
//! so that a capture opened later gets its first chunk at once instead of at
//! the sink's next 2 s wake-up.
//!
//! Needs `pulseaudio`, `pulseaudio-utils` (parec, pactl) and
//! `libasound2-plugins` (the ALSA `pulse` PCM): `scripts/setup` installs them.
//! A missing program fails the test: it is never skipped.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SINK_RATE: u32 = 48_000;
pub const SINE_HZ: f64 = 440.0;

pub struct PulseServer {
    pub dir: PathBuf,
    server: Option<Child>,
    keeper: Option<Child>,
}

fn require(program: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()));
    assert!(
        found,
        "{program} is not installed: the PulseAudio tests need pulseaudio, \
         pulseaudio-utils and libasound2-plugins (scripts/setup installs them)"
    );
}

impl PulseServer {
    /// Start the server and make it ALSA's default device for this process.
    pub fn start() -> PulseServer {
        for program in ["pulseaudio", "parec", "pactl"] {
            require(program);
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
                 set-default-source speaker.monitor\n",
                socket.display()
            ),
        )
        .expect("script.pa");
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
        std::env::set_var("ALSA_CONFIG_PATH", &conf);
        std::env::set_var("PULSE_SERVER", format!("unix:{}", socket.display()));
        let mut server = PulseServer {
            dir,
            server: None,
            keeper: None,
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
        // A test process killed before its Drop runs (a timeout) takes its
        // PulseAudio and parec with it instead of leaving them running.
        // SAFETY: prctl is async-signal-safe and touches only the child.
        unsafe {
            c.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
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
        for child in [self.keeper.take(), self.server.take()]
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

impl Drop for PulseServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
