//! The WAV header parser and sample conversion on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lms_core::backend::file::wav;

fuzz_target!(|bytes: &[u8]| {
    let Ok(file) = wav::parse(bytes) else { return };
    let mut out = vec![0f32; 4096];
    let mut first = 0;
    while first < file.frames {
        let frames = file.decode(bytes, first, &mut out);
        assert!(frames > 0, "a checked file has all its frames");
        assert!(out[..frames * usize::from(file.channels)]
            .iter()
            .all(|x| x.is_finite()));
        first += frames as u64;
    }
});
