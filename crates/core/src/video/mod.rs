//! Video pictures: the fake camera's pattern, black frames, and conversion.
//!
//! - [`Painter`] paints the fake camera's moving picture into pooled I420
//!   buffers, touching only what changed since the buffer's last paint, and
//!   [`decode_sequence`] reads the painted sequence number back from any raw
//!   format, even after scaling or a centred crop.
//! - [`Look`] is what a camera's controls (exposure, colour, zoom, pan...)
//!   do to the fake camera's picture; [`Painter::paint_with`] paints through it.
//! - [`fill_black`] paints the black frames a disabled track delivers.
//! - [`Converter`] fits a picture into another size and format (centred crop,
//!   scale, colour conversion), allocating nothing in steady state.
//!
//! Every YUV value is BT.601 limited range (Y 16..=235), the same in the
//! painter, the black frames and the converter.

mod black;
mod code;
mod convert;
pub(crate) mod jpeg_planes;
mod look;
mod luma;
mod pattern;
#[cfg(test)]
mod tests;

pub use black::fill_black;
pub use code::decode_sequence;
pub use convert::Converter;
pub use look::Look;
pub use pattern::{PaintState, Painter};
