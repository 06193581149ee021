//! The `lms` command. Issue 8 gives it `devices`, `capture` and `probe`;
//! until then it prints the version and the devices it can see.
fn main() {
    println!("lms {}", lms_core::VERSION);
}
