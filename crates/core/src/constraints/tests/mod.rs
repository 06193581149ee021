mod controls;
mod parse;
mod select;
