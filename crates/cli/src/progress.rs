//! The live progress line of `lms capture`: redrawn in place on a terminal,
//! printed as plain lines (once a second) when the output is a file or pipe.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Where a capture stands.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub elapsed: Duration,
    /// Frames written, frames per second over the last second, frames dropped.
    pub video: Option<(u64, f64, u64)>,
    /// Seconds written, peak level (0..=1) since the last line, chunks dropped.
    pub audio: Option<(f64, f32, u64)>,
}

/// Width of the audio level meter, in characters.
const METER: usize = 20;

impl Status {
    /// `00:01.5  video 45 frames 30.0 fps 0 dropped  audio 1.50 s [######    ] -12 dBFS 0 dropped`
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let mut s = format!("{:02}:{:04.1}", (secs / 60.0) as u64, secs % 60.0);
        if let Some((frames, fps, dropped)) = self.video {
            s.push_str(&format!(
                "  video {frames} frames {fps:.1} fps {dropped} dropped"
            ));
        }
        if let Some((seconds, peak, dropped)) = self.audio {
            s.push_str(&format!(
                "  audio {seconds:.2} s {} {dropped} dropped",
                meter(peak)
            ));
        }
        s
    }
}

/// `[#######             ] -18 dBFS` for a peak level in 0..=1 (the bar spans -60..0 dBFS).
pub fn meter(peak: f32) -> String {
    let db = if peak > 0.0 {
        20.0 * f64::from(peak).log10()
    } else {
        f64::NEG_INFINITY
    };
    let filled = (((db + 60.0) / 60.0).clamp(0.0, 1.0) * METER as f64).round() as usize;
    let bar = format!("{}{}", "#".repeat(filled), " ".repeat(METER - filled));
    if db.is_finite() {
        format!("[{bar}] {db:>4.0} dBFS")
    } else {
        format!("[{bar}] -inf dBFS")
    }
}

/// Prints statuses at a pace that suits where the output goes.
pub struct Progress {
    live: bool,
    next: Instant,
    drawn: bool,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            live: std::io::stdout().is_terminal(),
            next: Instant::now(),
            drawn: false,
        }
    }

    /// Whether a status is due now (5 times a second live, once a second otherwise).
    pub fn due(&self) -> bool {
        Instant::now() >= self.next
    }

    pub fn show(&mut self, status: &Status) {
        let mut out = std::io::stdout().lock();
        let line = status.line();
        if self.live {
            let _ = write!(out, "\r\x1b[2K{line}");
            self.next = Instant::now() + Duration::from_millis(200);
        } else {
            let _ = writeln!(out, "{line}");
            self.next = Instant::now() + Duration::from_secs(1);
        }
        let _ = out.flush();
        self.drawn = true;
    }

    /// End the live line so what follows starts on its own line.
    pub fn done(&mut self, status: &Status) {
        self.show(status);
        if self.live && self.drawn {
            println!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_meter_fills_with_loudness() {
        assert_eq!(meter(1.0), format!("[{}]    0 dBFS", "#".repeat(20)));
        assert_eq!(
            meter(0.5),
            format!("[{}{}]   -6 dBFS", "#".repeat(18), " ".repeat(2))
        );
        assert_eq!(meter(0.0), format!("[{}] -inf dBFS", " ".repeat(20)));
        assert!(meter(0.0001).starts_with("[ "));
    }

    #[test]
    fn the_status_line_shows_time_rate_drops_and_level() {
        let s = Status {
            elapsed: Duration::from_millis(61_500),
            video: Some((45, 30.0, 2)),
            audio: Some((1.5, 1.0, 0)),
        };
        let line = s.line();
        assert!(
            line.starts_with("01:01.5  video 45 frames 30.0 fps 2 dropped  audio 1.50 s ["),
            "{line}"
        );
        assert!(line.ends_with("0 dBFS 0 dropped"), "{line}");
    }
}
