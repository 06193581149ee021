//! `lms`: the command-line face of localmediastream.
//!
//! - `lms devices [--json]`: every device with its capabilities.
//! - `lms capture`: record from a camera and a microphone into DIR/video.y4m,
//!   DIR/audio.wav and DIR/snapshot.png, with a live progress line.
//! - `lms probe DEVICE_ID`: capabilities, default settings and a short
//!   capture report (frame rate achieved, timestamp jitter, drops).
//! - `lms controls DEVICE_ID [--set NAME=VALUE ...]`: a camera's controls
//!   (zoom, focus, exposure...) with their ranges and values; sets them.
//! - `lms photo DEVICE_ID FILE`: one photo (JPEG, or PNG for FILE.png).
//!
//! Each error name of the library has its own exit code (see `exit`).

mod camera;
mod capture;
mod controls;
mod devices;
mod exit;
mod outputs;
mod photo;
mod probe;
mod progress;
mod setup;
mod wav;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// getUserMedia() for the command line: list, record and probe cameras and microphones,
/// set camera controls and take photos.
#[derive(Parser, Debug)]
#[command(name = "lms", version, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(flatten)]
    setup: setup::Setup,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every device with its capabilities (sizes, frame rates, formats, sample rates).
    ///
    /// Audio outputs are listed too (kind audiooutput). With a PulseAudio or
    /// PipeWire server each output's monitor is a microphone of its own
    /// ("Monitor of ..."): record what the machine plays with
    /// `lms capture --constraints '{"audio": {"deviceId": {"exact": "cpal:NAME.monitor"}}}'`.
    Devices {
        /// Print JSON (an array of devices, each with "capabilities") instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Record into DIR/video.y4m, DIR/audio.wav and DIR/snapshot.png (the last picture).
    ///
    /// Without --video or --audio, every kind that has a device is recorded
    /// (both, on most machines). Files of an earlier capture in DIR are
    /// replaced. A progress line shows the
    /// time, the frame rate, frames dropped and an audio level meter (plain
    /// lines when the output is not a terminal). Ctrl-C stops and leaves valid
    /// files. A track asking pixelFormat MJPEG is written as DIR/video.mjpeg.
    ///
    /// System audio: an output's monitor (`lms devices` lists them, "Monitor
    /// of ...") is recorded like a microphone, by its deviceId in --constraints.
    ///
    /// DIR/audio.wav is 16-bit PCM (WAV format tag 1), which every WAV reader
    /// opens, at the track's rate and channel count; --sample-format f32 writes
    /// 32-bit float instead. --duration D writes round(D x rate) sample frames
    /// (48000 for 1s at 48 kHz) unless the capture stops early.
    Capture(CaptureArgs),
    /// Show a device's capabilities and default settings, then capture from it
    /// for a while and report the frame rate achieved, timestamp jitter and drops.
    Probe {
        /// The device, as `lms devices` lists it (e.g. fake:video:0, file:audio:0).
        device_id: String,
        /// How long to capture for the report, e.g. 2s, 500ms.
        #[arg(long, default_value = "2s", value_parser = parse_duration)]
        duration: Duration,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show a camera's controls (white balance, exposure, focus, zoom, pan, tilt,
    /// brightness, torch...) with their ranges or modes and current values, and set them.
    ///
    /// Values are read back from the camera. --set opens the camera with each
    /// setting as an exact constraint (getUserMedia), so an impossible value
    /// fails with OverconstrainedError naming the control and nothing is
    /// changed; a manual value (exposureTime, focusDistance, colorTemperature)
    /// switches its mode (exposureMode, focusMode, whiteBalanceMode) to manual
    /// first. A real camera keeps the values after the command ends (as its
    /// driver does); the fake camera forgets them.
    Controls {
        /// The camera, as `lms devices` lists it (e.g. fake:video:0).
        device_id: String,
        /// Set a control: a number (brightness=200, zoom=1.5), a mode
        /// (focusMode=manual: manual, continuous, single-shot, none) or
        /// true/false (torch=true). Repeat for several.
        #[arg(long = "set", value_name = "NAME=VALUE", value_parser = controls::parse_setting)]
        set: Vec<controls::Setting>,
        /// Print JSON ({"device", "controls": {NAME: {"value", "min", "max", "step"} or
        /// {"value", "values"}}}) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Take a photo (ImageCapture's takePhoto) and write it to FILE: PNG when
    /// FILE ends in .png, JPEG otherwise.
    ///
    /// Without --width and --height the photo has the camera's default size;
    /// one of them alone keeps the camera's aspect ratio. A size larger than
    /// the camera's default is asked of the camera first; one it cannot reach
    /// fails with OverconstrainedError (imageWidth / imageHeight).
    Photo {
        /// The camera, as `lms devices` lists it (e.g. fake:video:0).
        device_id: String,
        /// Where to write the photo (e.g. photo.jpg, photo.png).
        file: PathBuf,
        /// Photo width in pixels.
        #[arg(long, value_name = "W", value_parser = clap::value_parser!(u32).range(1..))]
        width: Option<u32>,
        /// Photo height in pixels.
        #[arg(long, value_name = "H", value_parser = clap::value_parser!(u32).range(1..))]
        height: Option<u32>,
        /// How long to wait for the camera's picture, e.g. 10s, 500ms.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        timeout: Duration,
    },
}

#[derive(Args, Debug)]
pub struct CaptureArgs {
    /// Record video (from the first camera, or what --constraints picks).
    #[arg(long)]
    video: bool,
    /// Record audio (from the first microphone, or what --constraints picks).
    #[arg(long)]
    audio: bool,
    /// getUserMedia constraints as JSON, e.g. '{"video": {"width": 1280}, "audio": true}'.
    /// Replaces --video and --audio.
    #[arg(long, value_name = "JSON")]
    constraints: Option<String>,
    /// How long to record, e.g. 5s, 1.5s, 800ms, 2m [default: 5s].
    #[arg(long, value_parser = parse_duration, conflicts_with = "frames")]
    duration: Option<Duration>,
    /// Stop after N video frames (audio-only: N audio chunks).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    frames: Option<u64>,
    /// How DIR/audio.wav stores its samples, whatever format the track delivers.
    /// More than 2 channels are written as WAVE_FORMAT_EXTENSIBLE (format tag 65534).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = wav::WavSampleFormat::S16)]
    sample_format: wav::WavSampleFormat,
    /// Folder for the files (made if missing).
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
}

/// `5s`, `1.5s`, `800ms`, `2m`, or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration like 5s, 1.5s, 800ms or 2m"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit \"{other}\" in \"{text}\" (ms, s, m, h)"
            ))
        }
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 7.0 * 24.0 * 3600.0) {
        return Err(format!("\"{text}\" must be more than 0 and at most a week"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Devices { json } => devices::run(&cli.setup, *json),
        Command::Capture(args) => capture::run(&cli.setup, args),
        Command::Probe {
            device_id,
            duration,
            json,
        } => probe::run(&cli.setup, device_id, *duration, *json),
        Command::Controls {
            device_id,
            set,
            json,
        } => controls::run(&cli.setup, device_id, set, *json),
        Command::Photo {
            device_id,
            file,
            width,
            height,
            timeout,
        } => photo::run(&cli.setup, device_id, file, *width, *height, *timeout),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lms: {e}");
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("800ms"), Ok(Duration::from_millis(800)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        for bad in ["", "5x", "-1s", "0s", "abc", "1e9h", "NaNs"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
