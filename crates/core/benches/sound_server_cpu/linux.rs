//! The CPU that capturing a second of 48 kHz stereo costs, through each way
//! a program on Linux reaches a sound server, in the same run on the same
//! server: a user-space PulseAudio (cpal_support/pulse.rs: a null sink's
//! monitor, a 440 Hz sine playing into it) and then a user-space PipeWire
//! with pipewire-pulse (cpal_support/pipewire.rs: a null sink's monitor).
//!
//! - `lms native`: our default path, cpal's `pulseaudio` host (a pure-Rust
//!   client of the server's protocol; `LMS_AUDIO_HOST=pulseaudio`);
//! - `lms ALSA pulse`: ALSA's `pulse` plugin as ALSA's default PCM
//!   (`LMS_AUDIO_HOST=alsa`, `ALSA_CONFIG_PATH`), libpulse underneath;
//! - `parec`: PulseAudio's own recorder, `--latency-msec=10`, to /dev/null.
//!
//! Our cases run in a child process each (this program again, with
//! `--case`): the host choice is read from the environment, which is
//! process-wide, and the server connection is kept for the process's life.
//! A child opens the default microphone (processing off, 10 ms chunks, read
//! by a thread blocked in `read()`), lets it settle, then measures its own
//! CPU (getrusage, every thread) over the seconds of audio it reads. An
//! `idle` child (the library loaded, nothing listed or captured)
//! is the baseline taken off ours. parec's CPU and the servers' come from
//! /proc/<pid>/stat over the same window; the server's is shown above its
//! idle baseline (PulseAudio's includes serving pulse.rs's 10 ms `parec`
//! that keeps the null sink awake, in every case alike).
//!
//! `cargo bench -p lms-core --bench sound_server_cpu` (10 s per case);
//! `cargo test --all-targets` runs it for a moment as a smoke test.

#[path = "../../tests/cpal_support/pipewire.rs"]
#[allow(dead_code)]
mod pipewire;
#[path = "../../tests/cpal_support/pulse.rs"]
#[allow(dead_code)]
mod pulse;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lms_core::MediaDevices;

/// The goal: CPU per second of 48 kHz stereo capture.
const GOAL_MS: f64 = 10.0;
const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));
const CONSTRAINTS: &str = r#"{"audio": {"sampleRate": 48000, "channelCount": 2,
    "echoCancellation": false, "noiseSuppression": false, "autoGainControl": false}}"#;

fn self_cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

/// CPU seconds of each live thread of `pid` ("self" for this process), by
/// thread name, from /proc/<pid>/task/*/schedstat (nanoseconds, where
/// /proc/<pid>/stat counts 10 ms ticks).
fn thread_cpu(pid: &str) -> Vec<(u32, String, f64)> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| {
            let tid = t.file_name().to_str()?.parse::<u32>().ok()?;
            let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
            let stat = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
            let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
            Some((tid, comm.trim().to_string(), ns / 1e9))
        })
        .collect()
}

/// CPU seconds of process `pid`, every live thread.
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let threads = thread_cpu(&pid.to_string());
    (!threads.is_empty()).then(|| threads.iter().map(|t| t.2).sum())
}

/// Where this process's CPU between `before` and `after` went, by thread
/// name (`main` the thread reading the track; threads spawned unnamed, as
/// cpal's PulseAudio threads are, by id): `name=ms;...`.
fn split_by_thread(before: &[(u32, String, f64)], after: &[(u32, String, f64)]) -> String {
    let pid = std::process::id();
    let program = after.iter().find(|t| t.0 == pid).map(|t| t.1.clone());
    let mut by_name: Vec<(String, f64)> = Vec::new();
    for (tid, name, t) in after {
        let name = &if *tid == pid {
            "main".to_string()
        } else if Some(name) == program.as_ref() {
            format!("unnamed-{tid}")
        } else {
            name.clone()
        };
        let t0 = before.iter().find(|b| b.0 == *tid).map_or(0.0, |b| b.2);
        match by_name.iter_mut().find(|n| n.0 == *name) {
            Some(n) => n.1 += t - t0,
            None => by_name.push((name.clone(), t - t0)),
        }
    }
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_name
        .iter()
        .filter(|n| n.1 > 0.0)
        .map(|(n, t)| format!("{}={:.1}ms", n.replace([' ', ';', '='], "_"), t * 1e3))
        .collect::<Vec<_>>()
        .join(";")
}

// ---------------------------------------------------------------- the child

