//! The system's libasound, found at run time.
//!
//! Microphones go through cpal's ALSA host, that is through alsa-lib. ALSA's
//! plugins and configuration (PulseAudio, PipeWire, dmix) belong to the
//! system, so we use the system's own `libasound.so.2`, never a copy of it.
//! [`load`] opens it (`dlopen`) once, and the cpal backend calls it in its
//! constructor: a backend whose load failed calls no ALSA function at all,
//! lists no device and says why when asked to open one (`NotFoundError`).
//!
//! How the ALSA functions reach the program:
//! - Normally the program links libasound (alsa-sys asks for `-lasound`);
//!   `dlopen` finds the copy already loaded and [`load`] cannot fail.
//! - With the `alsa-dlopen` feature (the Python wheel, which must import on a
//!   machine without libasound), this module defines every ALSA function the
//!   program calls as a trampoline: a jump through a table that [`load`]
//!   fills with `dlvsym` (the version the linker would have bound). Every
//!   reference then resolves to a trampoline, so the linker (`--as-needed`)
//!   leaves libasound out of the DT_NEEDED entries and the dynamic loader
//!   never looks for it. (Leaving the symbols undefined and bound lazily does
//!   not work: Rust calls through the GOT, whose `GLOB_DAT` relocations are
//!   bound when the object is loaded, and CPython loads extensions with
//!   `RTLD_NOW`.) A table slot not filled jumps to [`not_loaded`], which
//!   aborts: a bug, as every ALSA call comes after a successful [`load`].
//!   x86_64 only (the wheel's platform); other targets link libasound.
//!
//! The trampolines' list is the ALSA functions the linked program imports
//! (`nm -D --undefined-only`); `tests/python/package/run.sh` fails when the
//! wheel's extension still names libasound, that is when cpal or alsa start
//! calling a function missing here.

use std::sync::OnceLock;

/// The soname of alsa-lib, as every Linux distribution ships it.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const SONAME: &str = "libasound.so.2";

/// Opens the system's libasound once: `Ok` when ALSA may be called, or why
/// it may not (for messages: "libasound.so.2 ... cannot open shared object file").
pub(super) fn load() -> Result<(), String> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED.get_or_init(open).clone()
}

#[cfg(target_os = "linux")]
fn open() -> Result<(), String> {
    let name = std::ffi::CString::new(SONAME).expect("no NUL in the soname");
    // SAFETY: a NUL-terminated name; the handle is kept for the life of the
    // process (never dlclose'd), so the functions looked up in it stay valid.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if handle.is_null() {
        return Err(format!(
            "the system's ALSA library could not be loaded ({}); install alsa-lib \
             (Debian/Ubuntu: libasound2, Fedora: alsa-lib) for microphones",
            last_dl_error()
        ));
    }
    #[cfg(all(feature = "alsa-dlopen", target_arch = "x86_64"))]
    trampolines::fill(handle)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn open() -> Result<(), String> {
    // CoreAudio and WASAPI are part of the system.
    Ok(())
}

/// The dynamic loader's message for the last failed call.
#[cfg(target_os = "linux")]
fn last_dl_error() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated message, valid until
    // the next dl* call on this thread; it is copied at once.
    let message = unsafe { libc::dlerror() };
    if message.is_null() {
        return format!("{SONAME}: unknown error");
    }
    // SAFETY: non-NULL, NUL-terminated (above).
    unsafe { std::ffi::CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(all(target_os = "linux", feature = "alsa-dlopen", target_arch = "x86_64"))]
mod trampolines {
    use std::ffi::{c_char, c_void};

    /// Called by a trampoline whose slot [`fill`] did not fill.
    extern "C" fn not_loaded() {
        eprintln!(
            "localmediastream: an ALSA function was called before {} was loaded; aborting",
            super::SONAME
        );
        std::process::abort()
    }

    /// One address per function of [`ALSA_FUNCTIONS`], in its order; read by
    /// the trampolines. Written only by [`fill`], under [`super::load`]'s
    /// `OnceLock`, before any ALSA call: a thread calling ALSA has passed that
    /// `OnceLock` (or was started by one that has), so it sees the writes.
    #[repr(transparent)]
    struct Table(std::cell::UnsafeCell<[unsafe extern "C" fn(); COUNT]>);

