//! What the `lms` command's tests share: running it with a clean environment
//! and a fresh folder per test.

#![allow(dead_code)] // each test file uses its own part of this

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Run `lms` with `args`, the environment's device settings removed.
pub fn lms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lms"))
        .args(args)
        .env_remove("LMS_BACKENDS")
        .env_remove("LMS_FAKE_DEVICES")
        .env_remove("LMS_FAKE_VIDEO_FILE")
        .env_remove("LMS_FAKE_AUDIO_FILE")
        .output()
        .expect("run lms")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for one test's files.
pub fn out_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "lms-cli-test-{}-{name}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
