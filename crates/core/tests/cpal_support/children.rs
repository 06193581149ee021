//! Helpers for the sound servers the tests start (pulse.rs, pipewire.rs;
//! each includes this file by path, so benches that include them get it too).
#![allow(dead_code)]

/// Fail (never skip) when `program` is not on `PATH`, saying what `needs` it
/// and what to install.
pub fn require(program: &str, needs: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()));
    assert!(
        found,
        "{program} is not installed: {needs} (scripts/setup installs them)"
    );
}

/// Make `command`'s process die with this one: a test process killed before
/// its Drop runs (a timeout) takes its servers and players with it instead
/// of leaving them running.
pub fn dies_with_test(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}
