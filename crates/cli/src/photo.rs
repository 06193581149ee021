//! `lms photo DEVICE FILE [--width W] [--height H]`: one photo (ImageCapture's
//! takePhoto) from a camera, written as JPEG, or PNG when FILE ends in .png.

use std::path::Path;
use std::time::Duration;

use lms_core::image_capture::ImageType;
use lms_core::{ImageCapture, PhotoSettings};
use serde_json::{json, Map};

use crate::camera;
use crate::exit::CliError;
use crate::setup::Setup;

/// PNG for a `.png` file, JPEG for anything else.
pub fn image_type_for(path: &Path) -> ImageType {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") => ImageType::Png,
        _ => ImageType::Jpeg,
    }
}

/// `photo_capabilities()`'s `imageWidth.max` / `imageHeight.max`: the camera's size now.
fn current_size(capture: &ImageCapture) -> Result<(u32, u32), CliError> {
    let caps = capture.photo_capabilities()?;
    let max = |k: &str| caps[k]["max"].as_u64().unwrap_or(0) as u32;
    Ok((max("imageWidth"), max("imageHeight")))
}

pub fn run(
    setup: &Setup,
    device_id: &str,
    file: &Path,
    width: Option<u32>,
    height: Option<u32>,
    timeout: Duration,
) -> Result<(), CliError> {
    let md = setup.devices(None)?;
    let device = camera::find(&md, device_id, "lms photo")?;
    let cam = camera::open(&md, device, Map::new())?;
    let capture = ImageCapture::new(&cam.track)?;
    // A photo is at most the size the camera runs at: for a larger one, ask
    // the camera for that size first (ideal: the camera's nearest), so the
    // photo shows the whole view rather than failing.
    let (cw, ch) = current_size(&capture)?;
    let aspect = |a: u32, num: u32, den: u32| -> u32 {
        ((u64::from(a) * u64::from(num) + u64::from(den) / 2) / u64::from(den.max(1))) as u32
    };
    let (want_w, want_h) = match (width, height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, aspect(w, ch, cw)),
        (None, Some(h)) => (aspect(h, cw, ch), h),
        (None, None) => (cw, ch),
    };
    if want_w > cw || want_h > ch {
        cam.track.apply_constraints(&json!({
            "width": {"ideal": want_w},
            "height": {"ideal": want_h},
        }))?;
    }
    let settings = PhotoSettings {
        image_width: width,
        image_height: height,
        image_type: Some(image_type_for(file)),
        ..PhotoSettings::default()
    };
    let photo = capture.take_photo(&settings, Some(timeout))?;
    drop(cam);
    std::fs::write(file, &photo.data).map_err(|e| CliError::output(file, e))?;
    println!(
        "{}: {}x{} {}, {} bytes (frame {})",
        file.display(),
        photo.width,
        photo.height,
        photo.image_type.mime(),
        photo.data.len(),
        photo.sequence
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_files_get_png_and_everything_else_jpeg() {
        assert_eq!(image_type_for(Path::new("a.png")), ImageType::Png);
        assert_eq!(image_type_for(Path::new("dir/A.PNG")), ImageType::Png);
        assert_eq!(image_type_for(Path::new("a.jpg")), ImageType::Jpeg);
        assert_eq!(image_type_for(Path::new("a.jpeg")), ImageType::Jpeg);
        assert_eq!(image_type_for(Path::new("photo")), ImageType::Jpeg);
    }
}
