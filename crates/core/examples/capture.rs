//! The main job until the `lms` command exists: capture a few seconds from the
//! built-in fake camera and microphone and write files a person can open.
//!
//! `cargo run --release -p lms-core --example capture -- [OUT_DIR] [SECONDS]`
//! writes OUT_DIR/video.y4m (I420, plays in mpv/ffplay/VLC), OUT_DIR/audio.wav
//! (16-bit PCM) and OUT_DIR/snapshot.png (the last picture).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use lms_core::video::Converter;
use lms_core::{MediaDevices, PixelFormat, Samples, VideoBuffer};

fn main() {
    if let Err(e) = run() {
        eprintln!("capture: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "out".into()));
    let seconds: f64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|_| format!("SECONDS must be a number, got {s:?}"))?,
        None => 3.0,
    };
    std::fs::create_dir_all(&out)?;

    let devices = MediaDevices::from_json(r#"{"backends": ["fake"]}"#)?;
    let stream = devices.get_user_media_json(
        r#"{"video": {"width": 640, "height": 480, "frameRate": 30}, "audio": {"sampleRate": 48000, "channelCount": 1}}"#,
    )?;
    let video = stream.get_video_tracks().remove(0);
    let audio = stream.get_audio_tracks().remove(0);
    println!(
        "capturing {seconds} s from \"{}\" and \"{}\"",
        video.label(),
        audio.label()
    );

    let mut y4m = BufWriter::new(File::create(out.join("video.y4m"))?);
    writeln!(y4m, "YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg")?;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::create(out.join("audio.wav"), spec)?;

    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let (mut frames, mut chunks, mut last) = (0u64, 0u64, None);
    while Instant::now() < deadline {
        while let Some(f) = video.try_read() {
            let v = f.video().ok_or("video track gave a non-video frame")?;
            y4m.write_all(b"FRAME\n")?;
            for p in 0..v.plane_count() {
                y4m.write_all(v.plane(p))?;
            }
            frames += 1;
            last = Some(f);
        }
        while let Some(c) = audio.try_read() {
            if let Some(Samples::F32(s)) = c.audio().map(|a| a.samples()) {
                for &x in s {
                    wav.write_sample((x.clamp(-1.0, 1.0) * 32767.0).round() as i16)?;
                }
            }
            chunks += 1;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    stream.stop();
    y4m.flush()?;
    wav.finalize()?;

    let last = last.ok_or("no video frame arrived")?;
    let src = last.video().ok_or("not a video frame")?;
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, src.width(), src.height())?;
    Converter::new().convert(src, &mut rgb)?;
    let mut png = png::Encoder::new(
        BufWriter::new(File::create(out.join("snapshot.png"))?),
        rgb.width(),
        rgb.height(),
    );
    png.set_color(png::ColorType::Rgb);
    png.set_depth(png::BitDepth::Eight);
    png.write_header()?.write_image_data(rgb.plane(0))?;

    println!(
        "{frames} video frames -> {}",
        out.join("video.y4m").display()
    );
    println!(
        "{chunks} audio chunks ({:.2} s) -> {}",
        chunks as f64 * 0.01,
        out.join("audio.wav").display()
    );
    println!(
        "frame {} -> {}",
        last.sequence(),
        out.join("snapshot.png").display()
    );
    Ok(())
}
