//! The Y4M parser, frame walker and 4:2:2 / 4:4:4 / mono conversion on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lms_core::backend::file::y4m;
use lms_core::{PixelFormat, VideoBuffer};

fuzz_target!(|bytes: &[u8]| {
    let Ok(file) = y4m::parse(bytes) else { return };
    let header = &file.header;
    // Small pictures only: a large header with enough bytes is legitimate but slow.
    if header.frame_size() > 1 << 20 {
        return;
    }
    let mut at = header.header_len;
    let mut picture = VideoBuffer::new(PixelFormat::I420, header.width, header.height)
        .expect("size checked by the parser");
    for index in 0..file.frames {
        let frame = y4m::frame_at(bytes, header, at, index)
            .expect("parse() walked it")
            .expect("counted");
        y4m::to_i420(header, &bytes[frame.offset..frame.next], &mut picture).expect("sizes match");
        at = frame.next;
    }
});
