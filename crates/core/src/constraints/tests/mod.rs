mod parse;
mod select;
