//! The MJPEG splitter on any bytes, and the JPEG decoder on what it splits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lms_core::backend::file::mjpeg;
use lms_core::{PixelFormat, VideoBuffer};

fuzz_target!(|bytes: &[u8]| {
    let Ok(file) = mjpeg::parse(bytes) else {
        return;
    };
    if u64::from(file.width) * u64::from(file.height) > 1 << 20 {
        return;
    }
    let mut picture = VideoBuffer::new(PixelFormat::I420, file.width, file.height)
        .expect("size checked by the splitter");
    let mut decoder = mjpeg::JpegDecoderI420::new();
    let mut at = 0;
    for index in 0..file.frames {
        let frame = mjpeg::frame_at(bytes, at, index)
            .expect("parse() split it")
            .expect("counted");
        let _ = decoder.decode(&bytes[frame.offset..frame.end()], &mut picture);
        at = frame.end();
    }
});