    // SAFETY: written once before any reader can exist (see above).
    unsafe impl Sync for Table {}

    static TABLE: Table = Table(std::cell::UnsafeCell::new(
        [not_loaded as unsafe extern "C" fn(); COUNT],
    ));

    macro_rules! alsa_functions {
        ($($name:ident @ $version:literal,)*) => {
            /// Each function's slot in [`TABLE`].
            #[allow(non_camel_case_types, dead_code)]
            #[repr(usize)]
            enum Slot { $($name,)* }

            const COUNT: usize = [$(stringify!($name),)*].len();

            /// Each function's name and symbol version, NUL-terminated.
            const ALSA_FUNCTIONS: [(&str, &str); COUNT] =
                [$((concat!(stringify!($name), "\0"), concat!($version, "\0")),)*];

            $(
                core::arch::global_asm!(
                    ".pushsection .text.lms_alsa_trampolines,\"ax\",@progbits",
                    concat!(".globl ", stringify!($name)),
                    // Not exported: the wheel must not stand in for libasound
                    // for other libraries of the process.
                    concat!(".hidden ", stringify!($name)),
                    concat!(".type ", stringify!($name), ",@function"),
                    ".p2align 3",
                    concat!(stringify!($name), ":"),
                    "jmp qword ptr [rip + {table} + {offset}]",
                    concat!(".size ", stringify!($name), ", . - ", stringify!($name)),
                    ".popsection",
                    table = sym TABLE,
                    offset = const Slot::$name as usize * 8,
                );
            )*
        };
    }

    // The ALSA functions cpal 0.18 (through alsa 0.11) and quiet_alsa.rs call,
    // with the symbol version the linker binds (`nm -D --undefined-only` on a
    // build that links libasound).
    alsa_functions! {
        snd_card_next @ "ALSA_0.9",
        snd_config_update @ "ALSA_0.9",
        snd_config_update_free_global @ "ALSA_0.9",
        snd_ctl_card_info @ "ALSA_0.9",
        snd_ctl_card_info_free @ "ALSA_0.9",
        snd_ctl_card_info_get_name @ "ALSA_0.9",
        snd_ctl_card_info_malloc @ "ALSA_0.9",
        snd_ctl_close @ "ALSA_0.9",
        snd_ctl_open @ "ALSA_0.9",
        snd_ctl_pcm_info @ "ALSA_0.9",
        snd_ctl_pcm_next_device @ "ALSA_0.9",
        snd_device_name_free_hint @ "ALSA_0.9",
        snd_device_name_get_hint @ "ALSA_0.9",
        snd_device_name_hint @ "ALSA_0.9",
        snd_lib_error_set_local @ "ALSA_0.9",
        snd_pcm_avail_delay @ "ALSA_0.9",
        snd_pcm_bytes_to_frames @ "ALSA_0.9",
        snd_pcm_close @ "ALSA_0.9",
        snd_pcm_format_physical_width @ "ALSA_0.9",
        snd_pcm_get_params @ "ALSA_0.9",
        snd_pcm_hw_params @ "ALSA_0.9",
        snd_pcm_hw_params_any @ "ALSA_0.9",
        snd_pcm_hw_params_can_resume @ "ALSA_0.9",
        snd_pcm_hw_params_copy @ "ALSA_0.9",
        snd_pcm_hw_params_current @ "ALSA_0.9",
        snd_pcm_hw_params_free @ "ALSA_0.9",
        snd_pcm_hw_params_get_buffer_size_max @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_channels_max @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_channels_min @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_period_size @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_period_size_max @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_period_size_min @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_rate_max @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_get_rate_min @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_malloc @ "ALSA_0.9",
        snd_pcm_hw_params_set_access @ "ALSA_0.9",
        snd_pcm_hw_params_set_buffer_size_near @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_set_channels @ "ALSA_0.9",
        snd_pcm_hw_params_set_format @ "ALSA_0.9",
        snd_pcm_hw_params_set_period_size_near @ "ALSA_0.9.0rc4",
        snd_pcm_hw_params_set_rate @ "ALSA_0.9",
        snd_pcm_hw_params_supports_audio_ts_type @ "ALSA_0.9",
        snd_pcm_hw_params_test_channels @ "ALSA_0.9",
        snd_pcm_hw_params_test_format @ "ALSA_0.9",
        snd_pcm_hw_params_test_rate @ "ALSA_0.9",
        snd_pcm_info @ "ALSA_0.9",
        snd_pcm_info_free @ "ALSA_0.9",
        snd_pcm_info_get_name @ "ALSA_0.9",
        snd_pcm_info_get_stream @ "ALSA_0.9",
        snd_pcm_info_malloc @ "ALSA_0.9",
        snd_pcm_info_set_device @ "ALSA_0.9",
        snd_pcm_info_set_stream @ "ALSA_0.9",
        snd_pcm_info_set_subdevice @ "ALSA_0.9",
        snd_pcm_open @ "ALSA_0.9",
        snd_pcm_pause @ "ALSA_0.9",
        snd_pcm_poll_descriptors @ "ALSA_0.9",
        snd_pcm_poll_descriptors_count @ "ALSA_0.9",
        snd_pcm_poll_descriptors_revents @ "ALSA_0.9",
        snd_pcm_prepare @ "ALSA_0.9",
        snd_pcm_readi @ "ALSA_0.9",
        snd_pcm_resume @ "ALSA_0.9",
        snd_pcm_start @ "ALSA_0.9",
        snd_pcm_state @ "ALSA_0.9",
        snd_pcm_status @ "ALSA_0.9",
        snd_pcm_status_get_audio_htstamp @ "ALSA_0.9",
        snd_pcm_status_get_htstamp @ "ALSA_0.9.0rc8",
        snd_pcm_status_get_state @ "ALSA_0.9",
        snd_pcm_status_get_trigger_htstamp @ "ALSA_0.9.0rc8",
        snd_pcm_status_set_audio_htstamp_config @ "ALSA_0.9",
        snd_pcm_status_sizeof @ "ALSA_0.9",
        snd_pcm_sw_params @ "ALSA_0.9",
        snd_pcm_sw_params_current @ "ALSA_0.9",
        snd_pcm_sw_params_free @ "ALSA_0.9",
        snd_pcm_sw_params_malloc @ "ALSA_0.9",
        snd_pcm_sw_params_set_avail_min @ "ALSA_0.9",
        snd_pcm_sw_params_set_start_threshold @ "ALSA_0.9",
        snd_pcm_sw_params_set_tstamp_mode @ "ALSA_0.9",
        snd_pcm_sw_params_set_tstamp_type @ "ALSA_0.9",
    }

