//! `PlaneBuffer`: a read-only buffer-protocol exporter over one plane of a
//! frame, so `memoryview`s and numpy arrays view the frame's pixels or samples
//! without a copy and keep the frame alive as long as any view exists.
//!
//! PyO3 offers `__getbuffer__` only on Python 3.11+ under the stable ABI,
//! while the wheel targets abi3 for CPython 3.9+. CPython's `PyType_FromSpec`
//! has accepted the `Py_bf_getbuffer` slot since 3.x (the limited-API headers
//! merely hid it before 3.11), so this one small type is built by hand.
//!
//! Lifetime: a view's `obj` holds a reference to the `PlaneBuffer`, which
//! owns a clone of the `lms_core::Frame` (an `Arc` of the pooled buffer). The
//! buffer goes back to its pool only when the last view is released, so a view
//! stays valid after its track stopped. The bytes are never written (frames are
//! immutable once delivered), hence `readonly = 1`.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::MaybeUninit;
use std::ptr;

use pyo3::exceptions::PyRuntimeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyMemoryView, PyType};

use lms_core::Frame;

#[repr(C)]
struct PlaneBuffer {
    ob_base: ffi::PyObject,
    /// Set right after allocation (the allocator zero-fills, so a
    /// half-made object has `ready == 0` and owns nothing).
    ready: u8,
    frame: MaybeUninit<Frame>,
    buf: *const u8,
    /// Bytes; also the one-dimensional shape handed out.
    len: ffi::Py_ssize_t,
    /// Always 1 (unsigned bytes); its address is the stride handed out.
    itemsize: ffi::Py_ssize_t,
}

/// `Py_buffer` as CPython has laid it out since 3.3 (PyO3 declares it only for
/// 3.11+ under the stable ABI, where it joined the limited API unchanged).
#[repr(C)]
pub(crate) struct PyBufferView {
    pub(crate) buf: *mut c_void,
    pub(crate) obj: *mut ffi::PyObject,
    pub(crate) len: ffi::Py_ssize_t,
    pub(crate) itemsize: ffi::Py_ssize_t,
    pub(crate) readonly: c_int,
    pub(crate) ndim: c_int,
    pub(crate) format: *mut c_char,
    pub(crate) shape: *mut ffi::Py_ssize_t,
    pub(crate) strides: *mut ffi::Py_ssize_t,
    pub(crate) suboffsets: *mut ffi::Py_ssize_t,
    pub(crate) internal: *mut c_void,
}

// Request flags (Include/pybuffer.h; stable values).
const PYBUF_WRITABLE: c_int = 0x0001;
const PYBUF_FORMAT: c_int = 0x0004;
const PYBUF_ND: c_int = 0x0008;
const PYBUF_STRIDES: c_int = 0x0010 | PYBUF_ND;

static FORMAT: &CStr = c"B";
static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn buffer_type(py: Python<'_>) -> PyResult<&Py<PyType>> {
    TYPE.get_or_try_init(py, || {
        let mut slots = [
            ffi::PyType_Slot {
                slot: ffi::Py_bf_getbuffer,
                pfunc: getbuffer as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_dealloc,
                pfunc: dealloc as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_new,
                pfunc: refuse_new as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_doc,
                pfunc:
                    c"Read-only bytes of one plane of a localmediastream frame (buffer protocol)."
                        .as_ptr() as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: 0,
                pfunc: ptr::null_mut(),
            },
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"localmediastream._native.PlaneBuffer".as_ptr(),
            basicsize: std::mem::size_of::<PlaneBuffer>() as c_int,
            itemsize: 0,
            flags: ffi::Py_TPFLAGS_DEFAULT as _,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: `spec` and `slots` are valid for the call; PyType_FromSpec copies
        // what it keeps (the name and doc are static). It returns a new reference
        // to a type object, or NULL with an exception set.
        unsafe {
            Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec))?
                .cast_into::<PyType>()
                .map(Bound::unbind)
                .map_err(PyErr::from)
        }
    })
}