/// One case in this process: `idle` or `capture`; prints `START` when its
/// measured window begins and `END <cpu s> <audio s> <wall s> <device id>`.
fn child(case: &str, seconds: f64) {
    let md = MediaDevices::from_json(r#"{"backends": ["cpal"], "queueSize": 1024}"#)
        .expect("configuration");
    match case {
        "idle" => {
            println!("START");
            let (cpu0, wall0) = (self_cpu_seconds(), Instant::now());
            std::thread::sleep(Duration::from_secs_f64(seconds));
            let wall = wall0.elapsed().as_secs_f64();
            println!("END {} {wall} {wall} -", self_cpu_seconds() - cpu0);
        }
        "capture" => {
            let stream = md.get_user_media_json(CONSTRAINTS).expect("capture");
            let track = stream.get_audio_tracks().remove(0);
            let device = track.settings_json()["deviceId"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            let read_seconds = |limit: f64| {
                let mut audio = 0.0;
                while audio < limit {
                    let frame = track.read(TIMEOUT).expect("a chunk");
                    let a = frame.audio().expect("audio");
                    audio += a.frames() as f64 / f64::from(a.sample_rate());
                }
                audio
            };
            read_seconds((seconds / 4.0).min(1.0));
            println!("START");
            let threads0 = thread_cpu("self");
            let (cpu0, wall0) = (self_cpu_seconds(), Instant::now());
            let audio = read_seconds(seconds);
            let (cpu, wall) = (self_cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
            let split = split_by_thread(&threads0, &thread_cpu("self"));
            println!("END {cpu} {audio} {wall} {device} {split}");
            stream.stop();
        }
        other => panic!("no case {other}"),
    }
}

// --------------------------------------------------------------- the parent

/// What one case cost over its measured window.
struct Measure {
    /// CPU seconds of the client (our child, or parec).
    client: f64,
    audio: f64,
    wall: f64,
    /// CPU seconds of each server process.
    server: Vec<f64>,
    device: String,
    /// Our child's CPU by thread (`name=ms;...`).
    threads: String,
}

fn cpu_of(pids: &[u32]) -> Vec<f64> {
    pids.iter()
        .map(|&p| process_cpu_seconds(p).unwrap_or(f64::NAN))
        .collect()
}

fn delta(after: &[f64], before: &[f64]) -> Vec<f64> {
    after.iter().zip(before).map(|(a, b)| a - b).collect()
}

fn die_with_parent(c: &mut Command) -> &mut Command {
    // SAFETY: prctl is async-signal-safe and touches only the child.
    unsafe {
        c.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        })
    }
}

/// Run `case` in a child with `env` set (and `remove` unset).
fn run_child(
    case: &str,
    env: &[(&str, String)],
    remove: &[&str],
    seconds: f64,
    pids: &[u32],
) -> Measure {
    let mut command = Command::new(std::env::current_exe().expect("this program"));
    command
        .args(["--case", case, "--seconds", &seconds.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        command.env(k, v);
    }
    for k in remove {
        command.env_remove(k);
    }
    let mut child = die_with_parent(&mut command).spawn().expect("run a case");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut server0 = Vec::new();
    let mut measure = None;
    for line in lines {
        let line = line.expect("the case's output");
        if line == "START" {
            server0 = cpu_of(pids);
        } else if let Some(rest) = line.strip_prefix("END ") {
            let server = delta(&cpu_of(pids), &server0);
            let f: Vec<&str> = rest.split_whitespace().collect();
            let num = |i: usize| f[i].parse::<f64>().expect("a number");
            measure = Some(Measure {
                client: num(0),
                audio: num(1),
                wall: num(2),
                server,
                device: f.get(3).unwrap_or(&"?").to_string(),
                threads: f.get(4).unwrap_or(&"").to_string(),
            });
        }
    }
    let status = child.wait().expect("the case");
    assert!(status.success(), "case {case} failed: {status}");
    measure.unwrap_or_else(|| panic!("case {case} said nothing"))
}

/// `parec` from the default source to /dev/null.
fn run_parec(server: &str, seconds: f64, pids: &[u32]) -> Measure {
    let mut command = Command::new("parec");
    command
        .env("PULSE_SERVER", server)
        .args([
            "--latency-msec=10",
            "--format=float32le",
            "--rate=48000",
            "--channels=2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let mut child = die_with_parent(&mut command).spawn().expect("run parec");
    std::thread::sleep(Duration::from_secs_f64((seconds / 4.0).min(1.0)));
    let pid = child.id();
    let (client0, server0, wall0) = (
        process_cpu_seconds(pid).expect("parec's CPU"),
        cpu_of(pids),
        Instant::now(),
    );
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let client = process_cpu_seconds(pid).expect("parec's CPU") - client0;
    let server = delta(&cpu_of(pids), &server0);
    let wall = wall0.elapsed().as_secs_f64();
    assert!(
        child.try_wait().expect("parec").is_none(),
        "parec stopped early"
    );
    let _ = child.kill();
    let _ = child.wait();
    Measure {
        client,
        audio: wall,
        wall,
        server,
        device: "default source".to_string(),
        threads: String::new(),
    }
}

/// Our three paths and the idle baseline against the server at `pulse_server`.
fn measure_server(
    title: &str,
    pulse_server: &str,
    cookie: &Path,
    asound_conf: &Path,
    pids: &[(&str, u32)],
    seconds: f64,
) {
    let ids: Vec<u32> = pids.iter().map(|p| p.1).collect();
    let server = [
        ("PULSE_SERVER", pulse_server.to_string()),
        // The server's own (cpal's client finds none but in the user's home).
        ("PULSE_COOKIE", cookie.display().to_string()),
    ];
    let idle = run_child(
        "idle",
        &server,
        &["LMS_AUDIO_HOST", "ALSA_CONFIG_PATH"],
        seconds,
        &ids,
    );
    let native = run_child(
        "capture",
        &[
            server[0].clone(),
            server[1].clone(),
            ("LMS_AUDIO_HOST", "pulseaudio".to_string()),
        ],
        &["ALSA_CONFIG_PATH"],
        seconds,
        &ids,
    );
    let alsa = run_child(
        "capture",
        &[
            server[0].clone(),
            server[1].clone(),
            ("LMS_AUDIO_HOST", "alsa".to_string()),
            ("ALSA_CONFIG_PATH", asound_conf.display().to_string()),
        ],
        &[],
        seconds,
        &ids,
    );
    let parec = run_parec(pulse_server, seconds, &ids);

    let names: Vec<&str> = pids.iter().map(|p| p.0).collect();
    println!(
        "\n{title}: 48 kHz stereo, {seconds} s per case; goal <= {GOAL_MS} ms CPU per s of audio"
    );
    println!(
        "  idle baseline: our process {:.3} ms/s, server ({}) {:.3} ms/s",
        1e3 * idle.client / idle.wall,
        names.join(" + "),
        1e3 * idle.server.iter().sum::<f64>() / idle.wall,
    );
    println!(
        "  {:<30} {:>13} {:>9} {:>13} {:>13}  device / server split",
        "case", "client ms/s", "(raw)", "server ms/s", "total ms/s"
    );
    for (name, m, ours) in [
        ("lms native (pulseaudio host)", &native, true),
        ("lms ALSA pulse plugin", &alsa, true),
        ("parec --latency-msec=10", &parec, false),
    ] {
        let raw = 1e3 * m.client / m.audio;
        let client = if ours {
            1e3 * (m.client - idle.client / idle.wall * m.wall) / m.audio
        } else {
            raw
        };
        let above_idle: Vec<f64> = m
            .server
            .iter()
            .zip(&idle.server)
            .map(|(s, i)| 1e3 * (s - i / idle.wall * m.wall) / m.audio)
            .collect();
        let server: f64 = above_idle.iter().sum();
        let split = if above_idle.len() > 1 {
            format!(
                " ({})",
                names
                    .iter()
                    .zip(&above_idle)
                    .map(|(n, v)| format!("{n} {v:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        println!(
            "  {name:<30} {client:>13.3} {raw:>9.3} {server:>13.3} {:>13.3}  {}{split} [{}]",
            client + server,
            m.device,
            if client <= GOAL_MS {
                "client within goal"
            } else {
                "client OVER goal"
            }
        );
        if !m.threads.is_empty() {
            println!("  {:<30} our threads: {}", "", m.threads.replace(';', ", "));
        }
    }
}

/// The PulseAudio server process serving `dir` (pulse.rs keeps it private).
fn pulseaudio_pid(dir: &Path) -> u32 {
    let dir = dir.display().to_string();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.starts_with("pulseaudio\0") && c.contains(&dir)
            })
        })
        .expect("the pulseaudio process")
}

pub fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(case) = arg("--case") {
        let seconds = arg("--seconds").and_then(|s| s.parse().ok()).unwrap_or(1.0);
        child(case, seconds);
        return;
    }
    let benching = args.iter().any(|a| a == "--bench");
    let seconds = if benching { 10.0 } else { 0.3 };

    {
        let server = pulse::PulseServer::start();
        let pid = pulseaudio_pid(&server.dir);
        let version = Command::new("pulseaudio")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        measure_server(
            &format!("PulseAudio ({version}, user-space, a null sink's monitor)"),
            &std::env::var("PULSE_SERVER").expect("PULSE_SERVER, set by pulse.rs"),
            &server.dir.join("config/pulse/cookie"),
            &server.dir.join("asound.conf"),
            &[("pulseaudio", pid)],
            seconds,
        );
    }

    let server = pipewire::PipeWireServer::start();
    let conf = server.dir.join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "</usr/share/alsa/alsa.conf>\n\
             pcm.!default {{ type pulse server \"{0}\" }}\n\
             ctl.!default {{ type pulse server \"{0}\" }}\n",
            server.pulse_server()
        ),
    )
    .expect("asound.conf");
    let version = Command::new("pipewire")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    measure_server(
        &format!("PipeWire ({version}, pipewire-pulse, user-space, a null sink's monitor)"),
        &server.pulse_server(),
        &server.cookie(),
        &conf,
        &server.pids(),
        seconds,
    );
}
