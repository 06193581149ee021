//! The checked-in header is what cbindgen makes of the current crates/ffi.

#[test]
fn header_is_current() {
    let generated = include_str!(env!("LMS_GENERATED_HEADER"));
    let checked_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/include/localmediastream.h"
    ))
    .unwrap_or_default();
    assert!(
        generated == checked_in,
        "include/localmediastream.h is stale: run scripts/update-header and commit the result"
    );
}