    /// Looks every function up in the opened library and fills [`TABLE`];
    /// all or nothing, so a library lacking one leaves ALSA unused.
    pub(super) fn fill(handle: *mut c_void) -> Result<(), String> {
        let mut found = [std::ptr::null_mut::<c_void>(); COUNT];
        for (address, (name, version)) in found.iter_mut().zip(ALSA_FUNCTIONS) {
            // SAFETY: a live handle from dlopen and NUL-terminated strings.
            *address = unsafe {
                libc::dlvsym(
                    handle,
                    name.as_ptr().cast::<c_char>(),
                    version.as_ptr().cast::<c_char>(),
                )
            };
            if address.is_null() {
                return Err(format!(
                    "the system's {} has no {}@{} (alsa-lib too old?)",
                    super::SONAME,
                    name.trim_end_matches('\0'),
                    version.trim_end_matches('\0')
                ));
            }
        }
        // SAFETY: each address is the function of that name and version in
        // a library that stays loaded, so calling it through the trampoline
        // with the caller's arguments is the call the linker would have made.
        // No reader runs yet: this runs once, inside `load`'s OnceLock, before
        // any ALSA call (see `TABLE`).
        unsafe {
            let slots = &mut *TABLE.0.get();
            for (slot, address) in slots.iter_mut().zip(found) {
                *slot = std::mem::transmute::<*mut c_void, unsafe extern "C" fn()>(address);
            }
        }
        Ok(())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::load;

    #[test]
    fn the_system_library_loads_and_answers_through_the_same_symbols() {
        load().expect("libasound.so.2 loads on the test machine");
        // With alsa-dlopen this goes through a trampoline, else straight to libasound.
        // SAFETY: a pure function of its argument.
        let bits =
            unsafe { alsa_sys::snd_pcm_format_physical_width(alsa_sys::SND_PCM_FORMAT_S16_LE) };
        assert_eq!(bits, 16);
    }
}
