//! Keeps alsa-lib's messages off stderr while we call into ALSA through cpal.
//!
//! On a machine without a sound card, enumerating ALSA's PCMs prints lines
//! like `ALSA lib confmisc.c:855:(parse_card) cannot find card '0'` on stderr:
//! noise in every program that links us and merely asks for the device list.
//! alsa-lib sends such messages to a thread-local handler when one is set
//! (`snd_lib_error_set_local`); [`QuietAlsa`] sets one that keeps the last
//! message's error code, and restores the thread's previous handler when
//! dropped, so a program with its own handler keeps it.
//!
//! What ALSA means by those messages still reaches the caller: cpal's errors
//! carry the failing call's error code.

use std::cell::Cell;
use std::ffi::{c_char, c_int};
use std::marker::PhantomData;

thread_local! {
    /// How many messages alsa-lib sent to the handler on this thread.
    static SWALLOWED: Cell<u64> = const { Cell::new(0) };
}

/// While alive, alsa-lib's messages on this thread are counted, not printed.
/// Not `Send`: the handler is the current thread's.
pub struct QuietAlsa {
    previous: alsa_sys::snd_local_error_handler_t,
    _thread_bound: PhantomData<*const ()>,
}

impl QuietAlsa {
    pub fn new() -> QuietAlsa {
        // SAFETY: sets this thread's handler to a function that touches only
        // a thread-local counter; the previous one is restored on drop.
        let previous = unsafe { alsa_sys::snd_lib_error_set_local(Some(swallow)) };
        QuietAlsa {
            previous,
            _thread_bound: PhantomData,
        }
    }

    /// How many messages alsa-lib has sent to a quiet handler on this thread.
    #[cfg(test)]
    pub fn swallowed() -> u64 {
        SWALLOWED.with(Cell::get)
    }
}

impl Drop for QuietAlsa {
    fn drop(&mut self) {
        // SAFETY: puts back the handler that was set when this guard was made.
        unsafe {
            alsa_sys::snd_lib_error_set_local(self.previous);
        }
    }
}

unsafe extern "C" fn swallow(
    _file: *const c_char,
    _line: c_int,
    _function: *const c_char,
    _err: c_int,
    _fmt: *const c_char,
    _args: *mut alsa_sys::__va_list_tag,
) {
    SWALLOWED.with(|n| n.set(n.get().wrapping_add(1)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_a_missing_pcm_are_swallowed_and_the_handler_restored() {
        super::super::libasound::load().expect("libasound loads on the test machine");
        let before = QuietAlsa::swallowed();
        {
            let _quiet = QuietAlsa::new();
            let mut pcm = std::ptr::null_mut();
            let name = c"lms_no_such_pcm_for_this_test";
            // SAFETY: a valid out-pointer and NUL-terminated name; opening fails.
            let rc = unsafe {
                alsa_sys::snd_pcm_open(&mut pcm, name.as_ptr(), alsa_sys::SND_PCM_STREAM_CAPTURE, 0)
            };
            assert!(rc < 0, "an unknown PCM opened");
        }
        assert!(QuietAlsa::swallowed() > before, "alsa-lib sent no message");
        // SAFETY: reads the handler back and puts it again, unchanged.
        let now = unsafe { alsa_sys::snd_lib_error_set_local(None) };
        assert!(
            now.is_none(),
            "the previous (absent) handler was not restored"
        );
    }
}