/// A read-only `memoryview` (format `B`) of plane `plane` of `frame` (audio:
/// plane 0 is the interleaved samples), keeping the frame alive.
pub fn plane_view<'py>(
    py: Python<'py>,
    frame: &Frame,
    plane: usize,
) -> PyResult<Bound<'py, PyMemoryView>> {
    let bytes = frame
        .plane(plane)
        .ok_or_else(|| PyRuntimeError::new_err(format!("the frame has no plane {plane}")))?;
    let tp = buffer_type(py)?;
    // SAFETY: `tp` is our heap type; PyType_GenericAlloc returns a zero-filled
    // object of `basicsize` bytes with its refcount and type set (and a
    // reference to the type taken), or NULL with an exception set.
    let obj = unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(tp.as_ptr().cast(), 0))?
    };
    let this = obj.as_ptr().cast::<PlaneBuffer>();
    // SAFETY: `obj` is a fresh, zero-filled PlaneBuffer that nothing else has
    // seen yet; we fill its fields once, then mark it ready.
    unsafe {
        (*this).frame.write(frame.clone());
        (*this).buf = bytes.as_ptr();
        (*this).len = bytes.len() as ffi::Py_ssize_t;
        (*this).itemsize = 1;
        (*this).ready = 1;
    }
    PyMemoryView::from(&obj)
}

/// `bf_getbuffer`: fill `view` as `PyBuffer_FillInfo(view, self, buf, len, readonly=1, flags)` does.
unsafe extern "C" fn getbuffer(
    obj: *mut ffi::PyObject,
    view: *mut PyBufferView,
    flags: c_int,
) -> c_int {
    let this = obj.cast::<PlaneBuffer>();
    // SAFETY: CPython calls this slot with a live object of our type (the
    // interpreter is attached) and a writable `view` (or NULL, refused here).
    unsafe {
        if view.is_null() {
            ffi::PyErr_SetString(ffi::PyExc_BufferError, c"NULL view".as_ptr());
            return -1;
        }
        if (*this).ready == 0 {
            (*view).obj = ptr::null_mut();
            ffi::PyErr_SetString(ffi::PyExc_BufferError, c"an empty PlaneBuffer".as_ptr());
            return -1;
        }
        if flags & PYBUF_WRITABLE == PYBUF_WRITABLE {
            (*view).obj = ptr::null_mut();
            ffi::PyErr_SetString(
                ffi::PyExc_BufferError,
                c"frame buffers are read-only: copy the data to modify it".as_ptr(),
            );
            return -1;
        }
        ffi::Py_INCREF(obj);
        (*view).obj = obj;
        (*view).buf = (*this).buf as *mut c_void;
        (*view).len = (*this).len;
        (*view).itemsize = 1;
        (*view).readonly = 1;
        (*view).ndim = 1;
        (*view).format = if flags & PYBUF_FORMAT == PYBUF_FORMAT {
            FORMAT.as_ptr() as *mut c_char
        } else {
            ptr::null_mut()
        };
        // The shape and strides point into the exporter, which the view keeps alive.
        (*view).shape = if flags & PYBUF_ND == PYBUF_ND {
            ptr::addr_of_mut!((*this).len)
        } else {
            ptr::null_mut()
        };
        (*view).strides = if flags & PYBUF_STRIDES == PYBUF_STRIDES {
            ptr::addr_of_mut!((*this).itemsize)
        } else {
            ptr::null_mut()
        };
        (*view).suboffsets = ptr::null_mut();
        (*view).internal = ptr::null_mut();
    }
    0
}

/// `tp_dealloc`: drop the frame clone, free the object, release the type.
unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    let this = obj.cast::<PlaneBuffer>();
    // SAFETY: called once by CPython when the refcount reaches zero; `frame`
    // is initialised exactly when `ready` is set. Instances of heap types hold
    // a reference to their type, released last.
    unsafe {
        if (*this).ready != 0 {
            (*this).ready = 0;
            (*this).frame.assume_init_drop();
        }
        let tp = ffi::Py_TYPE(obj);
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        if !free.is_null() {
            let free: ffi::freefunc = std::mem::transmute::<*mut c_void, ffi::freefunc>(free);
            free(obj.cast());
        }
        ffi::Py_DECREF(tp.cast());
    }
}

/// `tp_new`: PlaneBuffers come from frames only.
unsafe extern "C" fn refuse_new(
    _tp: *mut ffi::PyTypeObject,
    _args: *mut ffi::PyObject,
    _kwds: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by CPython with the interpreter attached.
    unsafe {
        ffi::PyErr_SetString(
            ffi::PyExc_TypeError,
            c"PlaneBuffer cannot be created directly: use Frame.planes".as_ptr(),
        )
    };
    ptr::null_mut()
}
