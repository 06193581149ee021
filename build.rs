//! Generates the C header from crates/ffi with cbindgen into OUT_DIR; the
//! `header_is_current` test compares it with the checked-in
//! include/localmediastream.h, and `LMS_UPDATE_HEADER=1` (scripts/update-header)
//! writes it there.

use std::path::PathBuf;

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("localmediastream.h");
    println!("cargo:rerun-if-changed=crates/ffi/src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=LMS_UPDATE_HEADER");
    let config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("reading cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("crates/ffi/src/lib.rs"))
        .generate()
        .expect("cbindgen could not generate the header");
    let mut text = Vec::new();
    bindings.write(&mut text);
    let text = String::from_utf8(text).expect("cbindgen writes UTF-8");
    // The status is an enum in C; Rust takes the raw int so that an
    // out-of-range value from C is answered with "UnknownStatus" instead of
    // being undefined behaviour. Same ABI.
    let text = text.replace(
        "lms_status_name(int status)",
        "lms_status_name(lms_status status)",
    );
    std::fs::write(&out, &text).expect("writing the header to OUT_DIR");
    println!("cargo:rustc-env=LMS_GENERATED_HEADER={}", out.display());
    if std::env::var_os("LMS_UPDATE_HEADER").is_some() {
        std::fs::create_dir_all(root.join("include")).expect("creating include/");
        std::fs::write(root.join("include/localmediastream.h"), &text)
            .expect("writing include/localmediastream.h");
    }
}
